using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.Shared;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Quality;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Detail;

/// <summary>
/// The classical denoise on the identity round trip, as the neural one's quality test: Poisson-Gaussian noise on
/// the mosaic (standard deviation SIGMA at white, read noise a tenth of it; the DNG's NoiseProfile states it),
/// `convert --tone none --profile srgb` with and without `--denoise classic`, CPSNR of each image against its
/// own clean source, averaged. Without the NoiseProfile the model is estimated from the raw (<see cref="NoiseModel.Estimate"/>):
/// the same gains, a little less, and next to nothing lost on raws without noise.
/// </summary>
public class DenoiseQualityTests(ITestOutputHelper output)
{
    private static async Task<double> GainAsync(IReadOnlyList<int> images, double sigma, ITestOutputHelper output, bool profiled = true)
    {
        using var home = new TempFolder();
        var environment = AiTestFiles.IsolatedEnvironment(home.Path);
        var plain = new List<double>();
        var denoised = new List<double>();
        foreach (var kodak in images)
        {
            var original = ImageFile.LoadSrgb8(SharedData.Kodak(kodak));
            var raw = SyntheticRaw.Create(LinearScene.FromSrgb8(original),
                new SyntheticRawOptions { Noise = sigma > 0 ? new SensorNoise(sigma * sigma, sigma * sigma / 100) : null, Seed = (ulong)kodak });
            if (!profiled) raw = raw with { NoiseProfile = null };
            var dng = IdentityRoundTrip.WriteDng(home, raw, $"kodim{kodak:00}");
            plain.Add(await IdentityRoundTrip.ScoreAsync(dng, original, environment));
            denoised.Add(await IdentityRoundTrip.ScoreAsync(dng, original, environment, "--denoise", "classic"));
        }
        var gain = denoised.Average() - plain.Average();
        output.WriteLine($"noise {sigma}{(profiled ? "" : ", estimated")}: without {plain.Average():0.00} dB, --denoise classic {denoised.Average():0.00} dB, gain {gain:+0.00;-0.00}; per image "
            + string.Join(" ", images.Select((k, i) => $"{k}:{plain[i]:0.0}->{denoised[i]:0.0}")));
        return gain;
    }

    [Theory]
    [InlineData(0.02, 0.7)]
    [InlineData(0.04, 1.8)]
    public async Task ClassicDenoiseGainsOnTheVendoredKodakImages(double sigma, double minimumGain)
    {
        var gain = await GainAsync(SharedData.VendoredKodak, sigma, output);
        Assert.True(gain >= minimumGain, $"noise {sigma}: --denoise classic gains {gain:0.00} dB (needs {minimumGain})");
    }

    [SharedTheory("the 24 Kodak images")]
    [InlineData(0.02, 0.9)]
    [InlineData(0.04, 2.1)]
    public async Task ClassicDenoiseGainsOnTheWholeKodakSet(double sigma, double minimumGain)
    {
        var gain = await GainAsync([.. Enumerable.Range(1, 24)], sigma, output);
        Assert.True(gain >= minimumGain, $"noise {sigma}: --denoise classic gains {gain:0.00} dB over Kodak 1-24 (needs {minimumGain})");
    }

    [Theory]
    [InlineData(0.0, -0.2)]
    [InlineData(0.02, 0.5)]
    [InlineData(0.04, 1.4)]
    public async Task WithTheNoiseEstimatedClassicDenoiseGainsOnTheVendoredKodakImages(double sigma, double minimumGain)
    {
        var gain = await GainAsync(SharedData.VendoredKodak, sigma, output, profiled: false);
        Assert.True(gain >= minimumGain, $"noise {sigma}, no NoiseProfile: --denoise classic gains {gain:0.00} dB (needs {minimumGain})");
    }

    [SharedFact("the 24 Kodak images")]
    public async Task WithTheNoiseEstimatedClassicDenoiseCostsNoiseFreeRawsLittle()
    {
        // A texture-fooled estimate blurred these by 7.5 dB (40.37 -> 32.88); now 0.30 dB, kodim06 and kodim13 most.
        var gain = await GainAsync([.. Enumerable.Range(1, 24)], 0, output, profiled: false);
        Assert.True(gain >= -0.5, $"no noise, no NoiseProfile: --denoise classic costs {-gain:0.00} dB over Kodak 1-24 (at most 0.5)");
    }

    [Fact]
    public void TheNoiseProfileTravelsThroughTheDngAndDrivesTheModel()
    {
        using var home = new TempFolder();
        var raw = SyntheticRaw.Chart(96, 64, new SyntheticRawOptions { Noise = new SensorNoise(1e-3, 2e-5) });
        var dng = IdentityRoundTrip.WriteDng(home, raw, "noisy");
        var decoded = RawDecoder.Decode(dng);
        Assert.Equal([1e-3, 2e-5], decoded.NoiseProfile ?? []);
        Assert.Equal(new NoiseModel(1e-3, 2e-5), NoiseModel.Of(decoded));
        Assert.Equal(new NoiseModel(1e-3, 2e-5), NoiseModel.Profiled(decoded));
        Assert.Null(NoiseModel.Profiled(decoded with { NoiseProfile = null }));
    }

    [Fact]
    public void WithoutAProfileTheNoiseIsEstimatedFromTheRaw()
    {
        // A smooth scene: the estimate sees the noise (NoiseEstimateTests has flat layouts and detailed photographs).
        var flat = new Srgb8Image(256, 256, [.. Enumerable.Range(0, 256 * 256 * 3).Select(i => (byte)(40 + (i / 3 % 256) * 3 / 4))]);
        var raw = SyntheticRaw.Create(LinearScene.FromSrgb8(flat), new SyntheticRawOptions { Noise = new SensorNoise(1e-3, 1e-5) }) with { NoiseProfile = null };
        var model = NoiseModel.Of(raw);
        output.WriteLine($"estimated shot {model.Shot:g3} read {model.Read:g3} (true 1e-3, 1e-5)");
        Assert.InRange(model.Shot, 0.7e-3, 1.4e-3);
        Assert.InRange(model.SigmaAt(0.18), 0.8 * Math.Sqrt(1.8e-4 + 1e-5), 1.25 * Math.Sqrt(1.8e-4 + 1e-5));
    }
}
