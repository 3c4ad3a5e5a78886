using System.Globalization;
using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.DemosaicNn;

namespace RawEngine.Bench.Ai;

/// <summary>
/// The demosaic speed: an export render of a 6 MP raw (the synthetic chart, 3000x2000 RGGB, ISO 400 noise) with
/// the default edit, and the same with <c>demosaic_nn</c> (the default views, or each count given), in alternating pairs
/// on one engine; the neural module's MP/s is the megapixels over the time it adds to the plain convert, medians of the
/// pairs, against the 0.25 MP/s target. CPU seconds beside wall seconds: other processes' turns inflate only the latter.
/// `bench -- nn-demosaic [pairs] [views...]`.
/// </summary>
internal static class DemosaicNnSpeed
{
    public const double TargetMegapixelsPerSecond = 0.25;

    public static void Run(MetricReport report, string[] args)
    {
        var pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        int?[] views = args.Length > 1 ? [.. args[1..].Select(a => (int?)int.Parse(a, CultureInfo.InvariantCulture))] : [null];
        var root = NeuralOps.RepoRoot();
        var home = Directory.CreateTempSubdirectory("rawengine-bench-").FullName;
        try
        {
            using var models = new ModelServices(
                new ModelSearchOptions([Path.Combine(root, "models")], new ModelEnvironment(_ => null, home)), InferenceSettings.Cpu);
            using var engine = new RenderEngine(StandardModules.CreateRegistry(models), new EngineOptions { CacheBytes = 0, UseGpu = false });
            using var session = engine.Open(SyntheticRaw.Chart(3000, 2000, new SyntheticRawOptions { Noise = SensorNoise.AtIso(400) }), "chart6mp");
            var megapixels = session.Image.Visible.Width * (double)session.Image.Visible.Height / 1e6;
            Console.Error.WriteLine($"nn-demosaic: {megapixels:0.0} MP export renders, {pairs} pairs, {Environment.ProcessorCount} cores, load {Timing.LoadAverage()}");
            foreach (var count in views)
            {
                var neural = Edit.Empty.With("demosaic_nn", count is { } n ? new DemosaicNnParams { Ensemble = n } : new DemosaicNnParams());
                var label = count is { } v ? $"views{v}" : "default";
                var samples = SessionSettingsBench.Alternate(
                    [() => session.RenderExportAsync(Edit.Empty).GetAwaiter().GetResult().Dispose(),
                     () => session.RenderExportAsync(neural).GetAwaiter().GetResult().Dispose()], pairs);
                var (plain, withNn) = (samples[0], samples[1]);
                report.Add(new Metric($"nn.demosaic_nn.6mp.{label}.pipe", megapixels / withNn.Wall, "MP/s", megapixels / plain.Wall));
                report.Add(new Metric($"nn.demosaic_nn.6mp.{label}.beyond-convert", megapixels / (withNn.Wall - plain.Wall), "MP/s", TargetMegapixelsPerSecond, "ratio >= 1"));
                report.Add(new Metric($"nn.demosaic_nn.6mp.{label}.beyond-convert.cpu", megapixels / (withNn.Cpu - plain.Cpu), "MP/cpu-s"));
                Console.Error.WriteLine($"  {label}: plain {plain.Wall:0.0} s ({plain.Cpu:0.0} cpu-s), with demosaic_nn {withNn.Wall:0.0} s ({withNn.Cpu:0.0} cpu-s); load {Timing.LoadAverage()}");
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
