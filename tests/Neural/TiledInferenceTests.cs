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
/// The tiler with the real demosaicnet Bayer model on a Kodak crop: tiled against one shot, seams against
/// the rest, per-tile progress and cancellation, one pooled binding per tile size.
/// </summary>
public sealed class TiledInferenceTests(ITestOutputHelper output) : IDisposable
{
    private const int Width = 200, Height = 160, Overlap = 32;
    private static readonly CfaPattern Cfa = CfaPattern.Rggb;

    private readonly DemosaicnetTilers _tilers = new();

    public void Dispose() => _tilers.Dispose();

    private TiledInference Tiler => _tilers.For(Cfa);

    /// <summary>A crop of Kodak 1 (linear) and its RGGB mosaic in a pipe buffer.</summary>
    private (float[] Truth, ImageBuffer Mosaic) Crop()
    {
        var (_, scene) = DemosaicRoundTrip.Kodak(1);
        var mosaic = CfaMosaic.Sample(scene, Cfa);
        const int x0 = 300, y0 = 200; // even: the crop keeps the RGGB phase
        var truth = new float[3 * Width * Height];
        var buffer = ImageBuffer.Rent(_tilers.Pool, Width, Height, 1);
        for (var y = 0; y < Height; y++)
        {
            mosaic.AsSpan((y0 + y) * scene.Width + x0, Width).CopyTo(buffer.Row(y));
            for (var x = 0; x < Width; x++)
                for (var c = 0; c < 3; c++)
                    truth[(c * Height + y) * Width + x] = scene.Rgb[((y0 + y) * scene.Width + x0 + x) * 3 + c];
        }
        return (truth, buffer);
    }

    /// <summary>The network's result over the whole crop, decoded to linear planar RGB.</summary>
    private float[] Run(TileGrid grid, ImageBuffer mosaic, IProgress<TileProgress>? progress = null, CancellationToken cancellation = default) =>
        DemosaicnetTilers.RunLinear(Tiler, grid, Cfa, mosaic, progress, cancellation);

    [Fact]
    public void TiledEqualsOneShotAndSeamsAreNoWorseThanTheRest()
    {
        var (truth, mosaic) = Crop();
        using var _ = mosaic;
        var oneShot = Tiler.Plan(new ImageSize(Width, Height), Cfa, 2048, Overlap);
        var tiled = Tiler.Plan(new ImageSize(Width, Height), Cfa, 128, Overlap);
        Assert.Equal(1, oneShot.Count);
        Assert.True(tiled.Count >= 6, tiled.ToString());
        var whole = Run(oneShot, mosaic);
        var tiles = Run(tiled, mosaic);

        var maxDiff = 0.0;
        for (var i = 0; i < whole.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(whole[i] - tiles[i]));
        // Error against the truth in the bands where tiles blend (within the halo of a core boundary) and elsewhere.
        double seamTiled = 0, seamWhole = 0, restTiled = 0, restWhole = 0;
        int seamCount = 0, restCount = 0;
        for (var y = 8; y < Height - 8; y++)
            for (var x = 8; x < Width - 8; x++)
            {
                var nearSeam = Near(x, tiled.CoreWidth, Width) || Near(y, tiled.CoreHeight, Height);
                for (var c = 0; c < 3; c++)
                {
                    var i = (c * Height + y) * Width + x;
                    double et = tiles[i] - truth[i], ew = whole[i] - truth[i];
                    if (nearSeam) { seamTiled += et * et; seamWhole += ew * ew; seamCount++; }
                    else { restTiled += et * et; restWhole += ew * ew; restCount++; }
                }
            }
        output.WriteLine($"{tiled}: max |tiled - one shot| {maxDiff:E2}; MSE near seams tiled {seamTiled / seamCount:E3} one-shot {seamWhole / seamCount:E3}; " +
                         $"elsewhere tiled {restTiled / restCount:E3} one-shot {restWhole / restCount:E3}");
        Assert.True(maxDiff <= 1e-3, $"tiled differs from one shot by {maxDiff:E2}");
        // Tiling adds no error where tiles meet: the seam bands are as close to the truth as the one-shot result there.
        Assert.True(seamTiled <= seamWhole * 1.01 + 1e-9, $"seam bands: tiled {seamTiled / seamCount:E3} vs one shot {seamWhole / seamCount:E3}");
        Assert.True(seamTiled / seamCount / (restTiled / restCount) <= 1.01 * (seamWhole / seamCount / (restWhole / restCount)),
            "the seam-to-rest error ratio grows with tiling");

        bool Near(int v, int core, int size)
        {
            for (var b = core; b < size; b += core)
                if (Math.Abs(v - b) < Overlap) return true;
            return false;
        }
    }

    [Fact]
    public void ReportsEachTileCancelsBetweenTilesAndReusesOneBindingPerSize()
    {
        var (_, mosaic) = Crop();
        using var _ = mosaic;
        var grid = Tiler.Plan(new ImageSize(Width, Height), Cfa, 128, Overlap);
        var reports = new List<TileProgress>();
        Run(grid, mosaic, new Recorder(reports.Add));
        Assert.Equal(Enumerable.Range(1, grid.Count), reports.Select(r => r.Done));
        Assert.All(reports, r => Assert.Equal((grid.Count, 128), (r.Total, r.LadderSize)));
        Run(grid, mosaic);
        Assert.Equal(1, Tiler.PooledBindings);

        using var cts = new CancellationTokenSource();
        var seen = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => Run(grid, mosaic, new Recorder(_ => { if (++seen == 2) cts.Cancel(); }), cts.Token));
        Assert.Equal(2, seen);
        // The binding went back to the pool and still works.
        Assert.Equal(1, Tiler.PooledBindings);
        Run(grid, mosaic);
    }

    private sealed class Recorder(Action<TileProgress> action) : IProgress<TileProgress>
    {
        public void Report(TileProgress value) => action(value);
    }
}
