using System.Text.Json;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Iop;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Cli;

/// <summary><c>info</c> names the lensfun profile a raw is corrected with; <c>convert --lens off</c> leaves the lens alone.</summary>
public class LensCommandTests
{
    private static string WriteDng(TempFolder temp, string name, CaptureInfo capture)
    {
        var path = temp.File(name);
        DngWriter.Write(SyntheticRaw.Chart(96, 64, new SyntheticRawOptions { Capture = capture }), path);
        return path;
    }

    [LensfunTheory]
    [InlineData("kit", "Canon EF-S 18-55mm f/3.5-5.6 IS")]
    [InlineData("compact", "Canon PowerShot G12 & compatibles (Standard)")]
    [InlineData("unknown", null)]
    public async Task InfoJsonNamesTheLensProfile(string which, string? profile)
    {
        using var temp = new TempFolder();
        var capture = which switch { "kit" => LensTests.KitLens, "compact" => LensTests.Compact, _ => new SyntheticRawOptions().Capture };
        var result = await CliRunner.RunAsync("info", WriteDng(temp, "a.dng", capture), "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var value = json.RootElement.GetProperty("lens_profile");
        Assert.Equal(profile, value.ValueKind == JsonValueKind.Null ? null : value.GetString());
    }

    [LensfunFact]
    public async Task LensOffIsTheUncorrectedPictureAndAutoCorrects()
    {
        using var temp = new TempFolder();
        var kit = WriteDng(temp, "kit.dng", LensTests.KitLens);
        var plain = WriteDng(temp, "plain.dng", new SyntheticRawOptions().Capture);
        async Task<byte[]> Convert(string dng, string name, params string[] options)
        {
            var result = await CliRunner.RunAsync(["convert", dng, "-o", temp.File(name), "--format", "png", .. options]);
            Assert.True(result.ExitCode == 0, result.Error);
            return File.ReadAllBytes(temp.File(name));
        }
        Assert.NotEqual(await Convert(kit, "kit-auto.png"), await Convert(kit, "kit-off.png", "--lens", "off"));
        Assert.Equal(await Convert(plain, "plain-auto.png"), await Convert(plain, "plain-off.png", "--lens", "off"));
        var bad = await CliRunner.RunAsync("convert", kit, "-o", temp.File("x.png"), "--lens", "sometimes");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--lens", bad.Error);
    }
}
