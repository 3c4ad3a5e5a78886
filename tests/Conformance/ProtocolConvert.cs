using RawEngine.Tests.Support;

namespace RawEngine.Tests.Conformance;

/// <summary>The conformance protocol's <c>rawengine convert</c>, in-process, and what a clean refusal looks like.</summary>
internal static class ProtocolConvert
{
    public static string TestData => SharedData.Shared("testdata");

    /// <summary><c>convert INPUT -o OUTPUT --format tif --bits 16 --tone none --profile srgb</c>, then any <paramref name="extra"/> options.</summary>
    public static Task<CliRunner.Result> RunAsync(string input, string output, params string[] extra) =>
        CliRunner.RunAsync(["convert", input, "-o", output, .. ConformanceCorpus.ConvertArguments, .. extra]);

    /// <summary>
    /// Everything wrong with how a file that cannot be developed was refused: exit 1, exactly one line on
    /// stderr, <c>rawengine: INPUT: reason</c>, nothing on stdout, no output file. Empty when it was clean.
    /// </summary>
    public static List<string> RefusalProblems(CliRunner.Result result, string input, string output)
    {
        var problems = new List<string>();
        if (result.ExitCode != 1) problems.Add($"exit {result.ExitCode}, not 1");
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length != 1) problems.Add($"{lines.Length} lines on stderr, not 1");
        if (lines.Length == 0 || !lines[0].StartsWith($"rawengine: {input}: ", StringComparison.Ordinal) || lines[0].Length <= $"rawengine: {input}: ".Length)
            problems.Add($"the first stderr line is not 'rawengine: {input}: <reason>'");
        if (result.Out.Length > 0) problems.Add($"stdout is not empty: {result.Out.Trim()}");
        var folder = Path.GetDirectoryName(output)!;
        var left = Directory.EnumerateFiles(folder).Where(f => f != input).Select(Path.GetFileName).ToList();
        if (left.Count > 0) problems.Add($"left {string.Join(", ", left)} in the output folder");
        return problems;
    }
}
