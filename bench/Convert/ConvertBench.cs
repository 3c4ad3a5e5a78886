using System.Diagnostics;
using System.Globalization;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;

namespace RawEngine.Bench.Convert;

/// <summary>
/// `bench -- convert [pairs] [--against PATH] [--keep DIR] [--peers LIST]`: a 24 MP Bayer DNG (6000x4000 RGGB, black 512, white
/// 16383, ISO 400 Poisson-Gaussian noise, BaselineExposure 0: the Kodak images tiled when ../shared has them, else the
/// synthetic chart) to an 8-bit sRGB JPEG end to end through `./rawengine convert` (process start included, as a user
/// runs it), side by side with `dcraw_emu -w -T -Z` (and darktable-cli, rawtherapee-cli when installed) and with
/// `--memory-budget 256`: `pairs` rounds (default 5), each running every program once, the order rotating every round.
/// Reports median wall time and peak RSS of each, and each peer's ratio as the ratio of the medians and as the median
/// of the rounds' ratios (steadier on a loaded machine). <c>--against PATH</c> adds another build's launcher to the
/// rounds (an older checkout's <c>rawengine</c>, for a before/after); <c>--keep DIR</c> works in DIR and reuses a DNG
/// already there; <c>--peers dcraw_emu,...</c> runs only the named peers (darktable's and RawTherapee's 4-10 s runs
/// make each round long, and load the machine for the programs after them). Then per-module wall and CPU times of one render.
/// `bench -- convert modules` prints only the per-module times (no processes, no peers).
/// </summary>
public static class ConvertBench
{
    private sealed record Contender(string Name, string Program, string[] Arguments, string? PeakTarget = null);

    public static int Run(MetricReport report, string[] args)
    {
        var modulesOnly = false;
        var pairs = 5;
        string? against = null, keep = null;
        string[]? peerPrograms = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "modules": modulesOnly = true; break;
                case "--against" when i + 1 < args.Length: against = Path.GetFullPath(args[++i]); break;
                case "--keep" when i + 1 < args.Length: keep = Path.GetFullPath(args[++i]); break;
                case "--peers" when i + 1 < args.Length: peerPrograms = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                default:
                    if (!int.TryParse(args[i], CultureInfo.InvariantCulture, out pairs) || pairs < 1)
                    {
                        Console.Error.WriteLine($"bench convert: '{args[i]}' is not a number of pairs, 'modules', --against PATH, --keep DIR or --peers LIST");
                        return 2;
                    }
                    break;
            }
        }
        var root = RepositoryRoot();
        var work = keep ?? Directory.CreateTempSubdirectory("rawengine-bench-convert-").FullName;
        Directory.CreateDirectory(work);
        try
        {
            var dng = Path.Combine(work, "bench24mp.dng");
            if (!File.Exists(dng)) DngWriter.Write(BenchRaw(root), dng);
            if (modulesOnly)
            {
                ReportModuleTimes(report, dng);
                return 0;
            }
            var rawengine = Path.Combine(root, "rawengine");
            Timed.Once(rawengine, ["--version"], work); // builds the Release binary if it is stale

            string[] ConvertTo(string name) => ["convert", dng, "-o", Path.Combine(work, name), "--overwrite"];
            var contenders = new List<Contender>
            {
                new("rawengine convert", rawengine, ConvertTo("ours.jpg"), "<= 400"),
                new("rawengine --memory-budget 256", rawengine, [.. ConvertTo("budget.jpg"), "--memory-budget", "256"], "<= 400"),
            };
            if (against is not null) contenders.Add(new("rawengine (--against build)", against, ConvertTo("against.jpg")));
            var peers = new (string Name, string Program, string[] Arguments, string Target)[]
            {
                ("dcraw_emu -w 8-bit TIFF", "dcraw_emu", ["-w", "-T", "-Z", Path.Combine(work, "dcraw.tiff"), dng], "<= 0.70"),
                ("darktable-cli JPEG", "darktable-cli", [dng, Path.Combine(work, "dt.jpg"), "--core", "--configdir", Path.Combine(work, "dtconf")], "< 1"),
                ("rawtherapee-cli JPEG", "rawtherapee-cli", ["-Y", "-o", Path.Combine(work, "rt.jpg"), "-c", dng], "< 1"),
            };
            var peerTargets = new Dictionary<string, string>();
            foreach (var (name, program, arguments, target) in peers)
            {
                if (peerPrograms is not null && !peerPrograms.Contains(program)) continue;
                if (Timed.Find(program) is not { } path)
                {
                    Console.Error.WriteLine($"bench: {program} is not installed; skipped (apt-get install libraw-bin darktable rawtherapee)");
                    continue;
                }
                contenders.Add(new(name, path, arguments));
                peerTargets[name] = target;
            }

            foreach (var contender in contenders) Timed.Once(contender.Program, contender.Arguments, work); // file cache and binaries warm
            var samples = contenders.ToDictionary(c => c.Name, _ => new List<Timed.Sample>());
            for (var round = 0; round < pairs; round++)
            {
                for (var k = 0; k < contenders.Count; k++)
                {
                    var contender = contenders[(k + round) % contenders.Count];
                    samples[contender.Name].Add(Timed.Once(contender.Program, contender.Arguments, work));
                }
                Console.Error.WriteLine($"  round {round + 1}/{pairs}: " + string.Join(", ", contenders.Select(c => $"{c.Name} {samples[c.Name][^1].Seconds:F2} s")) + $" (load {Timing.LoadAverage()})");
            }

            var ours = samples[contenders[0].Name];
            var oursSeconds = Timing.Median(ours.Select(s => s.Seconds));
            foreach (var contender in contenders)
            {
                var runs = samples[contender.Name];
                var seconds = Timing.Median(runs.Select(s => s.Seconds));
                var isPeer = peerTargets.TryGetValue(contender.Name, out var target);
                report.Add(new Metric($"{contender.Name} wall", seconds, "s"));
                report.Add(new Metric($"{contender.Name} CPU", Timing.Median(runs.Select(s => s.CpuSeconds)), "s"));
                report.Add(new Metric($"{contender.Name} peak RSS", Timing.Median(runs.Select(s => s.PeakMegabytes)), "MB", Target: contender.PeakTarget));
                if (contender == contenders[0]) continue;
                report.Add(new Metric($"rawengine vs {contender.Name}", oursSeconds, "ratio", seconds, isPeer ? target : null));
                report.Add(new Metric($"rawengine / {contender.Name}, median of rounds", Timing.Median(ours.Zip(runs, (a, b) => a.Seconds / b.Seconds)), "ratio", Target: isPeer ? target : null));
            }
            Console.Error.WriteLine($"bench convert: load average {Timing.LoadAverage()} at the end, {Environment.ProcessorCount} cores");

            ReportModuleTimes(report, dng);
            return 0;
        }
        finally
        {
            if (keep is null) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The 24 MP raw: Kodak 1-24 tiled (portrait ones turned) over 6000x4000 when ../shared has them, else the
    /// synthetic chart; ISO 400 noise, the synthetic camera's defaults otherwise (RGGB, black 512, white 16383, white clipping).
    /// </summary>
    private static RawImage BenchRaw(string root)
    {
        var options = new SyntheticRawOptions { Noise = SensorNoise.AtIso(400) };
        var kodak = Path.Combine(root, "..", "shared", "testdata", "kodak24");
        if (!File.Exists(Path.Combine(kodak, "kodim24.png")))
        {
            Console.Error.WriteLine($"bench convert: {kodak} not found; the raw is the synthetic chart");
            return SyntheticRaw.Chart(Width, Height, options);
        }
        var images = Enumerable.Range(1, 24).Select(k => Landscape(ImageFile.LoadSrgb8(Path.Combine(kodak, $"kodim{k:00}.png")))).ToArray();
        const int cellWidth = 768, cellHeight = 512;
        var rgb = new byte[Width * Height * 3];
        var columns = (Width + cellWidth - 1) / cellWidth;
        for (var y = 0; y < Height; y++)
            for (var cx = 0; cx < columns; cx++)
            {
                var image = images[(y / cellHeight * columns + cx) % images.Length];
                var width = Math.Min(cellWidth, Width - cx * cellWidth);
                image.Rgb.AsSpan(y % cellHeight * cellWidth * 3, width * 3).CopyTo(rgb.AsSpan((y * Width + cx * cellWidth) * 3));
            }
        return SyntheticRaw.Create(LinearScene.FromSrgb8(new Srgb8Image(Width, Height, rgb)), options);
    }

    private const int Width = 6000, Height = 4000;

    /// <summary>A 512x768 image turned to 768x512 (transposed); a landscape one as it is.</summary>
    private static Srgb8Image Landscape(Srgb8Image image)
    {
        if (image.Width >= image.Height) return image;
        var rgb = new byte[image.Rgb.Length];
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
                image.Rgb.AsSpan((y * image.Width + x) * 3, 3).CopyTo(rgb.AsSpan((x * image.Height + y) * 3));
        return new Srgb8Image(image.Height, image.Width, rgb);
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

    /// <summary>
    /// Per-stage times of an export render, in process, timed as each stage reports completion: the second of two
    /// renders, so that compiling the kernels (which the CLI does on its warm-up raw while the file decodes) is not counted.
    /// </summary>
    private static List<(string Stage, double Seconds, double CpuSeconds)> ModuleTimes(string dng)
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 });
        using var session = engine.Open(dng);
        session.RenderExportAsync(Edit.Empty).GetAwaiter().GetResult().Dispose();
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
    /// <summary>Wall seconds, peak resident memory, what the program printed on stderr, and its CPU seconds (user + system).</summary>
    public readonly record struct Sample(double Seconds, double PeakMegabytes, string Error = "", double CpuSeconds = 0);

    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    public static Sample Once(string program, string[] arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo("/usr/bin/time") { WorkingDirectory = workingDirectory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["-f", "TIMED %e %M %U %S", program, .. arguments]) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        _ = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var line = error.Split('\n').LastOrDefault(l => l.StartsWith("TIMED ", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException($"{program} gave no timing: {error}");
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {error}");
        var parts = line.Split(' ');
        double Number(int k) => double.Parse(parts[k], CultureInfo.InvariantCulture);
        return new Sample(Number(1), Number(2) / 1024, error, Number(3) + Number(4));
    }
}
