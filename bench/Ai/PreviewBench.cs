using System.Diagnostics;
using System.Globalization;
using RawEngine.AI.Backend;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.DemosaicNn;
using RawEngine.Iop.DenoiseNn;

namespace RawEngine.Bench.Ai;

/// <summary>
/// `bench -- preview-nn [--size WxH] [--side PX] [--rounds N]`: a preview (long side PX, default 1024) of a synthetic raw
/// (default 6000x4000, 24 MP) through <see cref="RawPhoto.RenderPreview"/>, with <c>demosaic_nn</c>, and with
/// <c>demosaic_nn</c> and <c>denoise_nn</c>, each against the classical preview run beside it (alternating, medians of
/// N rounds, no cache), on the CPU with the repository's models.
/// </summary>
internal static class PreviewBench
{
    public static int Run(MetricReport report, IReadOnlyList<string> args)
    {
        int width = 6000, height = 4000, side = 1024, rounds = 3;
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--size":
                    var parts = args[i + 1].Split('x');
                    (width, height) = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
                    break;
                case "--side": side = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"bench preview-nn: unknown option {args[i]}");
                    return 2;
            }
        }
        var root = RawEngine.Bench.Convert.ConvertBench.RepositoryRoot();
        using var processor = new RawProcessor(new RawProcessorOptions
        {
            ModelFolders = [Path.Combine(root, "models")],
            Provider = ExecutionProvider.Cpu,
            Engine = new EngineOptions { CacheBytes = 0, UseGpu = false },
        });
        using var photo = processor.Open(SyntheticRaw.Chart(width, height));
        Console.Error.WriteLine($"preview-nn: {width}x{height} synthetic raw, previews of long side {side}, {rounds} rounds, CPU, {Environment.ProcessorCount} cores");
        var classical = Edit.Empty;
        var variants = new (string Name, Edit Edit)[]
        {
            ("demosaic_nn", Edit.Empty.With(ModuleIds.DemosaicNn, new DemosaicNnParams())),
            ("demosaic_nn+denoise_nn", Edit.Empty.With(ModuleIds.DemosaicNn, new DemosaicNnParams()).With(ModuleIds.DenoiseNn, new DenoiseNnParams())),
        };
        double Seconds(Edit edit)
        {
            var clock = Stopwatch.StartNew();
            photo.RenderPreview(edit, side, side);
            return clock.Elapsed.TotalSeconds;
        }
        // First calls load models and compile kernels: not timed.
        Seconds(classical);
        foreach (var (_, edit) in variants) Seconds(edit);
        foreach (var (name, edit) in variants)
        {
            var pairs = Enumerable.Range(0, rounds).Select(_ => (Classical: Seconds(classical), Neural: Seconds(edit))).ToArray();
            var neural = Timing.Median(pairs.Select(p => p.Neural));
            var baseline = Timing.Median(pairs.Select(p => p.Classical));
            Console.Error.WriteLine($"  {name}: {neural:F2} s, classical {baseline:F2} s");
            report.Add(new Metric($"preview.{name}.{width}x{height}.side{side}", neural, "s", baseline, "seconds, not a minute"));
        }
        report.PrintTable();
        return 0;
    }
}
