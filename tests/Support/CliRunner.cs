using RawEngine.AI.Registry;
using RawEngine.Cli;

namespace RawEngine.Tests.Support;

/// <summary>Runs the <c>rawengine</c> command tree in-process and captures what it prints.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static Task<Result> RunAsync(params string[] args) => RunAsync(ModelEnvironment.Process, args);

    /// <summary>Runs with <paramref name="models"/> in place of the process's environment for
    /// <c>RAWENGINE_MODELS</c>, the user's models folder and the active-model config.</summary>
    public static async Task<Result> RunAsync(ModelEnvironment models, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await RawEngineCommand.RunAsync(args, new CliContext(output, error) { ModelEnvironment = models });
        return new Result(code, output.ToString(), error.ToString());
    }
}
