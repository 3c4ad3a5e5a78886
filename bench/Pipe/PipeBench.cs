using System.Diagnostics;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Pipeline.TestOps;

namespace RawEngine.Bench.Pipe;

/// <summary>
/// The pipe's own costs on a 24 MP image (6000x4000, float RGBA = 384 MB a buffer): a plain copy,
/// ten pointwise ops untiled and tiled at 256 MB, a re-render after changing the last op against a
/// cold render, and a 1920x1080 region against the whole image.
/// </summary>
public static class PipeBench
{
    private const int Width = 6000, Height = 4000, Ops = 10, Runs = 3, AlternatingRuns = 9;

    public static int Run(MetricReport report)
    {
        var raw = SyntheticRaw.Chart(Width, Height, new SyntheticRawOptions { Cfa = null });
        var size = new ImageSize(Width, Height);
        var full = Roi.Full(size);
        var operations = Enumerable.Range(0, Ops).Select(i => new GainOperation($"gain_{i}")).ToArray();
        var registry = new ModuleRegistry(operations);
        var edit = operations.Aggregate(Edit.Empty, (e, op) => e.With(op.Info.Id, new GainParams { Gain = 1.001f }));
        var sourceOnly = Edit.Empty;
        Console.Error.WriteLine($"pipe bench: {Width}x{Height} RGBA float, {Ops} pointwise ops, {Environment.ProcessorCount} cores");
        using (var devices = new ComputeDevices(useGpu: true))
            Console.Error.WriteLine(devices.Gpu is { } gpu ? $"gpu: {gpu.Name} ({gpu.Type}, {gpu.MemoryBytes >> 20} MiB)" : "gpu: none found");

        // Plain copy of one buffer's bytes: the memory-bandwidth baseline.
        var (copyMs, parallelCopyMs) = CopyBaselines(Width * Height * 4);
        report.Add(new Metric("copy_24mp_rgba", copyMs, "ms"));
        report.Add(new Metric("copy_24mp_rgba_row_parallel", parallelCopyMs, "ms"));

        // Untiled, tiled and region renders alternate, so load from elsewhere on the machine hits them alike.
        var plain = new EngineOptions { CacheBytes = 0, MemoryBudgetBytes = 16L << 30, PoolRetainedBytes = 2L << 30 };
        double sourceMs, untiledMs, tiledMs, roiMs;
        using (var engine = new RenderEngine(registry, plain))
        using (var tiledEngine = new RenderEngine(registry, plain with { MemoryBudgetBytes = 256L << 20 }))
        using (var session = engine.Open(raw, "bench"))
        using (var tiledSession = tiledEngine.Open(raw, "bench"))
        {
            var times = TimeAlternating(
                () => session.RenderAsync(sourceOnly, full).Result.Dispose(),
                () => session.RenderAsync(edit, full).Result.Dispose(),
                () => tiledSession.RenderAsync(edit, full).Result.Dispose(),
                () => session.RenderAsync(edit, new Roi(2000, 1500, 1920, 1080)).Result.Dispose());
            (sourceMs, untiledMs, tiledMs, roiMs) = (times[0], times[1], times[2], times[3]);
        }
        var perOpMs = (untiledMs - sourceMs) / Ops;
        report.Add(new Metric("pipe_source_read", sourceMs, "ms"));
        report.Add(new Metric("pipe_10_pointwise_untiled", untiledMs, "ms"));
        report.Add(new Metric("pointwise_op_vs_copy", perOpMs, "ms", copyMs, "<= 1.5"));
        report.Add(new Metric("pointwise_op_vs_row_parallel_copy", perOpMs, "ms", parallelCopyMs));
        report.Add(new Metric("pipe_10_pointwise_tiled_256mb", tiledMs, "ms", untiledMs, "<= 1.10"));

        // Cold: empty cache. Re-render: only the last op's params changed, so its input comes from the cache.
        var cached = plain with { CacheBytes = 1700L << 20 };
        var coldTimes = new List<double>();
        var rerenderTimes = new List<double>();
        using (var engine = new RenderEngine(registry, cached))
        using (var session = engine.Open(raw, "bench"))
        {
            session.RenderAsync(edit, full).Result.Dispose();
            for (var run = 0; run < Runs; run++)
            {
                engine.Cache.Clear();
                coldTimes.Add(Measure(() => session.RenderAsync(edit, full).Result.Dispose()));
                var changed = edit.With($"gain_{Ops - 1}", new GainParams { Gain = 1.002f + run * 0.001f });
                rerenderTimes.Add(Measure(() => session.RenderAsync(changed, full).Result.Dispose()));
            }
        }
        var coldMs = coldTimes.Min();
        report.Add(new Metric("pipe_cold_render", coldMs, "ms"));
        report.Add(new Metric("pipe_rerender_last_op_changed", rerenderTimes.Min(), "ms", coldMs, "<= 0.15"));

        report.Add(new Metric("pipe_roi_1920x1080_vs_full", roiMs, "ms", untiledMs, "<= 0.12"));
        report.PrintTable();
        return 0;
    }

    /// <summary>One plain copy of the buffer's bytes, and the same copy split over row bands on every core as the ops are.</summary>
    private static (double Plain, double RowParallel) CopyBaselines(int floats)
    {
        var source = GC.AllocateUninitializedArray<float>(floats);
        var target = GC.AllocateUninitializedArray<float>(floats);
        source.AsSpan().Fill(0.5f);
        target.AsSpan().Clear();
        var cpu = new CpuCompute();
        var rowFloats = Width * 4;
        var times = TimeAlternating(
            () => source.AsSpan().CopyTo(target),
            () => cpu.ForRows(Height, (y0, y1) => source.AsSpan(y0 * rowFloats, (y1 - y0) * rowFloats).CopyTo(target.AsSpan(y0 * rowFloats))));
        return (times[0], times[1]);
    }

    /// <summary>The fastest time of each action over <see cref="AlternatingRuns"/> rounds that run them in turn, after a warm-up round.</summary>
    private static double[] TimeAlternating(params Action[] actions)
    {
        foreach (var action in actions) action();
        var best = actions.Select(_ => double.MaxValue).ToArray();
        for (var round = 0; round < AlternatingRuns; round++)
            for (var i = 0; i < actions.Length; i++)
                best[i] = Math.Min(best[i], Measure(actions[i]));
        return best;
    }

    private static double Measure(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }
}
