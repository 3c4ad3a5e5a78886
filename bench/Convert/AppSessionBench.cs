using System.Diagnostics;
using System.Globalization;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Export;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.ColorOut;
using RawEngine.Iop.Exposure;

namespace RawEngine.Bench.Convert;

/// <summary>
/// `bench -- app-session [pairs]`: what a desktop application on <see cref="EngineOptions"/>' defaults costs with
/// one 24 MP synthetic raw: open it, a 1024 px preview, a full-size JPEG export, then five previews with the exposure
/// changed (a slider). Each run is a process of its own (this bench, `app-session-run`) under /usr/bin/time for its
/// peak resident memory; the defaults alternate with the former ones (1 GiB cache, 1 GiB pool) in `pairs` pairs
/// (default 3, order swapped every pair), and the report gives medians and ratios against the former.
/// </summary>
public static class AppSessionBench
{
    private const long FormerCacheBytes = 1L << 30, FormerPoolBytes = 1L << 30;

    public static int Run(MetricReport report, string[] args)
    {
        var pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The bench's own executable is unknown.");
        var work = Directory.CreateTempSubdirectory("rawengine-bench-app-").FullName;
        try
        {
            var dng = Path.Combine(work, "chart24mp.dng");
            DngWriter.Write(SyntheticRaw.Chart(6000, 4000, new SyntheticRawOptions { Noise = SensorNoise.AtIso(400) }), dng);
            var runs = new Dictionary<string, List<(Timed.Sample Process, AppTimes Times)>> { ["defaults"] = [], ["former"] = [] };
            for (var pair = 0; pair < pairs; pair++)
                foreach (var which in pair % 2 == 0 ? new[] { "defaults", "former" } : ["former", "defaults"])
                {
                    string[] sizes = which == "former" ? [$"{FormerCacheBytes}", $"{FormerPoolBytes}"] : [];
                    var sample = Timed.Once(self, ["app-session-run", dng, Path.Combine(work, "out.jpg"), .. sizes], work);
                    runs[which].Add((sample, AppTimes.Parse(sample.Error)));
                }
            double Median(string which, Func<(Timed.Sample Process, AppTimes Times), double> of) => Timing.Median(runs[which].Select(of));
            report.Add(new Metric("app session peak RSS", Median("defaults", r => r.Process.PeakMegabytes), "MB", Median("former", r => r.Process.PeakMegabytes), "< 800"));
            report.Add(new Metric("app session former peak RSS", Median("former", r => r.Process.PeakMegabytes), "MB"));
            report.Add(new Metric("app session export", Median("defaults", r => r.Times.Export), "s", Median("former", r => r.Times.Export), "ratio <= 1.05"));
            report.Add(new Metric("app session 5 slider previews", Median("defaults", r => r.Times.Slider), "s", Median("former", r => r.Times.Slider), "ratio <= 1.05"));
            report.Add(new Metric("app session CPU", Median("defaults", r => r.Times.Cpu), "s", Median("former", r => r.Times.Cpu), "ratio <= 1.05"));
            report.PrintTable();
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>`app-session-run DNG OUT [CACHE_BYTES POOL_BYTES]`: the session itself; prints its times on stderr.</summary>
    public static int RunSession(string[] args)
    {
        var options = new EngineOptions();
        if (args.Length >= 4)
            options = options with { CacheBytes = long.Parse(args[2], CultureInfo.InvariantCulture), PoolRetainedBytes = long.Parse(args[3], CultureInfo.InvariantCulture) };
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), options);
        using var session = engine.Open(args[0]);
        using (session.RenderPreviewAsync(Edit.Empty, 1024).GetAwaiter().GetResult()) { }
        var export = Stopwatch.StartNew();
        using (var pixels = session.RenderForExport(Edit.Empty))
            ImageExporter.Write(new ExportImage(pixels, ColorOutOperation.SpaceOf(new ColorOutParams())), args[1], new ExportOptions { Overwrite = true });
        var exportSeconds = export.Elapsed.TotalSeconds;
        var slider = Stopwatch.StartNew();
        for (var step = 1; step <= 5; step++)
        {
            var edit = Edit.Empty.With("exposure", new ExposureParams { Exposure = ExposureParams.DefaultExposure + step * 0.1 });
            using (session.RenderPreviewAsync(edit, 1024).GetAwaiter().GetResult()) { }
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"APP {exportSeconds} {slider.Elapsed.TotalSeconds} {cpu}"));
        return 0;
    }

    private readonly record struct AppTimes(double Export, double Slider, double Cpu)
    {
        public static AppTimes Parse(string stderr)
        {
            var parts = stderr.Split('\n').Last(l => l.StartsWith("APP ", StringComparison.Ordinal)).Split(' ');
            return new(double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture), double.Parse(parts[3], CultureInfo.InvariantCulture));
        }
    }
}
