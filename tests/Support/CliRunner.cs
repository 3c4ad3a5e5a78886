using RawEngine.Cli;

namespace RawEngine.Tests.Support;

/// <summary>Runs the <c>rawengine</c> command tree in-process and captures what it prints.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await RawEngineCommand.RunAsync(args, new CliContext(output, error));
        return new Result(code, output.ToString(), error.ToString());
    }
}
