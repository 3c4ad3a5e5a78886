using RawEngine.AI.Registry;

namespace RawEngine.Cli;

/// <summary>Where a command writes, so tests can run commands in-process.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error)
{
    public static CliContext Console { get; } = new(System.Console.Out, System.Console.Error);

    /// <summary>Where <c>RAWENGINE_MODELS</c>, the user's models folder and the active-model config are
    /// read from: the process's environment, or one a test sets up in a temporary folder.</summary>
    public ModelEnvironment ModelEnvironment { get; init; } = ModelEnvironment.Process;

    /// <summary>Opens the byte stream behind <c>-o -</c>: the process's standard output, or a test's buffer.</summary>
    public Func<Stream> OpenStandardOutput { get; init; } = System.Console.OpenStandardOutput;

    /// <summary>Reads an environment variable (a scheduler's, for <c>--shard auto</c>): the process's, or a test's.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Where the library's log goes: warnings on stderr, more with <c>--verbose</c>.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory LoggerFactory { get; init; } =
        new CliLoggerFactory(Error, Microsoft.Extensions.Logging.LogLevel.Warning);

    /// <summary>The one-line error form every command uses: <c>rawengine: &lt;file&gt;: &lt;reason&gt;</c>.</summary>
    public void Fail(string message) => Error.WriteLine($"rawengine: {message}");
}

/// <summary>Process exit codes shared by every command.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int ProcessingError = 1;
    public const int UsageError = 2;
}
