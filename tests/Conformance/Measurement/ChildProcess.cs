using System.Diagnostics;

namespace RawEngine.Tests.Conformance;

/// <summary>Runs a program to the end (or kills it at a limit) and keeps what it printed.</summary>
public static class ChildProcess
{
    public sealed record Result(int ExitCode, string Out, string Error);

    /// <param name="environment">Variables set for the child on top of this process's.</param>
    public static Result Run(string program, IEnumerable<string> arguments, TimeSpan limit, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {limit.TotalSeconds} s.");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
