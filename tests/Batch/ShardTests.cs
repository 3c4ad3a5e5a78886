using RawEngine.Cli.Batch;
using RawEngine.Cli.Convert;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Batch;

public class ShardTests
{
    private static readonly string[] Keys = [.. Enumerable.Range(0, 37).Select(i => $"IMG_{(i * 7919) % 1000:D4}.dng")];

    [Fact]
    public void EveryInputIsInExactlyOneShardAndShardsDifferByAtMostOne()
    {
        for (var count = 1; count <= 8; count++)
        {
            var shards = Enumerable.Range(0, count).Select(i => new Shard(i, count).Select(Keys, k => k)).ToList();
            var all = shards.SelectMany(s => s).ToList();
            Assert.Equal(Keys.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
            Assert.Equal(Keys.Length, all.Distinct().Count());
            Assert.True(shards.Max(s => s.Count) - shards.Min(s => s.Count) <= 1, $"N={count}: shard sizes {string.Join(",", shards.Select(s => s.Count))}");
        }
    }

    [Fact]
    public void TheShareDoesNotDependOnTheOrderTheInputsComeIn()
    {
        var reversed = Keys.Reverse().ToArray();
        for (var count = 1; count <= 8; count++)
            for (var index = 0; index < count; index++)
                Assert.Equal(new Shard(index, count).Select(Keys, k => k), new Shard(index, count).Select(reversed, k => k));
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/8", 3, 8)]
    public void ParsesIndexOverCount(string text, int index, int count) => Assert.Equal(new Shard(index, count), Shard.Parse(text));

    [Theory]
    [InlineData("8/8")]
    [InlineData("1/0")]
    [InlineData("-1/4")]
    [InlineData("1")]
    [InlineData("a/b")]
    public void RefusesWhatIsNotAShard(string text) => Assert.Throws<UsageException>(() => Shard.Parse(text));

    public static TheoryData<string, int?, int, int> SchedulerCases => new()
    {
        { "SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4", null, 2, 4 },
        { "SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=4", null, 2, 4 },
        { "SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=4", null, 3, 4 },
        { "JOB_COMPLETION_INDEX=5 RAWENGINE_SHARD_COUNT=6", null, 5, 6 },
        { "JOB_COMPLETION_INDEX=5 RAWENGINE_SHARD_COUNT=6", 10, 5, 10 },
    };

    [Theory]
    [MemberData(nameof(SchedulerCases))]
    public void AutoReadsSlurmAndKubernetesVariables(string variables, int? countOption, int index, int count)
    {
        var environment = Variables(variables);
        Assert.Equal(new Shard(index, count), Shard.FromScheduler(n => environment.GetValueOrDefault(n), countOption));
    }

    [Theory]
    [InlineData("", "no scheduler variables")]
    [InlineData("JOB_COMPLETION_INDEX=1", "--shard-count")]
    [InlineData("SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT")]
    [InlineData("SLURM_ARRAY_TASK_ID=x SLURM_ARRAY_TASK_COUNT=2", "not a whole number")]
    [InlineData("SLURM_ARRAY_TASK_ID=12 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=4", "0 <= I < N")]
    public async Task AutoWithoutUsableVariablesIsAUsageError(string variables, string reason)
    {
        using var temp = new TempFolder();
        var raw = BatchFixtures.WriteRaws(temp, 1)[0];

        var result = await CliRunner.RunWithEnvironmentAsync(Variables(variables), "convert", raw, "-o", temp.File("out"), "--shard", "auto");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("rawengine: --shard auto: ", result.Error);
        Assert.Contains(reason, result.Error);
        Assert.Equal(1, result.Error.Count(c => c == '\n'));
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Fact]
    public async Task ShardCountWithoutAutoIsAUsageError()
    {
        using var temp = new TempFolder();
        var raw = BatchFixtures.WriteRaws(temp, 1)[0];

        var result = await CliRunner.RunAsync("convert", raw, "-o", temp.File("out"), "--shard", "0/2", "--shard-count", "2");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--shard-count goes with --shard auto", result.Error);
    }

    private static Dictionary<string, string> Variables(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v[1]);
}
