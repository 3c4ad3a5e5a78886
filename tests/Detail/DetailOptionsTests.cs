using RawEngine;
using RawEngine.Cli.Convert;
using RawEngine.Engine.Edits;
using RawEngine.Iop;
using RawEngine.Iop.Denoise;
using RawEngine.Iop.DenoiseNn;
using RawEngine.Iop.Sharpen;

namespace RawEngine.Tests.Detail;

/// <summary>`--denoise` and `--sharpen` as `convert` parses them and puts them into the edit.</summary>
public class DetailOptionsTests
{
    private static readonly RawEngine.Engine.Pipeline.ModuleRegistry Modules = StandardModules.CreateRegistry();

    private static ConvertSettings Settings(string? denoise = null, string? sharpen = null) => new()
    {
        Inputs = ["in.dng"],
        Output = "out.jpg",
        Denoise = denoise is null ? null : ConvertSettings.ParseDenoise(denoise),
        Sharpen = sharpen is null ? SharpenChoice.Auto : SharpenChoice.Parse(sharpen),
    };

    [Theory]
    [InlineData("nn", "nn", 1.0)]
    [InlineData("nn:0.5", "nn", 0.5)]
    [InlineData("classic", "classic", 1.0)]
    [InlineData("CLASSIC:2.5", "classic", 2.5)]
    public void DenoiseParsesMethodAndStrength(string text, string method, double strength) =>
        Assert.Equal(new DenoiseChoice(method, strength), ConvertSettings.ParseDenoise(text));

    [Theory]
    [InlineData("nn:1.5")]
    [InlineData("classic:5")]
    [InlineData("classic:x")]
    [InlineData("wavelet")]
    public void DenoiseRejectsWhatItCannotDo(string text) => Assert.Throws<UsageException>(() => ConvertSettings.ParseDenoise(text));

    [Theory]
    [InlineData("-1")]
    [InlineData("5")]
    [InlineData("strong")]
    public void SharpenRejectsWhatItCannotDo(string text) => Assert.Throws<UsageException>(() => SharpenChoice.Parse(text));

    [Fact]
    public void EachDenoiseEnablesItsOwnModule()
    {
        var classic = EditOverrides.Apply(Edit.Empty, Settings("classic:2"), Modules);
        Assert.Equal(new DenoiseParams { Strength = 2 }, classic.Modules[classic.IndexOf("denoise")].Params);
        Assert.True(classic.IndexOf("denoise_nn") < 0);
        var neural = EditOverrides.Apply(Edit.Empty, Settings("nn:0.3"), Modules);
        Assert.Equal(0.3, ((DenoiseNnParams)neural.Modules[neural.IndexOf("denoise_nn")].Params).Strength);
        Assert.True(neural.IndexOf("denoise") < 0);
    }

    [Fact]
    public void SharpenAutoSharpensOnlyDownscaledOutputAndOffTurnsOffWhatTheSidecarAsked()
    {
        var auto = Settings();
        var export = new ExportSettings { SharpenWhenDownscaled = !auto.Sharpen.Off };
        Assert.Equal(Edit.Empty, export.EditFor(EditOverrides.Apply(Edit.Empty, auto, Modules), 1.0));
        var downscaled = export.EditFor(Edit.Empty, 0.25);
        Assert.True(downscaled.Modules[downscaled.IndexOf("sharpen_output")].Enabled);

        var amount = EditOverrides.Apply(Edit.Empty, Settings(sharpen: "1.5"), Modules);
        Assert.Equal(1.5, ((SharpenParams)amount.Modules[amount.IndexOf("sharpen")].Params).Amount);

        var sidecar = Edit.Empty.With("sharpen", new SharpenParams()).With("sharpen_output", new OutputSharpenParams());
        var off = Settings(sharpen: "off");
        var edit = new ExportSettings { SharpenWhenDownscaled = !off.Sharpen.Off }.EditFor(EditOverrides.Apply(sidecar, off, Modules), 0.25);
        Assert.All(edit.Modules, m => Assert.False(m.Enabled));
    }

    /// <summary>Sharpen params version 2 (the fine-detail veto on a measured blur) reads version 1 edits with their numbers.</summary>
    [Fact]
    public void SharpenParamsOfVersionOneCarryOver()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse("""{ "amount": 1.5, "radius": 0.8, "halo": 0.05 }""");
        Assert.Equal(2, Modules.Get("sharpen").Info.ParamsVersion);
        Assert.Equal(new SharpenParams { Amount = 1.5, Radius = 0.8, Halo = 0.05 }, Modules.ReadParams("sharpen", json, 1, "modules[0]"));
        Assert.Equal(new SharpenParams { Amount = 1.5, Radius = 0.8, Halo = 0.05 }, Modules.ReadParams("sharpen", json, null, "modules[0]"));
    }
}
