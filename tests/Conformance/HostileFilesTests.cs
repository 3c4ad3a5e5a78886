using RawEngine.Tests.Support;

namespace RawEngine.Tests.Conformance;

/// <summary>
/// raw-hostile: crash reproducers from other raw parsers and real camera files cut short. Each must be
/// refused cleanly: exit 1, one stderr line <c>rawengine: FILE: reason</c>, no output file, and soon.
/// </summary>
public class HostileFilesTests
{
    /// <summary>The largest is 16 MB of Sony data cut to 1.3 MB; LibRaw gives up on each in well under a second.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Files() => new(ConformanceCorpus.HostileFiles(ProtocolConvert.TestData).Select(Path.GetFileName)!);

    [SharedTheory("the raw-hostile files")]
    [MemberData(nameof(Files))]
    public async Task IsRefusedInOneLineWithNoOutput(string name)
    {
        using var temp = new TempFolder();
        var (input, output, result) = await ConvertWithinLimitAsync(name, temp);
        var problems = ProtocolConvert.RefusalProblems(result, input, output);
        Assert.True(problems.Count == 0, $"{name}: {string.Join("; ", problems)}\nstderr:\n{result.Error}");
    }

    /// <summary>LibRaw "decodes" this one, 93% of its columns flat: only a developer that checks the data's length can tell.</summary>
    [SharedFact("the truncated Sony ARW in raw-hostile")]
    public async Task TruncatedSonyArwSaysItIsTruncated()
    {
        using var temp = new TempFolder();
        var (input, _, result) = await ConvertWithinLimitAsync("truncated_sony_slt_a55.ARW", temp);
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}, not 1: {result.Error.Trim()}");
        var line = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.StartsWith($"rawengine: {input}: ", line);
        Assert.Contains("truncated", line, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<(string Input, string Output, CliRunner.Result Result)> ConvertWithinLimitAsync(string name, TempFolder temp)
    {
        var input = Path.Combine(ProtocolConvert.TestData, "raw-hostile", name);
        var output = temp.File("out.tif");
        var convert = ProtocolConvert.RunAsync(input, output);
        // A hung convert cannot be stopped in-process: fail saying so and leave it running.
        if (await Task.WhenAny(convert, Task.Delay(Limit)) != convert)
            Assert.Fail($"{name}: no answer within {Limit.TotalSeconds} s");
        return (input, output, await convert);
    }
}
