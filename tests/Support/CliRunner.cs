using RawEngine.AI.Registry;
using RawEngine.Cli;

namespace RawEngine.Tests.Support;

/// <summary>Runs the <c>rawengine</c> command tree in-process and captures what it prints.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error, byte[] StandardOutputBytes);

    public static Task<Result> RunAsync(params string[] args) => RunAsync(ModelEnvironment.Process, args);

    /// <summary>Runs with <paramref name="models"/> in place of the process's environment for
    /// <c>RAWENGINE_MODELS</c>, the user's models folder and the active-model config.</summary>
    public static Task<Result> RunAsync(ModelEnvironment models, params string[] args) => RunAsync(models, Environment.GetEnvironmentVariable, args);

    /// <summary>Runs with <paramref name="variables"/> as the whole environment the command reads (e.g. a scheduler's).</summary>
    public static Task<Result> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string> variables, params string[] args) =>
        RunAsync(ModelEnvironment.Process, name => variables.GetValueOrDefault(name), args);

    private static async Task<Result> RunAsync(ModelEnvironment models, Func<string, string?> environment, string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var bytes = new MemoryStream();
        var context = new CliContext(output, error)
        {
            ModelEnvironment = models, Environment = environment, OpenStandardOutput = () => new NonClosingStream(bytes),
        };
        var code = await RawEngineCommand.RunAsync(args, context);
        return new Result(code, output.ToString(), error.ToString(), bytes.ToArray());
    }

    /// <summary>Lets a command dispose "standard output" without losing what it wrote.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
