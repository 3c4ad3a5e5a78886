using RawEngine.AI.Registry;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Quality;

/// <summary>
/// The issue's identity round trip through the whole product: Kodak sRGB -> a DNG whose camera space is
/// linear sRGB -> LibRaw -> pipe -> `rawengine convert --tone none --profile srgb` -> PNG -> CPSNR
/// against the source (10 px border excluded), over all 24 images.
/// </summary>
public class IdentityRoundTripTests(ITestOutputHelper output)
{
    private static readonly int[] Images = [.. Enumerable.Range(1, 24)];

    private async Task<double> MeanAsync(CfaPattern cfa, string demosaic)
    {
        var scores = new List<double>();
        foreach (var kodak in Images) scores.Add(await RoundTripAsync(kodak, cfa, demosaic));
        output.WriteLine($"{cfa.Kind} {demosaic}: mean {scores.Average():0.00} dB; per image {string.Join(" ", scores.Select(s => s.ToString("0.0")))}");
        return scores.Average();
    }

    internal static async Task<double> RoundTripAsync(int kodak, CfaPattern cfa, string demosaic, params string[] extra)
    {
        using var temp = new TempFolder();
        var dng = IdentityRoundTrip.WriteDng(temp, SyntheticRaw.FromSrgbFile(SharedData.Kodak(kodak), new SyntheticRawOptions { Cfa = cfa }), $"kodim{kodak:00}");
        return await IdentityRoundTrip.ScoreAsync(dng, ImageFile.LoadSrgb8(SharedData.Kodak(kodak)), ModelEnvironment.Process, ["--demosaic", demosaic, .. extra]);
    }

    [SharedFact("all 24 Kodak images")]
    public async Task BayerDefaultReaches38DecibelsAndBilinear29()
    {
        var best = await MeanAsync(CfaPattern.Rggb, "auto");
        var bilinear = await MeanAsync(CfaPattern.Rggb, "bilinear");
        Assert.True(best >= 38, $"default Bayer method: mean CPSNR {best:0.00} dB");
        Assert.True(bilinear >= 29, $"bilinear: mean CPSNR {bilinear:0.00} dB");
    }

    [SharedFact("all 24 Kodak images")]
    public async Task XTransBeatsBilinearOnTheSameRoundTrip()
    {
        var best = await MeanAsync(CfaPattern.XTrans, "auto");
        var bilinear = await MeanAsync(CfaPattern.XTrans, "bilinear");
        Assert.True(best > bilinear + 1, $"X-Trans default {best:0.00} dB vs bilinear {bilinear:0.00} dB");
    }

    [Fact]
    public async Task TiledAndUntiledConvertsWriteTheSameFile()
    {
        using var temp = new TempFolder();
        var dng = temp.File("chart.dng");
        DngWriter.Write(SyntheticRaw.Chart(600, 400, new SyntheticRawOptions { Noise = SensorNoise.AtIso(800) }), dng);
        var untiled = await CliRunner.RunAsync("convert", dng, "-o", temp.File("untiled.png"), "--bits", "16");
        var tiled = await CliRunner.RunAsync("convert", dng, "-o", temp.File("tiled.png"), "--bits", "16", "--memory-budget", "1");
        Assert.True(untiled.ExitCode == 0, untiled.Error);
        Assert.True(tiled.ExitCode == 0, tiled.Error);
        Assert.Equal(File.ReadAllBytes(temp.File("untiled.png")), File.ReadAllBytes(temp.File("tiled.png")));
    }

    [Fact]
    public async Task ARegionRenderEqualsTheSameCropOfTheWholeImage()
    {
        using var temp = new TempFolder();
        var dng = temp.File("chart.dng");
        DngWriter.Write(SyntheticRaw.Chart(600, 400, new SyntheticRawOptions { Orientation = 6 }), dng);
        Assert.Equal(0, (await CliRunner.RunAsync("convert", dng, "-o", temp.File("full.png"))).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("convert", dng, "-o", temp.File("roi.png"), "--roi", "37,101,150,220")).ExitCode);
        var full = ImageFile.LoadSrgb8(temp.File("full.png"));
        var roi = ImageFile.LoadSrgb8(temp.File("roi.png"));
        Assert.Equal((400, 600), (full.Width, full.Height)); // orientation 6 stands the image up
        Assert.Equal((150, 220), (roi.Width, roi.Height));
        for (var y = 0; y < roi.Height; y++)
            Assert.True(roi.Rgb.AsSpan(y * 150 * 3, 150 * 3).SequenceEqual(full.Rgb.AsSpan(((101 + y) * 400 + 37) * 3, 150 * 3)), $"row {y} differs");
    }
}
