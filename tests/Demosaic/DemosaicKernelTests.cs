using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.Demosaic;

namespace RawEngine.Tests.Demosaic;

public class DemosaicKernelTests
{
    public static TheoryData<DemosaicMethod, string> MethodsAndPatterns => new()
    {
        { DemosaicMethod.Bilinear, "RGGB" }, { DemosaicMethod.Bilinear, "xtrans" },
        { DemosaicMethod.Lmmse, "RGGB" }, { DemosaicMethod.Lmmse, "GBRG" },
        { DemosaicMethod.XTransColorDifference, "xtrans" },
        { DemosaicMethod.HalfSize, "BGGR" }, { DemosaicMethod.HalfSize, "xtrans" },
    };

    private static CfaPattern Pattern(string name) => name == "xtrans" ? CfaPattern.XTrans : CfaPattern.Bayer(name);

    [Theory]
    [MemberData(nameof(MethodsAndPatterns))]
    public void FlatGreyStaysExactlyFlatAndAlphaIsUntouched(DemosaicMethod method, string patternName)
    {
        foreach (var grey in new[] { 0.18f, 1.7f })
        {
            const int width = 61, height = 43;
            var mosaic = Enumerable.Repeat(grey, width * height).ToArray();
            var rgba = DemosaicRoundTrip.Demosaic(method, mosaic, width, height, Pattern(patternName), alpha: 0.25f);
            var first = rgba[0];
            Assert.True(Math.Abs(first - grey) <= 1e-5f * grey, $"{method}: grey {grey} came out {first}");
            for (var i = 0; i < rgba.Length; i++)
                Assert.Equal(i % 4 == 3 ? 0.25f : first, rgba[i]);
        }
    }

    [Theory]
    [MemberData(nameof(MethodsAndPatterns))]
    public void FlatColourComesBackInTheRightChannels(DemosaicMethod method, string patternName)
    {
        const int width = 48, height = 36;
        float[] colour = [0.2f, 0.5f, 0.8f];
        var scene = new LinearScene(width, height, Enumerable.Range(0, width * height * 3).Select(i => colour[i % 3]).ToArray());
        var pattern = Pattern(patternName);
        var rgba = DemosaicRoundTrip.Demosaic(method, CfaMosaic.Sample(scene, pattern), width, height, pattern);
        for (var i = 0; i < rgba.Length; i++)
            if (i % 4 < 3) Assert.True(Math.Abs(rgba[i] - colour[i % 4]) < 1e-5f, $"{method} {pattern}: value {i % 4} of pixel {i / 4} is {rgba[i]}, not {colour[i % 4]}");
    }

    [Theory]
    [InlineData(DemosaicMethod.Bilinear, "GRBG")]
    [InlineData(DemosaicMethod.Bilinear, "xtrans")]
    [InlineData(DemosaicMethod.Lmmse, "RGGB")]
    [InlineData(DemosaicMethod.XTransColorDifference, "xtrans")]
    public void ARegionWithItsHaloMatchesTheWholeImage(DemosaicMethod method, string patternName)
    {
        // A crop demosaicked alone (its pattern restated at its origin) must agree with the full image
        // everywhere but the declared halo: this is what lets the pipe tile the module.
        var (_, scene) = DemosaicRoundTrip.Kodak(19);
        var pattern = Pattern(patternName);
        var full = DemosaicRoundTrip.Demosaic(method, CfaMosaic.Sample(scene, pattern), scene.Width, scene.Height, pattern);
        const int top = 301, left = 157, width = 190, height = 131;
        var mosaic = CfaMosaic.Sample(scene, pattern);
        var crop = new float[width * height];
        for (var y = 0; y < height; y++) Array.Copy(mosaic, (top + y) * scene.Width + left, crop, y * width, width);
        var part = DemosaicRoundTrip.Demosaic(method, crop, width, height, pattern.Shifted(top, left));
        var halo = DemosaicKernels.HaloPixels(method);
        var worst = 0f;
        for (var y = halo; y < height - halo; y++)
            for (var x = halo; x < width - halo; x++)
                for (var c = 0; c < 3; c++)
                    worst = Math.Max(worst, Math.Abs(part[(y * width + x) * 4 + c] - full[((top + y) * scene.Width + left + x) * 4 + c]));
        Assert.True(worst <= 1e-6f, $"{method}: a crop differs from the full image by {worst} inside its {halo} px halo");
    }

    [Theory]
    [InlineData(DemosaicMethod.Bilinear, "RGGB", 2, 2)]
    [InlineData(DemosaicMethod.Lmmse, "RGGB", 2, 2)]
    [InlineData(DemosaicMethod.Lmmse, "GRBG", 5, 3)]
    [InlineData(DemosaicMethod.Lmmse, "BGGR", 300, 7)]
    [InlineData(DemosaicMethod.XTransColorDifference, "xtrans", 6, 6)]
    [InlineData(DemosaicMethod.XTransColorDifference, "xtrans", 13, 200)]
    [InlineData(DemosaicMethod.HalfSize, "xtrans", 7, 6)]
    public void TinyAndOddSizesGiveFiniteOutput(DemosaicMethod method, string patternName, int width, int height)
    {
        var random = new Random(width * 1000 + height);
        var mosaic = Enumerable.Range(0, width * height).Select(_ => random.NextSingle()).ToArray();
        var rgba = DemosaicRoundTrip.Demosaic(method, mosaic, width, height, Pattern(patternName));
        Assert.All(rgba, value => Assert.True(float.IsFinite(value) && value > -0.5f && value < 2f, $"{method}: {value}"));
    }

    [Theory]
    [InlineData(DemosaicMethod.Bilinear, "GBRG", 0, 0)]
    [InlineData(DemosaicMethod.Lmmse, "RGGB", 301, 157)]
    [InlineData(DemosaicMethod.Lmmse, "GRBG", 0, 5)]
    [InlineData(DemosaicMethod.XTransColorDifference, "xtrans", 301, 157)]
    [InlineData(DemosaicMethod.HalfSize, "xtrans", 31, 7)]
    public void ARegionOfTheResultEqualsTheSameRegionOfTheWholeRun(DemosaicMethod method, string patternName, int top, int left)
    {
        var (_, scene) = DemosaicRoundTrip.Kodak(23);
        var pattern = Pattern(patternName);
        var mosaic = CfaMosaic.Sample(scene, pattern);
        var full = DemosaicRoundTrip.Demosaic(method, mosaic, scene.Width, scene.Height, pattern);
        var (fullWidth, _) = DemosaicKernels.OutputSize(method, pattern, scene.Width, scene.Height);
        const int width = 203, height = 97;
        var region = new float[width * height * 4];
        DemosaicKernels.Run(method, new CfaPlane(mosaic, scene.Width, scene.Height, scene.Width, pattern),
            new RgbaPlane(region, width, height, width * 4), left, top);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < 3; c++)
                    Assert.Equal(full[((top + y) * fullWidth + left + x) * 4 + c], region[(y * width + x) * 4 + c]);
        Assert.Throws<ArgumentException>(() => DemosaicKernels.Run(method, new CfaPlane(mosaic, scene.Width, scene.Height, scene.Width, pattern),
            new RgbaPlane(region, width, height, width * 4), fullWidth - width + 1, top));
    }

    [Fact]
    public void HalfSizeAveragesEachBlock()
    {
        const int width = 9, height = 7;
        var mosaic = Enumerable.Range(0, width * height).Select(i => (float)i).ToArray();
        var rgba = DemosaicRoundTrip.Demosaic(DemosaicMethod.HalfSize, mosaic, width, height, CfaPattern.Grbg);
        Assert.Equal(4 * 4 * 3, rgba.Length);
        // Block (row 1, col 2) covers rows 2-3, columns 4-5 of a GRBG mosaic: G R / B G.
        var pixel = (1 * 4 + 2) * 4;
        Assert.Equal(2 * 9 + 5, rgba[pixel]);
        Assert.Equal((2 * 9 + 4 + 3 * 9 + 5) / 2f, rgba[pixel + 1]);
        Assert.Equal(3 * 9 + 4, rgba[pixel + 2]);
        Assert.Equal((2, 1), DemosaicKernels.OutputSize(DemosaicMethod.HalfSize, CfaPattern.XTrans, 8, 5));
    }

    [Fact]
    public void CancellationStopsTheRun()
    {
        var (_, scene) = DemosaicRoundTrip.Kodak(1);
        var mosaic = CfaMosaic.Sample(scene, CfaPattern.Rggb);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => DemosaicKernels.Run(DemosaicMethod.Lmmse,
            new CfaPlane(mosaic, scene.Width, scene.Height, scene.Width, CfaPattern.Rggb),
            new RgbaPlane(new float[scene.Width * scene.Height * 4], scene.Width, scene.Height, scene.Width * 4), cancelled.Token));
    }

    [Fact]
    public void MismatchedInputsAreRejectedByName()
    {
        var mosaic = new float[36 * 36];
        var output = new RgbaPlane(new float[36 * 36 * 4], 36, 36, 36 * 4);
        var wrongMethod = Assert.Throws<ArgumentException>(() =>
            DemosaicKernels.Run(DemosaicMethod.Lmmse, new CfaPlane(mosaic, 36, 36, 36, CfaPattern.XTrans), output));
        Assert.Contains("Lmmse", wrongMethod.Message);
        var wrongSize = Assert.Throws<ArgumentException>(() =>
            DemosaicKernels.Run(DemosaicMethod.HalfSize, new CfaPlane(mosaic, 36, 36, 36, CfaPattern.Rggb), output));
        Assert.Contains("output", wrongSize.Message);
        var shortData = Assert.Throws<ArgumentException>(() =>
            DemosaicKernels.Run(DemosaicMethod.Bilinear, new CfaPlane(mosaic, 36, 37, 36, CfaPattern.Rggb), output));
        Assert.Contains("input", shortData.Message);
    }
}
