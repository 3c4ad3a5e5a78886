using RawEngine.Engine.Dng;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.ColorOut;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.Lens;
using RawEngine.Iop.Sigmoid;
using RawEngine.Tests.Iop;
using RawEngine.Tests.Pipeline;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Masks;

/// <summary>
/// Masks drawn on the image land, after a lens correction or a DNG warp, where that map's own formula puts the image's
/// points: lensfun's answer for every output pixel (lfModifier::ApplySubpixelGeometryDistortion over the whole frame),
/// and the DNG spec's WarpRectilinear model as the opcode tests compute it. The mask is read off the picture: a flat
/// grey raw, exposure +1 EV blended through circles, linear output, so coverage = masked / unmasked - 1.
/// </summary>
public class MasksThroughWarpsTests(ITestOutputHelper output)
{
    /// <summary>Circle centres (normalised): the middle, the corners where a barrel bends most, an edge.</summary>
    private static readonly (double X, double Y)[] Centres = [(0.5, 0.5), (0.06, 0.08), (0.94, 0.08), (0.06, 0.92), (0.94, 0.92), (0.5, 0.05)];

    /// <summary>Radius as a fraction of the shorter side.</summary>
    private const double Radius = 0.045;

    private static readonly MaskGroup Spots = new("spots", Centres.Select(c => new GroupMember(new EllipseForm(new MaskPoint(c.X, c.Y), Radius, Radius))).ToList());

    private static readonly Edit Linear = Edit.Empty
        .With("sigmoid", new SigmoidParams()).WithEnabled("sigmoid", false)
        .With("colorout", new ColorOutParams { Profile = "rec2020-linear" })
        .With("exposure", new ExposureParams { Exposure = 0 });

    private static readonly Edit Masked = Linear.With("exposure", new ExposureParams { Exposure = 1 }, new BlendParams { Mask = "spots" }).WithMask(Spots);

    private static RawImage Flat(int width, int height, SyntheticRawOptions options) =>
        SyntheticRaw.Create(new LinearScene(width, height, Enumerable.Repeat(0.15f, width * height * 3).ToArray()), options with { Cfa = null });

    /// <summary>The coverage the pipe blended with at each output pixel (scale 1), read off the green channel.</summary>
    private static async Task<(float[] Coverage, int Width, int Height)> CoverageAsync(RawImage raw)
    {
        using var engine = WholePicture.Engine();
        using var session = engine.Open(raw);
        var roi = Roi.Full(session.OutputSize(Masked));
        using var plain = await session.RenderAsync(Linear, roi);
        using var masked = await session.RenderAsync(Masked, roi);
        var coverage = new float[roi.Width * roi.Height];
        for (var y = 0; y < roi.Height; y++)
            for (var x = 0; x < roi.Width; x++) coverage[y * roi.Width + x] = masked.At(x, y, 1) / plain.At(x, y, 1) - 1;
        return (coverage, roi.Width, roi.Height);
    }

    /// <summary>
    /// Compares the pipe's coverage with each circle's exact coverage at each output pixel's source point (a one-pixel ramp
    /// across the outline, in the pixels of the frame the circles are drawn in). Where a mask lands: each circle's
    /// coverage-weighted centroid in the output against the exact one, and its area. Pixel by pixel the two differ by the
    /// bilinear reading of a one-pixel ramp (up to 1/3 at the ramp's knees) on top of any misplacement.
    /// </summary>
    private (double WorstCentroid, double WorstArea, double WorstCoverage) Compare(float[] coverage, int width, int height,
        Func<int, int, (double X, double Y)> source, int sourceWidth, int sourceHeight)
    {
        var radius = Radius * Math.Min(sourceWidth, sourceHeight);
        var sums = new double[Centres.Length, 6];   // per circle: weight, x, y of the pipe's, then of the exact coverage
        var worstCoverage = 0.0;
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var (sx, sy) = source(x, y);
                var actual = coverage[y * width + x];
                var union = 0.0;
                for (var k = 0; k < Centres.Length; k++)
                {
                    var distance = radius - Math.Sqrt(Math.Pow(sx - Centres[k].X * sourceWidth, 2) + Math.Pow(sy - Centres[k].Y * sourceHeight, 2));
                    var expected = Math.Clamp(0.5 + distance, 0, 1);
                    union = Math.Max(union, expected);
                    if (distance < -3) continue;
                    double[] weights = [actual, expected];
                    for (var i = 0; i < 2; i++)
                    {
                        sums[k, i * 3] += weights[i];
                        sums[k, i * 3 + 1] += weights[i] * (x + 0.5);
                        sums[k, i * 3 + 2] += weights[i] * (y + 0.5);
                    }
                }
                worstCoverage = Math.Max(worstCoverage, Math.Abs(actual - union));
            }
        var (worstCentroid, worstArea) = (0.0, 0.0);
        for (var k = 0; k < Centres.Length; k++)
        {
            Assert.True(sums[k, 3] > 100, $"circle {k} must lie in the picture");
            var offset = Math.Sqrt(Math.Pow(sums[k, 1] / sums[k, 0] - sums[k, 4] / sums[k, 3], 2) + Math.Pow(sums[k, 2] / sums[k, 0] - sums[k, 5] / sums[k, 3], 2));
            var area = Math.Abs(sums[k, 0] / sums[k, 3] - 1);
            output.WriteLine($"circle at ({Centres[k].X}, {Centres[k].Y}): {sums[k, 3]:0} px, centroid {offset:0.0000} px off the map's, area off by {area:P3}");
            (worstCentroid, worstArea) = (Math.Max(worstCentroid, offset), Math.Max(worstArea, area));
        }
        output.WriteLine($"worst: centroid {worstCentroid:0.0000} px, area {worstArea:P3}, a pixel's coverage {worstCoverage:0.0000}");
        return (worstCentroid, worstArea, worstCoverage);
    }

    /// <summary>
    /// The EF-S 18-55 at 18 mm (ptlens barrel, lensfun zooms to fill the frame), the raw stored turned (flip after the
    /// lens). Bar: every circle's centroid within 0.1 px of where lensfun's map puts it, its area within 0.5%, no pixel's
    /// coverage off by 0.4 (a mask half a pixel off would be). The affine fit this replaces was off by 2.1 px mean, 5.3 px worst.
    /// </summary>
    [LensfunFact]
    public async Task MasksLandWhereLensfunPutsThePixels()
    {
        const int width = 600, height = 400;
        var capture = LensTests.KitLens;
        var raw = Flat(width, height, new SyntheticRawOptions { Capture = capture, Orientation = 6 });
        var (coverage, outWidth, outHeight) = await CoverageAsync(raw);
        Assert.Equal((height, width), (outWidth, outHeight));
        var profile = LensDatabase.System!.Find(capture)!;
        using var reference = profile.CreateModifier(width, height, capture.FocalLength, capture.FNumber, 1000,
            LensfunNative.ModifyDistortion | LensfunNative.ModifyTca | LensfunNative.ModifyScale | LensfunNative.ModifyVignetting);
        var grid = LensTests.LensfunGrid(reference, width, height);
        var turn = Affine2.FromOriented(6, width, height);
        var (centroid, area, worstCoverage) = Compare(coverage, outWidth, outHeight, (x, y) =>
        {
            // The output pixel's centre in the lens's output, which is a pixel centre there too.
            var (lx, ly) = turn.Apply(x + 0.5, y + 0.5);
            var at = ((int)ly * width + (int)lx) * 6 + 2;
            return (grid[at] + 0.5, grid[at + 1] + 0.5);
        }, width, height);
        Assert.True(centroid < 0.1 && area < 0.005, $"masks land {centroid} px off lensfun's map, area off by {area:P3}");
        Assert.True(worstCoverage < 0.4, $"a pixel's coverage is off by {worstCoverage}");
    }

    /// <summary>
    /// A strong barrel (kr2 = -0.15, the corners pulled in by 7% of the half-diagonal) with a tangential term, off-centre,
    /// and lateral CA: masks follow the green plane's map as the DNG spec states it. Same bars as through lensfun.
    /// </summary>
    [Fact]
    public async Task MasksLandWhereTheWarpOpcodePutsThePixels()
    {
        const int width = 480, height = 320;
        var warp = new WarpRectilinearOpcode(false,
            [new(1.004, 0, -0.15, 0, 0.002, 0.001), new(1, 0, -0.15, 0, 0.002, 0.001), new(0.996, 0, -0.15, 0, 0.002, 0.001)], 0.47, 0.53);
        var raw = Flat(width, height, new SyntheticRawOptions());
        raw = raw with
        {
            Opcodes = new DngOpcodeStages([], [], [warp], new OpcodeFrame(0, 0, width, height), new OpcodeFrame(0, 0, width, height)),
        };
        var (coverage, outWidth, outHeight) = await CoverageAsync(raw);
        var corner = DngOpcodesDevelopTests.Distort(warp, 1, 0, 0, width, height);
        output.WriteLine($"the warp reads output corner (0, 0) from ({corner.X:0.00}, {corner.Y:0.00})");
        Assert.True(corner.X > 10 && corner.Y > 10, "a strong barrel: the corner reads well inside the frame");
        var (centroid, area, worstCoverage) = Compare(coverage, outWidth, outHeight,
            (x, y) => DngOpcodesDevelopTests.Distort(warp, 1, x + 0.5, y + 0.5, width, height), width, height);
        Assert.True(centroid < 0.1 && area < 0.005, $"masks land {centroid} px off the warp's map, area off by {area:P3}");
        Assert.True(worstCoverage < 0.4, $"a pixel's coverage is off by {worstCoverage}");
    }

    /// <summary>A masked edit through the lens: a region renders the same mask values as the whole picture, and so do tiles.</summary>
    [LensfunTheory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public async Task MaskedRegionsAndTilesThroughTheLensEqualTheWholePicture(double scale) =>
        await WholePicture.AssertRegionsAndTilesEqualTheWholeAsync(SyntheticRaw.Chart(240, 160, new SyntheticRawOptions { Capture = LensTests.KitLens }), scale,
            tiledBudget: 400_000, tiledTolerance: 0, regionTolerance: 5e-5f, Masked);

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public async Task MaskedRegionsAndTilesThroughTheWarpEqualTheWholePicture(double scale)
    {
        var raw = SyntheticRaw.Chart(150, 100, new SyntheticRawOptions { Cfa = CfaPattern.Rggb });
        raw = raw with { Opcodes = new DngOpcodeStages([], [], [DngOpcodesDevelopTests.ChromaticWarp], new OpcodeFrame(0, 0, 150, 100), new OpcodeFrame(0, 0, 150, 100)) };
        await WholePicture.AssertRegionsAndTilesEqualTheWholeAsync(raw, scale, tiledBudget: 300_000, tiledTolerance: 1e-5f, regionTolerance: 1e-5f, Masked);
    }
}
