using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RawEngine.Bench.Convert;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Synthetic;

namespace RawEngine.Bench.Serve;

/// <summary>
/// `bench -- serve [files]`: the editor's server (`./rawengine serve` in a process of its own, as a user runs it) as the
/// page uses it, over HTTP on loopback, on 24 MP synthetic
/// Bayer DNGs (6000x4000): the first 1024-px preview of a freshly opened raw (decode included), a re-render after
/// an exposure change beside one after a white-balance change (which recomputes every stage: what the cache
/// saves), a 512x512 tile at 100 % at a new place beside the same tile after an exposure change (alternating), and
/// the server process's peak memory (VmHWM) after browsing <c>files</c> (default 20) raws (thumbnail, edit and first preview each).
/// Medians.
/// </summary>
public static class ServeBench
{
    private const int Width = 6000, Height = 4000, PreviewWidth = 1024, Tile = 512, Runs = 7;

    public static int Run(MetricReport report, string[] args)
    {
        var files = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20;
        var work = Directory.CreateTempSubdirectory("rawengine-bench-serve-").FullName;
        try
        {
            var first = Path.Combine(work, "raw00.dng");
            DngWriter.Write(SyntheticRaw.Chart(Width, Height, new SyntheticRawOptions { Noise = SensorNoise.AtIso(400) }), first);
            // Copies are distinct images to the engine: its cache identity is the path.
            for (var i = 1; i < files; i++) File.Copy(first, Path.Combine(work, $"raw{i:00}.dng"));
            RunAsync(report, work, files).GetAwaiter().GetResult();
            report.Add(new Metric("load average (1 min) at the end", LoadAverage(), "load"));
            report.PrintTable();
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task RunAsync(MetricReport report, string folder, int files)
    {
        var rawengine = Path.Combine(ConvertBench.RepositoryRoot(), "rawengine");
        Timed.Once(rawengine, ["--version"], folder); // builds the Release binary if it is stale
        using var server = Process.Start(new ProcessStartInfo(rawengine, ["serve", folder, "--port", "0"]) { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("could not start ./rawengine serve");
        try
        {
            var url = await server.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("./rawengine serve printed no URL");
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
            await MeasureAsync(report, client, files, server.Id);
            report.Add(new Metric($"server peak RSS after browsing {files} raws", PeakMegabytes(server.Id), "MB", Target: "< 1024"));
        }
        finally
        {
            server.Kill();
        }
    }

    private static async Task MeasureAsync(MetricReport report, HttpClient client, int files, int pid)
    {
        // Warm the JIT on one file, then time first previews of files not opened before.
        await Post(client, Request("raw00.dng", Edit(0.7, "as_shot"), PreviewWidth));
        var firstPreview = new Samples(pid);
        for (var i = 1; i <= Math.Min(Runs, files - 1); i++)
            await firstPreview.Add(() => Post(client, Request($"raw{i:00}.dng", Edit(0.7, "as_shot"), PreviewWidth)));
        firstPreview.Report(report, "first 1024-px preview (decode included)", null, "<= 1500");

        // Re-renders of one open file as a slider moves: exposure changes (the stages before exposure stay cached) beside
        // white-balance changes (every stage from temperature on recomputes). In blocks, not alternating: a white-balance
        // change replaces the cached stages an exposure change would reuse. Exposure before and after, so drift shows in both.
        var exposure = new Samples(pid);
        var whiteBalance = new Samples(pid);
        await Post(client, Request("raw00.dng", Edit(0, "as_shot"), PreviewWidth));
        for (var i = 1; i <= Runs; i++) await exposure.Add(() => Post(client, Request("raw00.dng", Edit(0.1 * i, "as_shot"), PreviewWidth)));
        for (var i = 1; i <= Runs; i++) await whiteBalance.Add(() => Post(client, Request("raw00.dng", Edit(1, "custom", 2 + 0.01 * i), PreviewWidth)));
        await Post(client, Request("raw00.dng", Edit(0, "as_shot"), PreviewWidth));
        for (var i = 1; i <= Runs; i++) await exposure.Add(() => Post(client, Request("raw00.dng", Edit(-0.1 * i, "as_shot"), PreviewWidth)));
        exposure.Report(report, "preview re-render, exposure changed", whiteBalance, "<= 150");

        // 512x512 at 100 %: a new place each time, beside the same place after an exposure change.
        var moved = new Samples(pid);
        var reexposed = new Samples(pid);
        for (var i = 0; i < Runs; i++)
        {
            var roi = new JsonObject { ["x"] = 400 + 640 * i, ["y"] = 300 + 400 * i, ["w"] = Tile, ["h"] = Tile };
            await moved.Add(() => Post(client, Request("raw00.dng", Edit(1, "as_shot"), Tile, roi)));
            await reexposed.Add(() => Post(client, Request("raw00.dng", Edit(1.5, "as_shot"), Tile, (JsonObject)roi.DeepClone())));
        }
        moved.Report(report, "512x512 tile at 100 %, new place", null, "<= 250");
        reexposed.Report(report, "512x512 tile at 100 %, exposure changed", moved, null);

        // Browse every file as the page does: thumbnail, edit (size), first preview.
        for (var i = 0; i < files; i++)
        {
            var name = $"raw{i:00}.dng";
            (await client.GetAsync($"/api/thumb?file={name}")).EnsureSuccessStatusCode();
            (await client.GetAsync($"/api/edit?file={name}")).EnsureSuccessStatusCode();
            await Post(client, Request(name, null, PreviewWidth));
        }
    }

    /// <summary>Wall time of calls and the server's CPU time (all its threads) during them: CPU is steadier on a loaded machine.</summary>
    private sealed class Samples(int pid)
    {
        private readonly List<double> _wall = [];
        private readonly List<double> _cpu = [];

        public async Task Add(Func<Task> call)
        {
            var cpu = CpuMilliseconds(pid);
            var clock = Stopwatch.StartNew();
            await call();
            _wall.Add(clock.Elapsed.TotalMilliseconds);
            _cpu.Add(CpuMilliseconds(pid) - cpu);
        }

        public void Report(MetricReport report, string name, Samples? baseline, string? target)
        {
            report.Add(new Metric(name, Timing.Median(_wall), "ms", baseline is null ? null : Timing.Median(baseline._wall), target is null ? null : $"{target} ms"));
            report.Add(new Metric($"{name} (server CPU)", Timing.Median(_cpu), "ms", baseline is null ? null : Timing.Median(baseline._cpu)));
        }
    }

    /// <summary>User and system time of the process so far (/proc/PID/stat, in clock ticks of 10 ms).</summary>
    private static double CpuMilliseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command name: state is field 3, utime 14 and stime 15 (1-based over the whole line).
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) * 10.0;
    }

    private static JsonObject Request(string file, JsonObject? edit, int width, JsonObject? roi = null)
    {
        var body = new JsonObject { ["file"] = file, ["edit"] = edit, ["width"] = width };
        if (roi is not null) body["roi"] = roi;
        return body;
    }

    private static JsonObject Edit(double exposure, string whiteBalance, double red = 2) => new()
    {
        ["format"] = "rawengine-edit",
        ["version"] = 1,
        ["modules"] = new JsonArray(
            new JsonObject { ["module"] = "exposure", ["params"] = new JsonObject { ["exposure"] = exposure } },
            new JsonObject { ["module"] = "temperature", ["params"] = new JsonObject { ["mode"] = whiteBalance, ["red"] = red, ["blue"] = 1.5 } }),
    };

    private static async Task Post(HttpClient client, JsonObject body)
    {
        using var response = await client.PostAsJsonAsync("/api/render", body);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"render failed: {await response.Content.ReadAsStringAsync()}");
        await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>The process's peak resident memory (Linux VmHWM).</summary>
    private static double PeakMegabytes(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024)
            .Single();

    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) : double.NaN;
}
