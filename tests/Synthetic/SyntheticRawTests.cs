using RawEngine.Engine.Color;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Synthetic;

public class SyntheticRawTests
{
    [Fact]
    public void IdentityCameraMapsTheSceneStraightToRawValues()
    {
        var scene = TestChart.Create(64, 48);
        var raw = SyntheticRaw.Create(scene);

        Assert.Equal(CfaPattern.Rggb, raw.Cfa);
        Assert.Equal([1f, 1f, 1f], raw.AsShotMultipliers);
        Assert.Equal(512f, raw.Black.Mean);
        Assert.Equal(16383f, raw.White);
        var matrix = Assert.Single(raw.DngColorMatrices);
        Assert.Equal(Illuminant.D65, matrix.Illuminant);
        Assert.Equal(SyntheticCameras.XyzToLinearSrgb, matrix.XyzToCamera);
        for (var y = 0; y < scene.Height; y++)
            for (var x = 0; x < scene.Width; x++)
            {
                var channel = CfaPattern.Rggb.ColorAt(y, x);
                var expected = 512 + scene.Rgb[(y * scene.Width + x) * 3 + channel] * (16383 - 512);
                Assert.InRange(raw.VisibleSample(y, x), expected - 0.51, expected + 0.51);
            }
    }

    [Theory]
    [InlineData("GBRG")]
    [InlineData("XTrans")]
    [InlineData("Linear")]
    public void SamplesFollowTheCfaAndTheMultipliersRecoverWhite(string layout)
    {
        var white = new LinearScene(24, 18, Enumerable.Repeat(0.5f, 24 * 18 * 3).ToArray());
        var raw = SyntheticRaw.Create(white, new SyntheticRawOptions { Cfa = Dng.DngRoundTripTests.Cfa(layout), XyzToCamera = SyntheticCameras.TypicalDslr });

        var range = raw.White - 512;
        for (var y = 0; y < 18; y++)
            for (var x = 0; x < 24; x++)
                for (var s = 0; s < raw.SamplesPerPixel; s++)
                {
                    var channel = raw.Cfa?.ColorAt(y, x) ?? s;
                    var balanced = (raw.VisibleSample(y, x, s) - 512) / range * raw.AsShotMultipliers[channel];
                    Assert.InRange(balanced, 0.5 - 1e-3, 0.5 + 1e-3);
                }
        Assert.InRange(raw.AsShotMultipliers[0], 2.0f, 2.5f);
        Assert.InRange(raw.AsShotMultipliers[2], 1.3f, 1.6f);
    }

    [Fact]
    public void NoiseIsSeededAndHasTheRequestedVariance()
    {
        const float level = 0.25f;
        var noise = new SensorNoise(Shot: 4e-4, Read: 1e-5);
        var flat = new LinearScene(128, 96, Enumerable.Repeat(level, 128 * 96 * 3).ToArray());
        var options = new SyntheticRawOptions { Noise = noise, Seed = 42, BitDepth = 16, BlackLevel = 2048 };

        var first = SyntheticRaw.Create(flat, options);
        var again = SyntheticRaw.Create(flat, options);
        var other = SyntheticRaw.Create(flat, options with { Seed = 43 });

        Assert.True(first.Data.AsSpan().SequenceEqual(again.Data));
        Assert.False(first.Data.AsSpan().SequenceEqual(other.Data));
        var values = first.Data.Select(v => (v - 2048.0) / (65535 - 2048)).ToArray();
        var mean = values.Average();
        var variance = values.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, level - 1e-3, level + 1e-3);
        var expected = noise.Shot * level + noise.Read;
        Assert.InRange(variance, expected * 0.93, expected * 1.07);
    }

    [Fact]
    public void IsoNoiseGrowsWithGain()
    {
        var low = SensorNoise.AtIso(100);
        var high = SensorNoise.AtIso(6400);
        Assert.Equal(64, high.Shot / low.Shot, 6);
        Assert.True(high.Read > low.Read);
        Assert.Throws<ArgumentOutOfRangeException>(() => SensorNoise.AtIso(0));
    }

    [Fact]
    public void MarginsSurroundTheVisibleAreaAtBlack()
    {
        var raw = SyntheticRaw.Chart(32, 24, new SyntheticRawOptions { Margin = 4, Cfa = CfaPattern.XTrans });

        Assert.Equal(new PixelRect(4, 4, 32, 24), raw.Visible);
        Assert.Equal((40, 32), (raw.SensorWidth, raw.SensorHeight));
        for (var x = 0; x < raw.SensorWidth; x++)
            Assert.Equal(512, raw.Data[x]);
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticRaw.Chart(32, 24, new SyntheticRawOptions { Margin = 3 }));
    }

    [Fact]
    public void BadOptionsAreRejectedByName()
    {
        var chart = TestChart.Create(16, 16);
        Assert.Contains("BitDepth", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticRaw.Create(chart, new SyntheticRawOptions { BitDepth = 20 })).Message);
        Assert.Contains("BlackLevel", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticRaw.Create(chart, new SyntheticRawOptions { BlackLevel = 16383 })).Message);
        Assert.Contains("ChannelBlack", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticRaw.Create(chart, new SyntheticRawOptions { ChannelBlack = [1, 2] })).Message);
        var blind = new Matrix3(1, 0, 0, 0, 1, 0, 0, 0, -1);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => SyntheticRaw.Create(chart, new SyntheticRawOptions { XyzToCamera = blind })).Message);
    }

    [Fact]
    public void KodakGroundTruthLoadsThroughLibvips()
    {
        var path = SharedData.Kodak(1);
        var image = ImageFile.LoadSrgb8(path);
        var raw = SyntheticRaw.FromSrgbFile(path, new SyntheticRawOptions { Cfa = CfaPattern.Grbg });

        Assert.Equal((768, 512), (image.Width, image.Height));
        Assert.Equal(path, raw.Source);
        Assert.Equal(new PixelRect(0, 0, 768, 512), raw.Visible);
        Assert.True(image.Rgb.Distinct().Count() > 200, "a photo has many levels");
        // The green sample at (0, 0) of GRBG comes from the image's green through the sRGB curve.
        var expected = 512 + TransferFunction.Srgb.Decode(image.Rgb[1] / 255.0) * (16383 - 512);
        Assert.InRange(raw.VisibleSample(0, 0), expected - 0.51, expected + 0.51);
    }

    [Fact]
    public void ImageFileErrorsNameTheFile()
    {
        using var temp = new TempFolder();
        var text = temp.File("notes.png");
        File.WriteAllText(text, "not an image");

        Assert.Contains("missing.png", Assert.Throws<FileNotFoundException>(() => ImageFile.LoadSrgb8(temp.File("missing.png"))).Message);
        Assert.StartsWith(text + ":", Assert.Throws<InvalidDataException>(() => ImageFile.LoadSrgb8(text)).Message);
    }

    [Fact]
    public void TestChartHasPatchesRampsAndDetail()
    {
        var chart = TestChart.Create(240, 160);
        Assert.Equal(chart.Rgb, TestChart.Create(240, 160).Rgb);
        Assert.All(chart.Rgb, v => Assert.InRange(v, 0f, 1f));

        float At(int x, int y, int c) => chart.Rgb[(y * 240 + x) * 3 + c];
        // Saturated red patch top-left, its neighbour yellow.
        Assert.True(At(10, 10, 0) > 0.5f && At(10, 10, 1) < 0.05f && At(10, 10, 2) < 0.05f);
        Assert.True(At(50, 10, 0) > 0.5f && At(50, 10, 1) > 0.5f && At(50, 10, 2) < 0.05f);
        // Grey ramp rises left to right and stays neutral.
        Assert.True(At(10, 66, 0) < At(120, 66, 0) && At(120, 66, 0) < At(230, 66, 0));
        Assert.Equal(At(120, 66, 0), At(120, 66, 2));
        // One-pixel lines alternate at the start of the line-pair area.
        Assert.NotEqual(At(120, 110, 0), At(121, 110, 0));
        Assert.Equal(At(120, 110, 0), At(122, 110, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TestChart.Create(8, 8));
    }
}
