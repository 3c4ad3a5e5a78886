using System.Text.Json;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Raw;

/// <summary>
/// What a file does not say stays unsaid (no LibRaw sentinels), and what a foreign file says is read and shown:
/// BaselineExposure absent, raw colour for cameras without a matrix, per-cell black, the matrix's source.
/// </summary>
public class AbsentAndForeignFieldsTests
{
    private static JsonElement InfoJson(CliRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, result.Error);
        return JsonDocument.Parse(result.Out).RootElement.Clone();
    }

    [Fact]
    public async Task ADngWithoutBaselineExposureHasNoneAndDevelopsBright()
    {
        using var temp = new TempFolder();
        var path = temp.File("no-baseline.dng");
        DngWriter.Write(SyntheticRaw.Chart(96, 64) with { BaselineExposure = null }, path);

        Assert.Null(RawDecoder.Decode(path).BaselineExposure);
        var info = InfoJson(await CliRunner.RunAsync("info", path, "--json"));
        Assert.Equal(JsonValueKind.Null, info.GetProperty("baseline_exposure").ValueKind);

        var output = temp.File("out.png");
        var convert = await CliRunner.RunAsync("convert", path, "-o", output);
        Assert.True(convert.ExitCode == 0, convert.Error);
        var mean = ImageFile.LoadSrgb8(output).Rgb.Average(b => (double)b);
        Assert.InRange(mean, 60, 200);
    }

    [Fact]
    public async Task ABaselineExposureTheFileStatesIsShownAndKept()
    {
        using var temp = new TempFolder();
        var path = temp.File("plus-one.dng");
        DngWriter.Write(SyntheticRaw.Chart(96, 64) with { BaselineExposure = 1 }, path);
        Assert.Equal(1f, RawDecoder.Decode(path).BaselineExposure);
        Assert.Equal(1f, InfoJson(await CliRunner.RunAsync("info", path, "--json")).GetProperty("baseline_exposure").GetSingle());
    }

    [SharedFact("the Kodak DC50 in raw-real")]
    public async Task ACameraWithoutAMatrixDevelopsInRawColourWithAWarning()
    {
        var file = SharedData.Shared("testdata", "raw-real", "RAW_KODAK_DC50.KDC");
        var image = RawDecoder.Decode(file);
        Assert.Null(image.XyzToCamera);
        Assert.Contains(image.Warnings, w => w.Contains("no colour matrix"));
        Assert.Null(image.BaselineExposure);

        var info = InfoJson(await CliRunner.RunAsync("info", file, "--json"));
        Assert.Equal(JsonValueKind.Null, info.GetProperty("xyz_to_camera").ValueKind);
        Assert.Equal("none: raw colour", info.GetProperty("matrix_source").GetString());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("baseline_exposure").ValueKind);

        using var temp = new TempFolder();
        var convert = await CliRunner.RunAsync("convert", file, "-o", temp.File("dc50.png"));
        Assert.True(convert.ExitCode == 0, convert.Error);
        Assert.Contains("rawengine: warning: ", convert.Error);
        Assert.Contains("no colour matrix", convert.Error);
        Assert.InRange(ImageFile.LoadSrgb8(temp.File("dc50.png")).Rgb.Average(b => (double)b), 30, 220);
    }

    [SharedFact("the raw-foreign black-pattern DNG")]
    public async Task PerCellBlackIsShown()
    {
        var info = InfoJson(await CliRunner.RunAsync("info", SharedData.Shared("testdata", "raw-foreign", "black-pattern__kodim05_crop.dng"), "--json"));
        var cells = info.GetProperty("black").GetProperty("cells").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        Assert.Equal([480f, 520f, 560f, 600f], cells.SelectMany(row => row).Order().ToArray());
    }

    [SharedFact("the Adobe-converted Canon 6D DNG")]
    public async Task TheCanonDngNamesItsWholeCalibration()
    {
        var info = InfoJson(await CliRunner.RunAsync("info", SharedData.CanonLinearDng, "--json"));
        var source = info.GetProperty("matrix_source").GetString()!;
        foreach (var part in new[] { "ColorMatrix1", "ColorMatrix2", "CameraCalibration", "AnalogBalance", "ForwardMatrix" })
            Assert.Contains(part, source);
        Assert.Equal(2.1587, info.GetProperty("analog_balance")[0].GetSingle(), 3);
        Assert.Equal(0.25, info.GetProperty("baseline_exposure").GetSingle(), 3);
        Assert.Equal("DNG AsShotNeutral", info.GetProperty("wb_source").GetString());
    }

    [SharedFact("the raw-foreign white-xy DNG")]
    public void AWhiteGivenAsXyBecomesTheCamerasNeutral()
    {
        var image = RawDecoder.Decode(SharedData.Shared("testdata", "raw-foreign", "white-xy__kodim05_crop.dng"));
        var reference = RawDecoder.Decode(SharedData.Shared("testdata", "raw-foreign", "camera-matrix__kodim05_crop.dng"));
        Assert.StartsWith("DNG AsShotWhiteXY", image.WhiteBalanceSource);
        for (var c = 0; c < 3; c++) Assert.Equal(reference.AsShotMultipliers[c], image.AsShotMultipliers[c], 0.01);
    }
}
