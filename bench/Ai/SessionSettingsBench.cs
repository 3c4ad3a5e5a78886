using System.Diagnostics;
using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.AI.Tiling;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Bench.Ai;

/// <summary>
/// `bench -- nn-settings [rounds] [all|session|tiles]`: what ONNX Runtime's session settings and the tile size do to the shipped networks
/// on this machine's CPU, each contender beside its baseline in one run (rounds of all contenders, the order turned
/// every round; medians of CPU seconds, which other processes' turns do not inflate, and of wall seconds).
/// Per network (demosaicnet Bayer, the default denoiser) at one 512 px tensor: ONNX Runtime's own defaults (idle
/// threads spinning) against the engine's settings (no spinning), memory reuse off, one thread, and two runs at once
/// on one thread each or sharing the session's threads. Then demosaicnet through the tiler over a 1536x1024 mosaic at each tile size.
/// </summary>
internal static class SessionSettingsBench
{
    private const int Side = 512;

    public static int Run(MetricReport report, string[] args)
    {
        var pairs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var part = args.Length > 1 ? args[1] : "all";
        var root = NeuralOps.RepoRoot();
        Console.Error.WriteLine($"nn-settings: {Environment.ProcessorCount} cores, load {Timing.LoadAverage()}, {pairs} rounds");
        if (part is "all" or "session")
            foreach (var id in new[] { "demosaic-demosaicnet-bayer", "nafnet-denoise" })
                SessionVariants(report, Path.Combine(root, "models", id, "model.onnx"), id, pairs);
        if (part is "all" or "tiles") TileSizes(report, root, pairs);
        Console.Error.WriteLine($"nn-settings: load {Timing.LoadAverage()} at the end");
        return 0;
    }

    /// <summary>One network at a 512 px tensor under each setting; the baseline is ONNX Runtime's defaults.</summary>
    private static void SessionVariants(MetricReport report, string path, string id, int rounds)
    {
        var cpu = InferenceSettings.Cpu;
        var variants = new (string Name, InferenceSettings Settings, int Concurrent)[]
        {
            ("ort-defaults", cpu with { Spinning = true }, 1),
            ("engine", cpu, 1),
            ("no-memory-reuse", cpu with { MemoryReuse = false }, 1),
            ("one-thread", cpu with { IntraOpThreads = 1 }, 1),
            ("two-runs-one-thread-each", cpu with { IntraOpThreads = 1 }, 2),
            ("two-runs-sharing-the-threads", cpu, 2),
        };
        var runners = variants.Select(v => new NetworkRunner(path, v.Settings, v.Concurrent)).ToArray();
        try
        {
            var samples = Alternate(runners.Select(r => (Action)r.Run).ToArray(), rounds);
            var megapixels = (double)Side * Side / 1e6;
            var (baseCpu, baseWall) = samples[0];
            for (var i = 0; i < variants.Length; i++)
            {
                var (cpuS, wallS) = samples[i];
                var runs = variants[i].Concurrent;
                report.Add(new Metric($"nn.session.{id}.{variants[i].Name}.cpu", runs * megapixels / cpuS, "MP/cpu-s", megapixels / baseCpu));
                report.Add(new Metric($"nn.session.{id}.{variants[i].Name}", runs * megapixels / wallS, "MP/s", megapixels / baseWall));
            }
        }
        finally
        {
            foreach (var runner in runners) runner.Dispose();
        }
    }

    /// <summary>demosaicnet Bayer over 1536x1024 (Kodak 1 mirrored to four times its area), one view, at each tile size
    /// against 512 px, the largest that the shipped ladder held before.</summary>
    private static void TileSizes(MetricReport report, string root, int rounds)
    {
        var home = Directory.CreateTempSubdirectory("rawengine-bench-").FullName;
        try
        {
            using var models = new ModelServices(
                new ModelSearchOptions([Path.Combine(root, "models")], new ModelEnvironment(_ => null, home)), InferenceSettings.Cpu);
            var cfa = CfaPattern.Rggb;
            using var kodak = NeuralOps.KodakMosaic(Path.Combine(root, "testdata", "kodak", "kodim01.png"), cfa);
            using var input = RawEngine.Engine.Buffers.ImageBuffer.Rent(new RawEngine.Engine.Buffers.BufferPool(), 2 * kodak.Width, 2 * kodak.Height, 1);
            for (var y = 0; y < input.Height; y++)
            for (var x = 0; x < input.Width; x++)
                input.Row(y)[x] = kodak.Row(y < kodak.Height ? y : 2 * kodak.Height - 1 - y ^ 1)[x < kodak.Width ? x : 2 * kodak.Width - 1 - x ^ 1];
            var tiler = models.Open("demosaic", ModelInputTraits.Mosaic(cfa)).Tiler;
            var size = new ImageSize(input.Width, input.Height);
            var whole = Roi.Full(size);
            var sizes = new[] { 512, 256, 384, 768, 1024 };
            var grids = sizes.Select(s => tiler.Plan(size, cfa, s, tiler.Tile.Overlap)).ToArray();
            foreach (var grid in grids) Console.Error.WriteLine($"  tile {grid.LadderSize}: {grid}");
            var encoding = new TileEncoding(RawEngine.AI.Kernels.Transfer.SrgbEncode, RawEngine.AI.Kernels.ChannelAffine.Identity, [1, 1, 1]);
            var samples = Alternate(grids.Select(g => (Action)(() => tiler.Run(g, cfa, input, whole, whole, encoding).Dispose())).ToArray(), rounds);
            var megapixels = whole.Pixels / 1e6;
            for (var i = 0; i < sizes.Length; i++)
            {
                report.Add(new Metric($"nn.tile{sizes[i]}.demosaicnet.cpu", megapixels / samples[i].Cpu, "MP/cpu-s", megapixels / samples[0].Cpu));
                report.Add(new Metric($"nn.tile{sizes[i]}.demosaicnet", megapixels / samples[i].Wall, "MP/s", megapixels / samples[0].Wall));
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Median CPU and wall seconds of each action over <paramref name="rounds"/> rounds after one warm-up round;
    /// each round runs them all, starting one further along each time.</summary>
    internal static (double Cpu, double Wall)[] Alternate(Action[] actions, int rounds)
    {
        foreach (var action in actions) action();
        var cpu = actions.Select(_ => new List<double>()).ToArray();
        var wall = actions.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
            for (var k = 0; k < actions.Length; k++)
            {
                var i = (round + k) % actions.Length;
                var (w, c) = Timing.WallAndCpuSeconds(actions[i]);
                wall[i].Add(w);
                cpu[i].Add(c);
            }
        return actions.Select((_, i) => (Timing.Median(cpu[i]), Timing.Median(wall[i]))).ToArray();
    }

    /// <summary>One session and <c>concurrent</c> bindings at 512 px; a run runs every binding once, at the same time.</summary>
    private sealed class NetworkRunner : IDisposable
    {
        private readonly OnnxModel _model;
        private readonly InferenceBinding[] _bindings;

        public NetworkRunner(string path, InferenceSettings settings, int concurrent)
        {
            _model = OnnxModel.Load(path, settings);
            var input = _model.Inputs[0].Name;
            var output = _model.Outputs[0].Name;
            _bindings = Enumerable.Range(0, concurrent).Select(_ =>
                _model.Bind(new Dictionary<string, long[]> { [input] = [1, 3, Side, Side], [output] = [1, 3, Side, Side] })).ToArray();
            foreach (var binding in _bindings)
            {
                var span = binding[input].Span;
                for (var i = 0; i < span.Length; i++) span[i] = i * 7919 % 1000 / 1000f;
            }
        }

        public void Run()
        {
            if (_bindings.Length == 1) _bindings[0].Run();
            else Parallel.ForEach(_bindings, new ParallelOptions { MaxDegreeOfParallelism = _bindings.Length }, b => b.Run());
        }

        public void Dispose()
        {
            foreach (var binding in _bindings) binding.Dispose();
            _model.Dispose();
        }
    }
}
