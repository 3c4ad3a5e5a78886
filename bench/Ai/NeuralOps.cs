using System.Diagnostics;
using RawEngine.Iop;
using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.AI.Tiling;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.Demosaic;
using RawEngine.Iop.DemosaicNn;
using RawEngine.Iop.DenoiseNn;
using RawEngine.Iop.RawPrepare;
using RawEngine.Iop.Temperature;

namespace RawEngine.Bench.Ai;

/// <summary>
/// The neural modules on the CPU: demosaic_nn (demosaicnet Bayer and X-Trans from models/) and
/// denoise_nn (the project's nafnet-small) in MP/s through a pipe of rawprepare, temperature and the
/// module, against the classical demosaic; tiled against one-shot inference on the same area; and the
/// tile size each model's ladder gives under a few memory budgets (with the tile count for 24 MP); and
/// demosaic_nn's cost per ensemble size (views per tile).
/// </summary>
internal static class NeuralOps
{
    private const int Rounds = 2;

    /// <param name="ensembleOnly">Only the ensemble's cost (<c>bench -- nn-ensemble</c>).</param>
    public static void Run(MetricReport report, bool ensembleOnly = false)
    {
        var root = RepoRoot();
        var kodak = Path.Combine(root, "testdata", "kodak", "kodim01.png");
        var home = Directory.CreateTempSubdirectory("rawengine-bench-").FullName;
        try
        {
            using var models = new ModelServices(
                new ModelSearchOptions([Path.Combine(root, "models"), Path.Combine(root, "testdata", "models")], new ModelEnvironment(_ => null, home)),
                InferenceSettings.Cpu);
            Console.Error.WriteLine($"nn bench: Kodak 1 (768x512) as a synthetic raw, CPU, {Environment.ProcessorCount} cores");
            if (!ensembleOnly)
            {
                TileSizes(report, models);
                Throughput(report, models, kodak);
                TiledAgainstOneShot(report, models, kodak);
            }
            EnsembleCost(report, models, kodak);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>The ladder size chosen per budget, and how many tiles that makes of a 6000x4000 image.</summary>
    private static void TileSizes(MetricReport report, ModelServices models)
    {
        var image = new ImageSize(6000, 4000);
        foreach (var (task, traits, id) in new[]
                 {
                     ("demosaic", ModelInputTraits.Mosaic(CfaPattern.Rggb), "demosaic-demosaicnet-bayer"),
                     ("demosaic", ModelInputTraits.Mosaic(CfaPattern.XTrans), "demosaic-demosaicnet-xtrans"),
                     ("denoise", ModelInputTraits.Rgb, "nafnet-small"),
                 })
        {
            var tiler = models.Open(task, traits, id).Tiler;
            foreach (var megabytes in new[] { 1024, 128, 64, 16 })
            {
                var grid = tiler.Plan(image, traits.Cfa, (long)megabytes << 20);
                report.Add(new Metric($"nn.tile.{id}.{megabytes}mb", grid.LadderSize, "px"));
                Console.Error.WriteLine($"  {id} at {megabytes} MB: {grid} over 24 MP");
            }
        }
    }

    /// <summary>MP/s of each module through a pipe, the classical demosaic's as the baseline.</summary>
    private static void Throughput(MetricReport report, ModelServices models, string kodak)
    {
        var options = new EngineOptions { CacheBytes = 0, UseGpu = false };
        ModuleRegistry Registry() => new([new RawPrepareOperation(), new TemperatureOperation(), new DemosaicOperation(),
            new DemosaicNnOperation(models), new DenoiseNnOperation(models)], IopOrder.Default);
        using var engine = new RenderEngine(Registry(), options);
        var classical = Edit.Empty;
        var neural = Edit.Empty.With("demosaic_nn", new DemosaicNnParams());
        var denoised = classical.With("denoise_nn", new DenoiseNnParams { Model = "nafnet-small" });

        foreach (var cfa in new[] { CfaPattern.Rggb, CfaPattern.XTrans })
        {
            using var session = engine.Open(SyntheticRaw.FromSrgbFile(kodak, new SyntheticRawOptions { Cfa = cfa }), cfa.Kind.ToString());
            var roi = Roi.Full(new ImageSize(session.Image.Visible.Width, session.Image.Visible.Height));
            var megapixels = roi.Pixels / 1e6;
            var classicalS = Fastest(() => session.RenderAsync(classical, roi).Result.Dispose());
            var neuralS = Fastest(() => session.RenderAsync(neural, roi).Result.Dispose());
            var name = cfa.Kind == CfaKind.Bayer ? "bayer" : "xtrans";
            report.Add(new Metric($"nn.demosaic_nn.{name}", megapixels / neuralS, "MP/s", megapixels / classicalS));
            if (cfa.Kind != CfaKind.Bayer) continue;
            var denoisedS = Fastest(() => session.RenderAsync(denoised, roi).Result.Dispose());
            report.Add(new Metric("nn.denoise_nn.nafnet-small", megapixels / (denoisedS - classicalS), "MP/s"));
        }
    }

    /// <summary>demosaicnet's encoding: sRGB-encoded samples, no range change, no white-balance gains.</summary>
    private static readonly TileEncoding Srgb = new(Transfer.SrgbEncode, ChannelAffine.Identity, [1, 1, 1]);

    /// <summary>The <paramref name="cfa"/> mosaic of a Kodak image (linear) in a pipe buffer.</summary>
    internal static ImageBuffer KodakMosaic(string kodak, CfaPattern cfa)
    {
        var scene = LinearScene.LoadSrgb(kodak);
        var mosaic = CfaMosaic.Sample(scene, cfa);
        var input = ImageBuffer.Rent(new BufferPool(), scene.Width, scene.Height, 1);
        for (var y = 0; y < scene.Height; y++) mosaic.AsSpan(y * scene.Width, scene.Width).CopyTo(input.Row(y));
        return input;
    }

    /// <summary>Seconds for the same 768x512 area in one tile against 256 px tiles (ratio = overhead of tiling).</summary>
    private static void TiledAgainstOneShot(MetricReport report, ModelServices models, string kodak)
    {
        var cfa = CfaPattern.Rggb;
        using var input = KodakMosaic(kodak, cfa);
        var tiler = models.Open("demosaic", ModelInputTraits.Mosaic(cfa)).Tiler;
        var size = new ImageSize(input.Width, input.Height);
        var whole = Roi.Full(size);
        var oneShot = tiler.Plan(size, cfa, 2048, tiler.Tile.Overlap);
        var tiled = tiler.Plan(size, cfa, 256, tiler.Tile.Overlap);
        Console.Error.WriteLine($"  one shot: {oneShot}; tiled: {tiled}");
        var oneShotS = Fastest(() => tiler.Run(oneShot, cfa, input, whole, whole, Srgb).Dispose());
        var tiledS = Fastest(() => tiler.Run(tiled, cfa, input, whole, whole, Srgb).Dispose());
        report.Add(new Metric("nn.tiled_256_vs_one_shot", tiledS, "s", oneShotS));
        var tensorRatio = (double)tiled.Count * tiled.TensorWidth * tiled.TensorHeight / (oneShot.TensorWidth * oneShot.TensorHeight);
        report.Add(new Metric("nn.tiled_256_tensor_area_vs_one_shot", tensorRatio, "x"));
    }

    /// <summary>
    /// demosaicnet Bayer on the whole 768x512 image (one 1 GB-budget tile grid) with 1, 2, 4 and 8 views per tile:
    /// MP/s, the one-view run as the baseline (the ratio is the ensemble's speed relative to one view).
    /// </summary>
    private static void EnsembleCost(MetricReport report, ModelServices models, string kodak)
    {
        var cfa = CfaPattern.Rggb;
        using var input = KodakMosaic(kodak, cfa);
        var tiler = models.Open("demosaic", ModelInputTraits.Mosaic(cfa)).Tiler;
        var size = new ImageSize(input.Width, input.Height);
        var whole = Roi.Full(size);
        var megapixels = whole.Pixels / 1e6;
        double? single = null;
        // One untimed run warms the model and both tensor sizes up; then the faster of two runs per size.
        tiler.Run(tiler.Plan(size, cfa, 1L << 30, ensemble: 2), cfa, input, whole, whole, Srgb).Dispose();
        foreach (var views in TileTransform.Sizes)
        {
            var grid = tiler.Plan(size, cfa, 1L << 30, ensemble: views);
            var runs = Enumerable.Range(0, Rounds).Select(_ => Timing.WallAndCpuSeconds(() => tiler.Run(grid, cfa, input, whole, whole, Srgb).Dispose())).ToArray();
            var seconds = runs.Min(run => run.Wall);
            var cpuSeconds = runs.Min(run => run.Cpu);
            // CPU time is what the views cost; wall time on a shared machine also holds other processes' turns.
            var cpuRate = megapixels / cpuSeconds;
            single ??= cpuRate;
            report.Add(new Metric($"nn.demosaic_nn.bayer.ensemble{views}.cpu", cpuRate, "MP/cpu-s", single, $"~1/{views} of one view"));
            report.Add(new Metric($"nn.demosaic_nn.bayer.ensemble{views}", megapixels / seconds, "MP/s"));
        }
    }

    /// <summary>The fastest of <see cref="Rounds"/> runs after one warm-up: on a shared machine the least
    /// disturbed run is the closest to the code's own cost.</summary>
    private static double Fastest(Action action)
    {
        action();
        var times = new double[Rounds];
        for (var i = 0; i < Rounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return times.Min();
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawEngine.sln"))) return dir.FullName;
        throw new InvalidOperationException("RawEngine.sln not found above " + AppContext.BaseDirectory);
    }
}
