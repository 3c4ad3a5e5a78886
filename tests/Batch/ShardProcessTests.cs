using System.Diagnostics;
using RawEngine.Cli.Batch;
using RawEngine.Tests.Conformance;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Batch;

/// <summary>Shards as separate processes, as a scheduler runs them: the CLI built beside the tests, run as a child.</summary>
public class ShardProcessTests
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "rawengine");
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ParallelShardProcessesWriteTheSameBytesAsOneProcess()
    {
        using var temp = new TempFolder();
        BatchFixtures.WriteRaws(temp, 10);

        var single = ChildProcess.Run(Program, ["convert", temp.File("raws"), "-o", temp.File("single"), "--jobs", "3"], Limit);
        // Slurm numbers this array's tasks 1..3 (sbatch --array=1-3): shards 0/3, 1/3, 2/3.
        var shards = Enumerable.Range(1, 3).Select(task => Task.Run(() => ChildProcess.Run(Program,
            ["convert", temp.File("raws"), "-o", temp.File("sharded"), "--shard", "auto", "--resume"], Limit,
            new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = $"{task}", ["SLURM_ARRAY_TASK_MIN"] = "1", ["SLURM_ARRAY_TASK_MAX"] = "3" }))).ToList();
        var results = await Task.WhenAll(shards);

        Assert.True(single.ExitCode == 0, single.Error);
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Error));
        var expected = BatchFixtures.Pictures(temp.File("single"));
        Assert.Equal(10, expected.Count);
        Assert.Equal(expected, BatchFixtures.Pictures(temp.File("sharded")));
        var shardsRun = BatchFixtures.Journal(temp.File("sharded")).Where(e => e.Status == JournalStatus.Done).Select(e => e.Shard).Distinct().Order();
        Assert.Equal(["0/3", "1/3", "2/3"], shardsRun);
        var report = ChildProcess.Run(Program, ["batch", "report", temp.File("sharded")], Limit);
        Assert.True(report.ExitCode == 0, report.Out + report.Error);
        Assert.Contains("10 files: 10 done, 0 failed, 0 pending", report.Out);
    }

    [Fact]
    public void AShardKilledMidRunResumesWithoutRedoingWorkOrLeavingPartialFiles()
    {
        using var temp = new TempFolder();
        BatchFixtures.WriteRaws(temp, 24, 480, 320);
        var output = temp.File("out");
        string[] convert = ["convert", temp.File("raws"), "-o", output, "--shard", "0/1", "--resume"];

        var start = new ProcessStartInfo(Program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in convert) start.ArgumentList.Add(argument);
        using (var victim = Process.Start(start)!)
        {
            _ = victim.StandardError.ReadToEndAsync();
            _ = victim.StandardOutput.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (DoneKeys(output).Count < 3 && !victim.HasExited && clock.Elapsed < Limit) Thread.Sleep(5);
            victim.Kill(entireProcessTree: true);
            victim.WaitForExit();
        }
        var doneBeforeKill = DoneKeys(output);
        Assert.InRange(doneBeforeKill.Count, 3, 23); // killed mid-run, not before its first files nor after its last

        var pending = ChildProcess.Run(Program, ["batch", "report", output], Limit);
        Assert.Equal(1, pending.ExitCode);
        Assert.Contains($"24 files: {doneBeforeKill.Count} done, 0 failed, {24 - doneBeforeKill.Count} pending", pending.Out);

        var resumed = ChildProcess.Run(Program, convert, Limit);

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains($"{doneBeforeKill.Count} of 24 files already done, skipped", resumed.Error);
        var doneByResume = DoneKeys(output).Skip(doneBeforeKill.Count).ToList();
        Assert.Empty(doneByResume.Intersect(doneBeforeKill));
        Assert.Equal(24, doneBeforeKill.Concat(doneByResume).Distinct().Count());
        Assert.Equal(24, doneBeforeKill.Count + doneByResume.Count);
        var names = Directory.EnumerateFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(0, 24).Select(i => $"IMG_{i:D3}.jpg"), names);
        Assert.All(names, n => Assert.True(NetVips.Image.NewFromFile(Path.Combine(output, n!)).Width == 480, $"{n} is not a whole picture"));
        var report = ChildProcess.Run(Program, ["batch", "report", output], Limit);
        Assert.True(report.ExitCode == 0, report.Out);
    }

    private static List<string> DoneKeys(string output) =>
        [.. BatchFixtures.Journal(output).Where(e => e.Status == JournalStatus.Done).Select(e => e.Key!)];
}
