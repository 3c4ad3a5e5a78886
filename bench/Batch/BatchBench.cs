using System.Diagnostics;
using System.Globalization;
using RawEngine.Bench.Convert;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Synthetic;

namespace RawEngine.Bench.Batch;

/// <summary>
/// `bench -- batch [shards] [runs]`: a library conversion through `./rawengine convert` as schedulers run it. N shard
/// processes (`--shard i/N`, each pinned to a core with taskset, at once) against one process with `--jobs N` over the same 24 raws of
/// 1.7 MP (median wall of `runs`, default 3; N defaults to the cores); the cost per 1,000 raws in core-seconds; the
/// peak memory of a shard; then what a resumed shard spends per file it skips as done (as it reports it, over 400).
/// </summary>
public static class BatchBench
{
    private const int Files = 24, DoneFiles = 400;

    public static int Run(MetricReport report, string[] args)
    {
        var shards = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var rawengine = Path.Combine(ConvertBench.RepositoryRoot(), "rawengine");
        var work = Directory.CreateTempSubdirectory("rawengine-bench-batch-").FullName;
        try
        {
            Timed.Once(rawengine, ["--version"], work); // builds the Release binary if it is stale
            var raws = WriteRaws(Path.Combine(work, "raws"), Files, 1600, 1066);

            var oneProcess = Median(runs, run => [Timed.Once(rawengine, ["convert", raws, "-o", Path.Combine(work, $"jobs{run}"), "--jobs", $"{shards}"], work)]);
            // Each shard pinned to a core of its own, as a scheduler's CPU allocation does (Slurm's cgroups, a pod's CPU
            // limit), so that a shard's engine sizes its threads to its core rather than to the whole machine.
            var taskset = Timed.Find("taskset");
            var sharded = Median(runs, run => Task.WhenAll(Enumerable.Range(0, shards).Select(i => Task.Run(() =>
            {
                string[] convert = [rawengine, "convert", raws, "-o", Path.Combine(work, $"shards{run}"), "--shard", $"{i}/{shards}", "--jobs", "1"];
                return taskset is null ? Timed.Once(convert[0], convert[1..], work) : Timed.Once(taskset, ["-c", $"{i % Environment.ProcessorCount}", .. convert], work);
            }))).Result);
            report.Add(new Metric($"one process --jobs {shards}: wall for {Files} raws", oneProcess.Seconds, "s"));
            report.Add(new Metric($"{shards} shard processes: wall for {Files} raws", sharded.Seconds, "s", oneProcess.Seconds, "ratio <= 1.10"));
            report.Add(new Metric($"{shards} shard processes: throughput", Files / sharded.Seconds, "raws/s"));
            report.Add(new Metric("shard peak RSS (--jobs 1, 1.7 MP raws)", sharded.PeakMegabytes, "MB"));
            report.Add(new Metric($"cost per 1,000 raws of 1.7 MP ({shards} shards)", sharded.Seconds * shards / Files * 1000 / 3600, "core-hours"));

            // What resuming costs per done file, as the resumed run reports it: journals read, each input's stamp and
            // settings hash compared (process start and engine set-up are the same with or without done files).
            var done = WriteRaws(Path.Combine(work, "done"), DoneFiles, 96, 64);
            string[] resume = ["convert", done, "-o", Path.Combine(work, "done-out"), "--resume", "--jobs", $"{shards}"];
            Timed.Once(rawengine, resume, work);
            var checkMilliseconds = Enumerable.Range(0, runs).Select(_ => SkipCheckMilliseconds(rawengine, resume, work)).Order().ElementAt(runs / 2);
            report.Add(new Metric($"resume: time per done file skipped ({DoneFiles} done)", checkMilliseconds / DoneFiles, "ms", Target: "< 1"));
            report.PrintTable();
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Runs a resume over done files and reads how long it took to find them done from its summary line.</summary>
    private static double SkipCheckMilliseconds(string rawengine, string[] arguments, string work)
    {
        var error = Timed.Once(rawengine, arguments, work).Error;
        var match = System.Text.RegularExpressions.Regex.Match(error, @"already done, skipped \(checked in (\d+) ms\)");
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : throw new InvalidOperationException($"no skip summary in: {error}");
    }

    /// <summary>The median over <paramref name="runs"/> of a step's wall time (its processes at once), with their highest peak memory.</summary>
    private static Timed.Sample Median(int runs, Func<int, Timed.Sample[]> step)
    {
        var samples = Enumerable.Range(0, runs).Select(run =>
        {
            var clock = Stopwatch.StartNew();
            var processes = step(run);
            return new Timed.Sample(clock.Elapsed.TotalSeconds, processes.Max(p => p.PeakMegabytes));
        }).ToList();
        return new Timed.Sample(samples.Select(s => s.Seconds).Order().ElementAt(runs / 2), samples.Max(s => s.PeakMegabytes));
    }

    private static string WriteRaws(string folder, int count, int width, int height)
    {
        Directory.CreateDirectory(folder);
        for (var i = 0; i < count; i++)
            DngWriter.Write(SyntheticRaw.Chart(width, height, new SyntheticRawOptions { Exposure = 0.6 + 0.01 * (i % 40) }), Path.Combine(folder, $"IMG_{i:D4}.dng"));
        return folder;
    }
}
