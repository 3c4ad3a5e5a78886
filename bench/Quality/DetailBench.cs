using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.Denoise;
using RawEngine.Iop.Sharpen;

namespace RawEngine.Bench.Quality;

/// <summary>
/// `bench -- detail [ROUNDS]`: MP/s of the classical denoise and of capture and output sharpening on a noisy 12 MP
/// synthetic Bayer raw. The render is rawprepare, temperature, highlights, demosaic (and the module); each round
/// renders without and with the module back to back, and the module's time is the median over the rounds of the
/// difference, in wall time and in CPU seconds of all threads (steadier on a shared machine: wall MP/s is only
/// the two cores' figure when nothing else runs, so the load average is printed with it). Their quality is
/// `bench -- roundtrip --noise`.
/// </summary>
public static class DetailBench
{
    public static int Run(MetricReport report, IReadOnlyList<string> args)
    {
        var rounds = args.Count > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0, UseGpu = false, MemoryBudgetBytes = 3L << 30 });
        var raw = SyntheticRaw.Chart(4000, 3000, new SyntheticRawOptions { Noise = new SensorNoise(4e-4, 4e-6) });
        using var session = engine.Open(raw, "chart");
        var roi = Roi.Full(new ImageSize(raw.Visible.Width, raw.Visible.Height));
        var megapixels = roi.Pixels / 1e6;
        // Linear camera RGB out of demosaic: the modules after it are switched off.
        var baseline = Edit.Empty;
        foreach (var off in new[] { "pixelaspect", "flip", "colorin", "exposure", "crop", "sigmoid", "colorout" })
            if (engine.Modules.Contains(off)) baseline = baseline.With(off, engine.Modules.SchemaOf(off).Defaults).WithEnabled(off, false);
        void Render(Edit edit) => session.RenderAsync(edit, roi).Result.Dispose();
        Console.Error.WriteLine($"load average before: {Timing.LoadAverage()} ({Environment.ProcessorCount} cores)");
        foreach (var (name, edit) in new (string, Edit)[]
                 {
                     ("denoise", baseline.With("denoise", new DenoiseParams())),
                     // A σ 1 px deconvolution (the chart measures no blur of its own, which would time a pass-through).
                     ("sharpen", baseline.With("sharpen", new SharpenParams { Radius = 1 })),
                     ("sharpen_output", baseline.With("sharpen_output", new OutputSharpenParams())),
                 })
        {
            Render(baseline);
            Render(edit);
            var wall = new List<double>();
            var cpu = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var without = Timing.WallAndCpuSeconds(() => Render(baseline));
                var with = Timing.WallAndCpuSeconds(() => Render(edit));
                wall.Add(with.Wall - without.Wall);
                cpu.Add(with.Cpu - without.Cpu);
            }
            report.Add(new Metric($"detail.{name}", megapixels / Timing.Median(wall), "MP/s", null, name == "denoise" ? ">= 20 MP/s (2 free cores)" : null));
            report.Add(new Metric($"detail.{name}.cpu", megapixels / Timing.Median(cpu), "MP/cpu-s"));
        }
        Console.Error.WriteLine($"load average after: {Timing.LoadAverage()}");
        report.PrintTable();
        return 0;
    }
}
