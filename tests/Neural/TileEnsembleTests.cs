using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.AI.Tiling;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Demosaic;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Neural;

/// <summary>
/// The tiler's self-ensemble with the real demosaicnet models on Kodak crops: each view meets the model's CFA
/// phase, the averaged result is equivariant (a mirrored mosaic gives the mirrored result), tiled equals one
/// shot, and it is closer to the truth than one view.
/// </summary>
public sealed class TileEnsembleTests(ITestOutputHelper output) : IDisposable
{
    private const int Width = 160, Height = 120, Border = 12;

    private readonly DemosaicnetTilers _tilers = new();

    public void Dispose() => _tilers.Dispose();

    /// <summary>Planar linear truth of a Kodak 1 crop at (x0, y0), mirrored left-right when asked.</summary>
    private static float[] Truth(int x0, int y0, bool mirror)
    {
        var (_, scene) = DemosaicRoundTrip.Kodak(1);
        var truth = new float[3 * Width * Height];
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
                for (var c = 0; c < 3; c++)
                    truth[(c * Height + y) * Width + (mirror ? Width - 1 - x : x)] = scene.Rgb[((y0 + y) * scene.Width + x0 + x) * 3 + c];
        return truth;
    }

    /// <summary>The mosaic of <paramref name="truth"/> through <paramref name="cfa"/> in a pipe buffer.</summary>
    private ImageBuffer Mosaic(float[] truth, CfaPattern cfa)
    {
        var buffer = ImageBuffer.Rent(_tilers.Pool, Width, Height, 1);
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
                buffer.Row(y)[x] = truth[(cfa.ColorAt(y, x) * Height + y) * Width + x];
        return buffer;
    }

    /// <summary>Mean squared error inside the border, where <paramref name="b"/> is read mirrored left-right when asked.</summary>
    private static double Mse(float[] a, float[] b, bool mirror = false)
    {
        double sum = 0;
        var count = 0;
        for (var c = 0; c < 3; c++)
            for (var y = Border; y < Height - Border; y++)
                for (var x = Border; x < Width - Border; x++)
                {
                    double d = a[(c * Height + y) * Width + x] - b[(c * Height + y) * Width + (mirror ? Width - 1 - x : x)];
                    sum += d * d;
                    count++;
                }
        return sum / count;
    }

    [Fact]
    public void BayerViewsAllMeetTheModelAndXTransOnlyThoseItsLayoutAllows()
    {
        foreach (var cfa in new[] { CfaPattern.Rggb, CfaPattern.Grbg, CfaPattern.Gbrg, CfaPattern.Bggr })
            Assert.Equal(8, TileTransform.Ensemble(8, cfa, CfaPattern.Grbg).Count);
        var xtrans = TileTransform.Ensemble(8, CfaPattern.XTrans.Shifted(1, 4), CfaPattern.XTrans);
        output.WriteLine($"X-Trans views: {string.Join(", ", xtrans)}");
        Assert.Equal(TileTransform.Identity, xtrans[0]);
        Assert.InRange(xtrans.Count, 2, 8);
        foreach (var t in xtrans)
        {
            // The view's phase really makes the transformed mosaic the model's pattern.
            var (y, x) = t.PhaseOf(CfaPattern.XTrans.Shifted(1, 4), CfaPattern.XTrans)!.Value;
            var seen = CfaPattern.XTrans.Shifted(1, 4).Transformed(t.Transpose, t.FlipRows, t.FlipColumns);
            Assert.Equal(CfaPattern.XTrans, t.Transpose ? seen.Shifted(x, y) : seen.Shifted(y, x));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => TileTransform.Ensemble(3, CfaPattern.Rggb, CfaPattern.Grbg));
        Assert.Equal(CfaPattern.Gbrg, CfaPattern.Grbg.Transformed(transpose: true, flipRows: false, flipColumns: false));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(2)]
    public void AMirroredMosaicGivesTheMirroredResultAndTheEnsembleBeatsOneView(int ensemble)
    {
        var cfa = CfaPattern.Rggb;
        var tiler = _tilers.For(cfa);
        var size = new ImageSize(Width, Height);
        var truth = Truth(300, 200, mirror: false);
        var mirroredTruth = Truth(300, 200, mirror: true);
        // An even width: mirrored left-right, the RGGB mosaic reads GRBG from its new origin.
        using var mosaic = Mosaic(truth, cfa);
        using var mirrored = Mosaic(mirroredTruth, CfaPattern.Grbg);

        var single = tiler.Plan(size, cfa, 2048, ensemble: 1);
        var views = tiler.Plan(size, cfa, 2048, ensemble: ensemble);
        var one = DemosaicnetTilers.RunLinear(tiler, single, cfa, mosaic);
        var oneMirrored = DemosaicnetTilers.RunLinear(tiler, tiler.Plan(size, CfaPattern.Grbg, 2048, ensemble: 1), CfaPattern.Grbg, mirrored);
        var averaged = DemosaicnetTilers.RunLinear(tiler, views, cfa, mosaic);
        var averagedMirrored = DemosaicnetTilers.RunLinear(tiler, tiler.Plan(size, CfaPattern.Grbg, 2048, ensemble: ensemble), CfaPattern.Grbg, mirrored);

        double oneError = Mse(one, truth), ensembleError = Mse(averaged, truth);
        double oneAsymmetry = Mse(one, oneMirrored, mirror: true), ensembleAsymmetry = Mse(averaged, averagedMirrored, mirror: true);
        output.WriteLine($"{views}: MSE one view {oneError:E3}, ensemble {ensembleError:E3}; " +
                         $"|f(mirror x) - mirror f(x)|^2 one view {oneAsymmetry:E3}, ensemble {ensembleAsymmetry:E3}");
        Assert.True(ensembleError < oneError * 0.97, $"ensemble MSE {ensembleError:E3} vs one view {oneError:E3}");
        if (ensemble == 8)
            // The whole group: mirroring the input only permutes the views (up to the network seeing the views' windows
            // moved by a pixel to meet its phase), so the result mirrors with the input.
            Assert.True(ensembleAsymmetry < oneAsymmetry * 0.05, $"ensemble asymmetry {ensembleAsymmetry:E3} vs one view {oneAsymmetry:E3}");
        else
            Assert.True(ensembleAsymmetry < oneAsymmetry, $"ensemble asymmetry {ensembleAsymmetry:E3} vs one view {oneAsymmetry:E3}");
    }

    [Fact]
    public void TiledEqualsOneShotWithAnEnsemble()
    {
        var cfa = CfaPattern.Rggb;
        var tiler = _tilers.For(cfa);
        var size = new ImageSize(Width, Height);
        using var mosaic = Mosaic(Truth(300, 200, mirror: false), cfa);
        var oneShot = tiler.Plan(size, cfa, 2048, 32, ensemble: 4);
        var tiled = tiler.Plan(size, cfa, 128, 32, ensemble: 4);
        Assert.True(tiled.Count >= 4, tiled.ToString());
        var difference = DemosaicnetTilers.RunLinear(tiler, oneShot, cfa, mosaic).Zip(DemosaicnetTilers.RunLinear(tiler, tiled, cfa, mosaic), (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{tiled}: max |tiled - one shot| {difference:E2}");
        Assert.True(difference <= 1e-3, $"tiled differs from one shot by {difference:E2}");
    }

    /// <summary>
    /// A region inside the image with a 4 px halo: a view moved onto the model's phase reads a pixel past its tile's
    /// window, close enough to the placement for the network to carry it there. Given just the input
    /// <see cref="TileGrid.InputFor"/> asks for, the region equals the crop of the whole.
    /// </summary>
    [Fact]
    public void ARegionGivenJustItsInputEqualsTheCropOfTheWhole()
    {
        var cfa = CfaPattern.Rggb;
        var tiler = _tilers.For(cfa);
        var size = new ImageSize(Width, Height);
        using var mosaic = Mosaic(Truth(300, 200, mirror: false), cfa);
        var grid = tiler.Plan(size, cfa, 64, 4, ensemble: 2);
        var whole = new Roi(0, 0, Width, Height);
        using var all = tiler.Run(grid, cfa, mosaic, whole, whole, DemosaicnetTilers.Srgb);

        var region = new Roi(70, 50, 14, 12);
        var input = grid.InputFor(region);
        Assert.True(input.X > 0 && input.Y > 0 && input.Right < Width && input.Bottom < Height, $"{input} reaches the image's edge");
        using var part = ImageBuffer.Rent(_tilers.Pool, input.Width, input.Height, 1);
        for (var y = 0; y < input.Height; y++) mosaic.Row(input.Y + y).Slice(input.X, input.Width).CopyTo(part.Row(y));
        using var some = tiler.Run(grid, cfa, part, input, region, DemosaicnetTilers.Srgb);

        var planes = all.Planes.Span;
        var crop = some.Planes.Span;
        var difference = 0f;
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < region.Height; y++)
                for (var x = 0; x < region.Width; x++)
                    difference = Math.Max(difference, Math.Abs(planes[(c * Height + region.Y + y) * Width + region.X + x] - crop[(c * region.Height + y) * region.Width + x]));
        output.WriteLine($"{grid}: input {input} for {region}; max |region - crop| {difference:E2}");
        Assert.Equal(0f, difference);
    }

    [Fact]
    public void XTransEnsembleBeatsOneView()
    {
        var cfa = CfaPattern.XTrans.Shifted(1, 4);
        var tiler = _tilers.For(cfa);
        var size = new ImageSize(Width, Height);
        var truth = Truth(300, 200, mirror: false);
        using var mosaic = Mosaic(truth, cfa);
        var one = Mse(DemosaicnetTilers.RunLinear(tiler, tiler.Plan(size, cfa, 2048, ensemble: 1), cfa, mosaic), truth);
        var grid = tiler.Plan(size, cfa, 2048, ensemble: 8);
        var averaged = Mse(DemosaicnetTilers.RunLinear(tiler, grid, cfa, mosaic), truth);
        output.WriteLine($"X-Trans {grid}: MSE one view {one:E3}, ensemble {averaged:E3}");
        Assert.True(averaged < one * 0.97, $"ensemble MSE {averaged:E3} vs one view {one:E3}");
    }
}
