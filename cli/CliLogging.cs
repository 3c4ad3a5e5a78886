using Microsoft.Extensions.Logging;

namespace RawEngine.Cli;

/// <summary>
/// The library's log as one stderr line per message: warnings always
/// (<c>rawengine: warning: ...</c>), everything down to debug with <c>--verbose</c>. Lines below warnings end with
/// the seconds since the process started (<c>[0.412 s]</c>): a convert's timeline, startup included.
/// </summary>
public sealed class CliLoggerFactory(TextWriter error, LogLevel minimum) : ILoggerFactory
{
    private static readonly DateTime ProcessStart = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();

    private static string Elapsed() =>
        (DateTime.UtcNow - ProcessStart).TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);

    public ILogger CreateLogger(string categoryName) => new Logger(error, minimum, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The CLI's log has one destination, standard error.");

    public void Dispose()
    {
    }

    private sealed class Logger(TextWriter error, LogLevel minimum, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = logLevel >= LogLevel.Warning
                ? $"rawengine: warning: {formatter(state, exception)}"
                : $"rawengine: {logLevel.ToString().ToLowerInvariant()}: {category}: {formatter(state, exception)} [{Elapsed()} s]";
            lock (error) error.WriteLine(line);
        }
    }
}
