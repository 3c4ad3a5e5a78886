using RawEngine.Tests.Conformance;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Batch;

/// <summary>Runs where a real one-node Slurm can be started: as root, with Debian's slurm-wlm and munge (./test installs them as root).</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess) Skip = "the Slurm test starts munged, slurmctld and slurmd: it needs root";
        else if (!new[] { "/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch" }.All(File.Exists))
            Skip = "the Slurm test needs Debian's slurm-wlm and munge (./test installs them when run as root)";
    }
}

public class SlurmArrayTests
{
    private static readonly string Script = Path.Combine(SharedData.RepositoryRoot, "deploy", "slurm", "single-node.sh");
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    [SlurmFact]
    public async Task TheArrayJobConvertsEveryRawOnceAndTheReportSaysSo()
    {
        using var temp = new TempFolder();
        BatchFixtures.WriteRaws(temp, 7);
        Assert.Equal(0, (await CliRunner.RunAsync("convert", temp.File("raws"), "-o", temp.File("single"))).ExitCode);
        var state = temp.File("slurm");
        var started = ChildProcess.Run("bash", [Script, "start", state], Limit);
        try
        {
            Assert.True(started.ExitCode == 0, started.Error);
            var variables = new Dictionary<string, string>
            {
                ["SLURM_CONF"] = Path.Combine(state, "slurm.conf"),
                ["IN"] = temp.File("raws"),
                ["OUT"] = temp.File("sharded"),
                ["RAWENGINE"] = Path.Combine(AppContext.BaseDirectory, "rawengine"),
            };
            // Tasks 1..3 (Slurm's numbering) are shards 0/3..2/3; one CPU and little memory each, so two run at once.
            var submitted = ChildProcess.Run("sbatch", ["--parsable", "--array=1-3", "--cpus-per-task=1", "--mem-per-cpu=200M", $"--chdir={temp.Path}",
                Path.Combine(SharedData.RepositoryRoot, "deploy", "slurm", "convert-array.sbatch")], Limit, variables);
            Assert.True(submitted.ExitCode == 0, submitted.Error);
            var job = submitted.Out.Trim();
            // Polled rather than sbatch --wait, whose back-off between polls grows to many seconds.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (ChildProcess.Run("squeue", ["-h", "-j", job], Limit, variables).Out.Trim().Length > 0 && clock.Elapsed < Limit) await Task.Delay(250);
            var states = ChildProcess.Run("scontrol", ["-o", "show", "job", job], Limit, variables).Out;

            var logs = string.Concat(Directory.EnumerateFiles(temp.Path, "*.log").Select(File.ReadAllText));
            Assert.True(System.Text.RegularExpressions.Regex.Matches(states, @"JobState=COMPLETED").Count == 3, states + logs);
            Assert.Equal(BatchFixtures.Pictures(temp.File("single")), BatchFixtures.Pictures(temp.File("sharded")));
            var report = await CliRunner.RunAsync("batch", "report", temp.File("sharded"));
            Assert.True(report.ExitCode == 0, report.Out);
            Assert.Contains("7 files: 7 done, 0 failed, 0 pending", report.Out);
            Assert.Contains("shard 2/3: 2 done", report.Out);
        }
        finally
        {
            ChildProcess.Run("bash", [Script, "stop", state], Limit);
        }
    }
}
