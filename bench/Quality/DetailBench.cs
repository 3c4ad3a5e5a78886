using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.Denoise;
using RawEngine.Iop.Sharpen;

namespace RawEngine.Bench.Quality;

/// <summary>
/// `bench -- detail`: MP/s of the classical denoise and of capture and output sharpening on a noisy 12 MP synthetic
/// Bayer raw, each as (megapixels) / (render time with the module - render time without), the render being
/// rawprepare, temperature, highlights, demosaic (and the module), in wall time (fastest of three) and per CPU
/// second (all threads; steadier on a shared machine). Their quality is `bench -- roundtrip --noise`.
/// </summary>
public static class DetailBench
{
    private const int Rounds = 3;

    public static int Run(MetricReport report)
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0, UseGpu = false, MemoryBudgetBytes = 3L << 30 });
        var raw = SyntheticRaw.Chart(4000, 3000, new SyntheticRawOptions { Noise = new SensorNoise(4e-4, 4e-6) });
        using var session = engine.Open(raw, "chart");
        var roi = Roi.Full(new ImageSize(raw.Visible.Width, raw.Visible.Height));
        var megapixels = roi.Pixels / 1e6;
        // Linear camera RGB out of demosaic: the modules after it are switched off.
        var baseline = Edit.Empty;
        foreach (var off in new[] { "pixelaspect", "flip", "colorin", "exposure", "crop", "sigmoid", "colorout" })
            if (engine.Modules.Contains(off)) baseline = baseline.With(off, engine.Modules.SchemaOf(off).Defaults).WithEnabled(off, false);
        var (baseS, baseCpu) = Fastest(() => session.RenderAsync(baseline, roi).Result.Dispose());
        report.Add(new Metric("detail.pipe_to_demosaic", megapixels / baseS, "MP/s"));
        foreach (var (name, edit) in new (string, Edit)[]
                 {
                     ("denoise", baseline.With("denoise", new DenoiseParams())),
                     ("sharpen", baseline.With("sharpen", new SharpenParams())),
                     ("sharpen_output", baseline.With("sharpen_output", new OutputSharpenParams())),
                 })
        {
            var (seconds, cpu) = Fastest(() => session.RenderAsync(edit, roi).Result.Dispose());
            report.Add(new Metric($"detail.{name}", megapixels / (seconds - baseS), "MP/s", null, name == "denoise" ? ">= 20 MP/s" : null));
            report.Add(new Metric($"detail.{name}.cpu", megapixels / (cpu - baseCpu), "MP/cpu-s"));
        }
        report.PrintTable();
        return 0;
    }

    /// <summary>The least wall and the least CPU seconds of <see cref="Rounds"/> runs after one warm-up.</summary>
    private static (double Wall, double Cpu) Fastest(Action action)
    {
        action();
        var runs = Enumerable.Range(0, Rounds).Select(_ => Timing.WallAndCpuSeconds(action)).ToArray();
        return (runs.Min(r => r.Wall), runs.Min(r => r.Cpu));
    }
}
