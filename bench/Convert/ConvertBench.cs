using System.Diagnostics;
using System.Globalization;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;

namespace RawEngine.Bench.Convert;

/// <summary>
/// `bench -- convert [runs]`: a 24 MP synthetic Bayer DNG to an 8-bit sRGB JPEG end to end through
/// `./rawengine convert` (process start included, as a user runs it), beside the peers Debian ships
/// (dcraw_emu, darktable-cli, rawtherapee-cli) when installed, in one run: median wall time of
/// `runs` (default 3) and peak RSS, ratios against each peer; then per-module times of one render.
/// `bench -- convert modules` prints only the per-module times (no processes, no peers).
/// </summary>
public static class ConvertBench
{
    public static int Run(MetricReport report, string[] args)
    {
        var modulesOnly = args.FirstOrDefault() == "modules";
        var runs = args.Length > 0 && !modulesOnly ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var root = RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("rawengine-bench-convert-").FullName;
        try
        {
            var dng = Path.Combine(work, "chart24mp.dng");
            DngWriter.Write(SyntheticRaw.Chart(6000, 4000, new SyntheticRawOptions { Noise = SensorNoise.AtIso(400) }), dng);
            if (modulesOnly)
            {
                ReportModuleTimes(report, dng);
                return 0;
            }
            var rawengine = Path.Combine(root, "rawengine");
            Timed.Once(rawengine, ["--version"], work); // builds the Release binary if it is stale

            var ours = Timed.Median(runs, rawengine, ["convert", dng, "-o", Path.Combine(work, "ours.jpg"), "--overwrite"], work);
            report.Add(new Metric("rawengine convert wall", ours.Seconds, "s"));
            report.Add(new Metric("rawengine convert peak RSS", ours.PeakMegabytes, "MB", Target: "< 1024"));
            var budget = Timed.Median(runs, rawengine, ["convert", dng, "-o", Path.Combine(work, "budget.jpg"), "--overwrite", "--memory-budget", "256"], work);
            report.Add(new Metric("rawengine --memory-budget 256 wall", budget.Seconds, "s", ours.Seconds));
            report.Add(new Metric("rawengine --memory-budget 256 peak RSS", budget.PeakMegabytes, "MB", Target: "< 600"));

            var peers = new (string Name, string Program, string[] Args, string Target)[]
            {
                ("dcraw_emu 8-bit TIFF", "dcraw_emu", ["-T", "-Z", Path.Combine(work, "dcraw.tiff"), dng], "ratio < 0.5 (stretch)"),
                ("darktable-cli JPEG", "darktable-cli", [dng, Path.Combine(work, "dt.jpg"), "--core", "--configdir", Path.Combine(work, "dtconf")], "ratio < 1"),
                ("rawtherapee-cli JPEG", "rawtherapee-cli", ["-Y", "-o", Path.Combine(work, "rt.jpg"), "-c", dng], "ratio < 1"),
            };
            foreach (var (name, program, arguments, target) in peers)
            {
                if (Timed.Find(program) is not { } path)
                {
                    Console.Error.WriteLine($"bench: {program} is not installed; skipped (apt-get install libraw-bin darktable rawtherapee)");
                    continue;
                }
                var peer = Timed.Median(runs, path, arguments, work);
                report.Add(new Metric($"{name} wall", peer.Seconds, "s"));
                report.Add(new Metric($"{name} peak RSS", peer.PeakMegabytes, "MB"));
                report.Add(new Metric($"rawengine vs {name}", ours.Seconds, "ratio", peer.Seconds, target));
            }

            ReportModuleTimes(report, dng);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void ReportModuleTimes(MetricReport report, string dng)
    {
        foreach (var (stage, seconds, cpuSeconds) in ModuleTimes(dng))
        {
            report.Add(new Metric($"module {stage}", seconds * 1000, "ms"));
            // CPU time over all threads: steadier than wall time on a shared machine.
            report.Add(new Metric($"module {stage} CPU", cpuSeconds * 1000, "ms"));
        }
        report.PrintTable();
    }

    /// <summary>Per-stage times of one export render, in process, timed as each stage reports completion.</summary>
    private static List<(string Stage, double Seconds, double CpuSeconds)> ModuleTimes(string dng)
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 });
        using var session = engine.Open(dng);
        var clock = new StageClock();
        using var result = session.RenderExportAsync(Edit.Empty, progress: clock).GetAwaiter().GetResult();
        return clock.Stages;
    }

    private sealed class StageClock : IProgress<PipeProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Process _process = Process.GetCurrentProcess();
        private double _last;
        private double _lastCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        public List<(string Stage, double Seconds, double CpuSeconds)> Stages { get; } = [];

        public void Report(PipeProgress value)
        {
            if (value.Tiles > 0) return;
            var now = _clock.Elapsed.TotalSeconds;
            _process.Refresh();
            var cpu = _process.TotalProcessorTime.TotalSeconds;
            Stages.Add((value.Stage, now - _last, cpu - _lastCpu));
            _last = now;
            _lastCpu = cpu;
        }
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawEngine.sln"))) return dir.FullName;
        throw new InvalidOperationException("RawEngine.sln not found above the bench binaries.");
    }
}

/// <summary>Runs a program under /usr/bin/time for wall seconds and peak resident memory.</summary>
internal static class Timed
{
    /// <summary>Wall seconds, peak resident memory, and what the program printed on stderr.</summary>
    public readonly record struct Sample(double Seconds, double PeakMegabytes, string Error = "");

    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    public static Sample Median(int runs, string program, string[] arguments, string workingDirectory)
    {
        var samples = Enumerable.Range(0, runs).Select(_ => Once(program, arguments, workingDirectory)).ToList();
        var seconds = samples.Select(s => s.Seconds).Order().ElementAt(runs / 2);
        var memory = samples.Select(s => s.PeakMegabytes).Order().ElementAt(runs / 2);
        return new Sample(seconds, memory);
    }

    public static Sample Once(string program, string[] arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo("/usr/bin/time") { WorkingDirectory = workingDirectory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["-f", "TIMED %e %M", program, .. arguments]) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        _ = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var line = error.Split('\n').LastOrDefault(l => l.StartsWith("TIMED ", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException($"{program} gave no timing: {error}");
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {error}");
        var parts = line.Split(' ');
        return new Sample(double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture) / 1024, error);
    }
}
