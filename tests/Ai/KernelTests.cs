using RawEngine.AI.Kernels;
using RawEngine.Engine.Raw;

namespace RawEngine.Tests.Ai;

public class KernelTests
{
    private static readonly float[] ImageNetMean = [123.675f, 116.28f, 103.53f];
    private static readonly float[] ImageNetStd = [58.395f, 57.12f, 57.375f];

    private static float[] Random(int n, int seed, float lo = -0.2f, float hi = 1.5f)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * rng.NextSingle()).ToArray();
    }

    private static float Transfer1(float v, Transfer t)
    {
        Span<float> one = [v];
        CpuKernels.ApplyTransfer(one, t, stackalloc float[1]);
        return one[0];
    }

    [Fact]
    public void SrgbCurveHitsKnownValuesMirrorsNegativesAndRoundTrips()
    {
        Assert.Equal(0.7353569f, Transfer1(0.5f, Transfer.SrgbEncode), 1e-5f);
        Assert.Equal(1f, Transfer1(1f, Transfer.SrgbEncode), 1e-5f);
        Assert.Equal(0.04045f, Transfer1(0.0031308f, Transfer.SrgbEncode), 1e-5f);
        Assert.Equal(0.2140411f, Transfer1(0.5f, Transfer.SrgbDecode), 1e-5f);
        Assert.Equal(-Transfer1(0.25f, Transfer.SrgbEncode), Transfer1(-0.25f, Transfer.SrgbEncode));
        Assert.True(Transfer1(2f, Transfer.SrgbEncode) > 1f, "values above white are kept");
        var values = Random(1000, 1, -1f, 2f);
        var copy = values.ToArray();
        CpuKernels.ApplyTransfer(copy, Transfer.SrgbEncode, new float[copy.Length]);
        CpuKernels.ApplyTransfer(copy, Transfer.SrgbDecode, new float[copy.Length]);
        for (var i = 0; i < values.Length; i++) Assert.Equal(values[i], copy[i], 1e-4f);
    }

    [Fact]
    public void PackingToPlanarWithNormalisationAndBackRestoresTheImage()
    {
        const int w = 37, h = 23, stride = 4 * w + 8;
        var rgba = Random(stride * h, 2, 0f, 1f);
        var planar = new float[3 * w * h];
        var affine = ChannelAffine.Normalise(ImageNetMean, ImageNetStd, inputScale: 255f);
        CpuKernels.RgbaToPlanar(rgba, w, h, stride, planar, Transfer.SrgbEncode, affine);

        // Pixel (5, 7), green: sRGB-encode, scale to 0..255, subtract mean, divide by std.
        var g = rgba[7 * stride + 4 * 5 + 1];
        Assert.Equal((Transfer1(g, Transfer.SrgbEncode) * 255f - ImageNetMean[1]) / ImageNetStd[1], planar[w * h + 7 * w + 5], 1e-3f);

        var back = new float[rgba.Length];
        Array.Fill(back, -7f);
        CpuKernels.PlanarToRgba(planar, w, h, affine, Transfer.SrgbDecode, ChannelAffine.Identity, back, stride);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                for (var c = 0; c < 3; c++) Assert.Equal(rgba[y * stride + 4 * x + c], back[y * stride + 4 * x + c], 1e-4f);
                Assert.Equal(1f, back[y * stride + 4 * x + 3]);
            }
            for (var i = 4 * w; i < stride && y < h - 1; i++) Assert.Equal(-7f, back[y * stride + i]); // the gap between rows untouched
        }

        // Gains after the curve: white balance put back.
        CpuKernels.PlanarToRgba(planar, w, h, affine, Transfer.SrgbDecode, ChannelAffine.Gains(2f, 1f, 0.5f), back, stride);
        Assert.Equal(2f * rgba[7 * stride + 4 * 5], back[7 * stride + 4 * 5], 1e-4f);
        Assert.Equal(0.5f * rgba[7 * stride + 4 * 5 + 2], back[7 * stride + 4 * 5 + 2], 1e-4f);
    }

    [Theory]
    [InlineData("GRBG")]
    [InlineData("XTRANS")]
    public void MaskedMosaicPutsEachSiteInItsColourPlaneOnly(string name)
    {
        const int w = 18, h = 12, stride = 20;
        var pattern = name == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Bayer(name);
        var cfa = Random(stride * h, 3, 0f, 1f);
        var planes = new float[3 * w * h];
        CpuKernels.CfaToMaskedMosaic(cfa, w, h, stride, pattern, Transfer.None, planes);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                for (var c = 0; c < 3; c++)
                    Assert.Equal(pattern.ColorAt(y, x) == c ? cfa[y * stride + x] : 0f, planes[(c * h + y) * w + x]);
    }

    [Fact]
    public void OverlappingTilesBlendToTheImageWithWeightsSummingToOne()
    {
        const int w = 40, h = 16, tileW = 24, overlap = 4;
        var image = Random(3 * w * h, 4);
        var sums = new float[3 * w * h];
        var weights = new float[w * h];
        foreach (var (x0, edges) in new[] { (0, TileEdges.Right), (16, TileEdges.Left) })
        {
            var tile = new float[3 * tileW * h];
            for (var c = 0; c < 3; c++)
                for (var y = 0; y < h; y++)
                    for (var x = 0; x < tileW; x++)
                        tile[(c * h + y) * tileW + x] = image[(c * h + y) * w + x0 + x];
            CpuKernels.AccumulateTile(tile, new TilePlacement(x0, 0, tileW, h, overlap, edges), sums, weights, w, h);
        }
        Assert.All(weights, wt => Assert.Equal(1f, wt, 1e-5f));
        Assert.True(weights.Length > 0);
        CpuKernels.ResolveAccumulated(sums, weights, w, h);
        for (var i = 0; i < image.Length; i++) Assert.Equal(image[i], sums[i], 1e-5f);
        var placement = new TilePlacement(16, 0, tileW, h, overlap, TileEdges.Left);
        Assert.Equal(0.5f / 8f, placement.Weight(0, 3), 1e-6f);
        Assert.Equal(1f, placement.Weight(8, 3));
    }

    [Fact]
    public void MaskLogitsAreResizedBilinearlyThenSquashed()
    {
        float[] logits = [0, 4, 0, 4]; // 2x2: left column 0, right column 4
        var mask = new float[4 * 4];
        CpuKernels.MaskFromLogits(logits, 2, 2, mask, 4, 4);
        // Output x = 1 samples source x = 0.25: logit 1.0.
        Assert.Equal(1f / (1f + MathF.Exp(-1f)), mask[1], 1e-5f);
        Assert.Equal(0.5f, mask[0], 1e-5f);
        Assert.Equal(1f / (1f + MathF.Exp(-4f)), mask[3], 1e-5f);
    }
}
