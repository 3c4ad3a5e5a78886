using RawEngine.AI.Registry;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Quality;

/// <summary>
/// The project's trained denoiser (models/nafnet-denoise, tools/train_denoiser.py, trained on Kodak
/// 1-16) on the identity round trip: Kodak 17-24 whole, Poisson-Gaussian noise on the mosaic,
/// `convert --tone none --profile srgb` with and without `--denoise nn --models models`, CPSNR
/// against the clean image.
/// </summary>
public class DenoiseNnQualityTests(ITestOutputHelper output)
{
    private const string OurModel = "nafnet-denoise";
    private static readonly int[] UnseenImages = [.. Enumerable.Range(17, 8)];

    // Noise of standard deviation 0.04, 0.02 and 0.014 at white (shot variance a * x, read variance b).
    [SharedTheory("Kodak images 17-24 (unseen in training)")]
    [InlineData(1.6e-3, 1.6e-5, 2.6)]
    [InlineData(4e-4, 4e-6, 1.2)]
    [InlineData(2e-4, 2e-6, 0.0)]
    public async Task DenoiseNnGainsOnImagesItWasNotTrainedOn(double shot, double read, double minimumGain)
    {
        using var home = new TempFolder();
        var environment = AiTestFiles.IsolatedEnvironment(home.Path);
        var plain = new List<double>();
        var denoised = new List<double>();
        foreach (var kodak in UnseenImages)
        {
            var original = ImageFile.LoadSrgb8(SharedData.Kodak(kodak));
            var raw = SyntheticRaw.Create(LinearScene.FromSrgb8(original),
                new SyntheticRawOptions { Noise = new SensorNoise(shot, read), Seed = (ulong)kodak });
            var dng = IdentityRoundTrip.WriteDng(home, raw, $"kodim{kodak:00}");
            plain.Add(await IdentityRoundTrip.ScoreAsync(dng, original, environment));
            denoised.Add(await IdentityRoundTrip.ScoreAsync(dng, original, environment, "--denoise", "nn", "--models", AiTestFiles.ShippedModels));
        }
        var gain = denoised.Average() - plain.Average();
        output.WriteLine($"a={shot:g} b={read:g}: without {plain.Average():0.00} dB, --denoise nn {denoised.Average():0.00} dB, gain {gain:+0.00;-0.00} dB; per image "
            + string.Join(" ", UnseenImages.Select((k, i) => $"{k}:{plain[i]:0.0}->{denoised[i]:0.0}")));
        Assert.True(gain >= minimumGain, $"a={shot:g} b={read:g}: --denoise nn gains {gain:0.00} dB (needs {minimumGain:0.0}): {plain.Average():0.00} -> {denoised.Average():0.00} dB");
    }

    [Fact]
    public async Task OurTrainedModelWinsOverTheTestFixturesByItsDefaultFlag()
    {
        using var home = new TempFolder();
        var environment = AiTestFiles.IsolatedEnvironment(home.Path);
        string[] folders = [AiTestFiles.TestModels, AiTestFiles.ShippedModels];
        var registry = ModelRegistry.Discover(new ModelSearchOptions(folders, environment));
        var ours = registry.Get(OurModel);
        Assert.True(ours.Manifest.IsDefault);
        Assert.Equal("nafnet", ours.Manifest.Arch);
        Assert.Equal(("input", "output", "planar-rgb", "srgb"),
            (ours.Manifest.Io!.Inputs["image"], ours.Manifest.Io.Outputs["image"], ours.Manifest.Io.Layout, ours.Manifest.Io.Encoding));
        Assert.True(new FileInfo(Path.Combine(ours.Directory, "model.onnx")).Length < 2_000_000, "the trained model should stay under 2 MB");

        // Signature-only denoisers are found before it, none marked default: only the flag makes ours win.
        var others = registry.ForTask("denoise").Where(m => m.Id != OurModel).ToList();
        Assert.Contains(others, m => m.Id == "denoise-tiny" && m.Manifest.Io is null);
        Assert.Contains(others, m => m.Id == "nafnet-small");
        Assert.DoesNotContain(others, m => m.Manifest.IsDefault);
        Assert.True(string.CompareOrdinal(others[0].Id, OurModel) < 0, others[0].Id);
        Assert.Equal(new ModelChoice(ours, ChoiceReason.Default), registry.Choose("denoise", ModelInputTraits.Rgb));

        // The command line picks the same model.
        var original = IdentityRoundTrip.CentreCrop(ImageFile.LoadSrgb8(SharedData.Kodak(19)), 96, 64);
        var dng = IdentityRoundTrip.WriteDng(home, SyntheticRaw.Create(LinearScene.FromSrgb8(original)), "small");
        var result = await CliRunner.RunAsync(environment, "convert", dng, "-o", home.File("small.png"), "--denoise", "nn", "--models", folders[0], "--models", folders[1], "--verbose");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"denoise: model '{OurModel}' (Default)", result.Error);
    }
}
