using RawEngine.Engine.Dng;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Neural;

/// <summary>
/// `rawengine convert --demosaic nn / --denoise nn` end to end on small synthetic DNGs, with model folders
/// built in temporary directories (links to the shipped models, copies of the project's test models) and an
/// isolated model environment, so nothing the user has installed takes part.
/// </summary>
public class NeuralConvertTests(ITestOutputHelper output)
{
    private static string Dng(TempFolder temp, string name, CfaPattern cfa, int width = 192, int height = 128, SensorNoise? noise = null)
    {
        var path = temp.File(name);
        DngWriter.Write(SyntheticRaw.Chart(width, height, new SyntheticRawOptions { Cfa = cfa, Noise = noise }), path);
        return path;
    }

    /// <summary>A model folder holding links to the named shipped demosaicnet packages.</summary>
    private static string ShippedSubset(TempFolder temp, params string[] packages) =>
        AiTestFiles.ShippedSubset(temp.File("models-" + string.Join("-", packages)), packages);

    /// <summary>A darktable-ai style package: only its config.json fields (no io block) and a NAFNet-signature network.</summary>
    private static string DarktablePackage(TempFolder temp)
    {
        var root = Directory.CreateDirectory(temp.File("dt-models")).FullName;
        var package = Directory.CreateDirectory(Path.Combine(root, "denoise-nafnet-dt")).FullName;
        File.Copy(AiTestFiles.TestModel("nafnet-small"), Path.Combine(package, "model.onnx"));
        File.WriteAllText(Path.Combine(package, "config.json"), """
            {
              "id": "denoise-nafnet-dt",
              "name": "NAFNet denoise",
              "description": "darktable-ai package layout",
              "task": "denoise",
              "arch": "nafnet",
              "backend": "onnx",
              "version": "1.0",
              "tiling": true,
              "model_card": { "license": "MIT" },
              "attributes": {}
            }
            """);
        return root;
    }

    private static async Task<CliRunner.Result> ConvertAsync(TempFolder home, params string[] args)
    {
        var result = await CliRunner.RunAsync(AiTestFiles.IsolatedEnvironment(home.Path), ["convert", .. args]);
        return result;
    }

    [Fact]
    public async Task ADarktableAiPackageWithoutAnIoBlockRunsThroughDenoiseNn()
    {
        using var temp = new TempFolder();
        var dng = Dng(temp, "noisy.dng", CfaPattern.Rggb, noise: SensorNoise.AtIso(3200));
        var models = DarktablePackage(temp);
        var plain = await ConvertAsync(temp, dng, "-o", temp.File("plain.png"), "--bits", "16");
        var denoised = await ConvertAsync(temp, dng, "-o", temp.File("denoised.png"), "--bits", "16", "--denoise", "nn", "--models", models, "--verbose");
        var none = await ConvertAsync(temp, dng, "-o", temp.File("none.png"), "--bits", "16", "--denoise", "nn:0", "--models", models);
        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.True(denoised.ExitCode == 0, denoised.Error);
        Assert.True(none.ExitCode == 0, none.Error);
        Assert.Contains("denoise-nafnet-dt", denoised.Error); // the log names the model that ran
        Assert.NotEqual(File.ReadAllBytes(temp.File("plain.png")), File.ReadAllBytes(temp.File("denoised.png")));
        // Strength 0 adds nothing of the network: the same picture as without denoise.
        Assert.Equal(File.ReadAllBytes(temp.File("plain.png")), File.ReadAllBytes(temp.File("none.png")));
    }

    [Fact]
    public async Task DemosaicNnPicksTheModelOfTheRawsCfaKind()
    {
        using var temp = new TempFolder();
        // Two folders, one model each: --models repeats.
        var bayer = ShippedSubset(temp, AiTestFiles.DemosaicNetBayer);
        var xtrans = ShippedSubset(temp, AiTestFiles.DemosaicNetXTrans);
        foreach (var (cfa, expected) in new[] { (CfaPattern.Gbrg, "demosaic-demosaicnet-bayer"), (CfaPattern.XTrans.Shifted(2, 1), "demosaic-demosaicnet-xtrans") })
        {
            var dng = Dng(temp, $"{cfa.Kind}.dng", cfa, 96, 72);
            var result = await ConvertAsync(temp, dng, "-o", temp.File($"{cfa.Kind}.png"), "--demosaic", "nn", "--models", bayer, "--models", xtrans, "--verbose");
            Assert.True(result.ExitCode == 0, result.Error);
            Assert.Contains($"model '{expected}'", result.Error);
        }
    }

    [Fact]
    public async Task AnXTransRawIntoABayerOnlyFolderFailsNamingModelAndReason()
    {
        using var temp = new TempFolder();
        var bayerOnly = ShippedSubset(temp, AiTestFiles.DemosaicNetBayer);
        var dng = Dng(temp, "xtrans.dng", CfaPattern.XTrans, 96, 72);
        var result = await ConvertAsync(temp, dng, "-o", temp.File("x.png"), "--demosaic", "nn", "--models", bayerOnly);
        output.WriteLine(result.Error);
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("rawengine: ") && l.Contains("demosaic_nn"));
        Assert.Contains("X-Trans", line);
        Assert.Contains("demosaic-demosaicnet-bayer", line);
        Assert.False(File.Exists(temp.File("x.png")));
    }

    [Fact]
    public async Task NoModelForTheTaskAndAContractMismatchFailBeforeAnyWork()
    {
        using var temp = new TempFolder();
        var dng = Dng(temp, "bayer.dng", CfaPattern.Rggb, 96, 72);
        var empty = Directory.CreateDirectory(temp.File("empty")).FullName;
        var none = await ConvertAsync(temp, dng, "-o", temp.File("a.png"), "--denoise", "nn", "--models", empty);
        output.WriteLine(none.Error);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("no denoise model is installed", none.Error);

        // A demosaic manifest over a NAFNet network: the real tensors do not fit the demosaic contract.
        var root = Directory.CreateDirectory(temp.File("misfit")).FullName;
        var package = Directory.CreateDirectory(Path.Combine(root, "demosaic-misfit")).FullName;
        File.Copy(AiTestFiles.TestModel("nafnet-small"), Path.Combine(package, "model.onnx"));
        File.WriteAllText(Path.Combine(package, "config.json"), """
            {"id": "demosaic-misfit", "name": "misfit", "description": "", "task": "demosaic", "arch": "demosaicnet", "backend": "onnx",
             "version": "1.0", "tiling": true, "io": {"cfa": {"type": "bayer", "pattern": ["GR", "BG"]}}}
            """);
        var misfit = await ConvertAsync(temp, dng, "-o", temp.File("b.png"), "--demosaic", "nn", "--models", root);
        output.WriteLine(misfit.Error);
        Assert.Equal(1, misfit.ExitCode);
        Assert.Contains("demosaic-misfit", misfit.Error);
        Assert.Contains("'mosaic'", misfit.Error);
        Assert.False(File.Exists(temp.File("b.png")));
    }

    [Fact]
    public async Task BadDenoiseAndProviderOptionsAreUsageErrors()
    {
        using var temp = new TempFolder();
        var dng = Dng(temp, "bayer.dng", CfaPattern.Rggb, 64, 48);
        Assert.Equal(2, (await ConvertAsync(temp, dng, "-o", temp.File("a.png"), "--denoise", "nn:1.5")).ExitCode);
        Assert.Equal(2, (await ConvertAsync(temp, dng, "-o", temp.File("a.png"), "--denoise", "strong")).ExitCode);
        Assert.Equal(2, (await ConvertAsync(temp, dng, "-o", temp.File("a.png"), "--provider", "tpu")).ExitCode);
    }
}
