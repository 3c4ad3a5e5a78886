using Microsoft.Extensions.Logging;
using RawEngine.AI.Registry;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Ai;

/// <summary>Paths of the models the AI tests use, found from the repository root.</summary>
internal static class AiTestFiles
{
    private static string RepoRoot => SharedData.RepositoryRoot;

    /// <summary>The models the project ships (models/: demosaicnet, our trained denoiser and segmenters), each
    /// package folder named after its id.</summary>
    public static string ShippedModels => Path.Combine(RepoRoot, "models");

    public const string DemosaicNetBayer = "demosaic-demosaicnet-bayer";
    public const string DemosaicNetXTrans = "demosaic-demosaicnet-xtrans";

    /// <summary>The project's test fixtures: tiny contract-only models and small untrained exports.</summary>
    public static string TestModels => Path.Combine(RepoRoot, "testdata", "models");

    public static string InvalidModels => Path.Combine(RepoRoot, "testdata", "models-invalid");

    public static string TestModel(string id, string file = "model.onnx") => Path.Combine(TestModels, id, file);

    /// <summary>A models folder at <paramref name="root"/> holding links to the named shipped packages only, for
    /// tests that need a registry of exactly those.</summary>
    public static string ShippedSubset(string root, params string[] ids)
    {
        Directory.CreateDirectory(root);
        foreach (var id in ids) Directory.CreateSymbolicLink(Path.Combine(root, id), Path.Combine(ShippedModels, id));
        return Path.GetFullPath(root);
    }

    /// <summary>An environment with no RAWENGINE_MODELS and the XDG folders inside <paramref name="home"/>.</summary>
    public static ModelEnvironment IsolatedEnvironment(string home, string? modelsVariable = null) =>
        new(name => name == ModelEnvironment.ModelsVariable ? modelsVariable : null, home);
}

/// <summary>A logger that keeps what it is told, so tests can read what the library logged.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToArray(); } }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}

/// <summary>A logger factory that keeps the values of type <typeparamref name="T"/> logged under one structured name
/// (a message template's <c>{Name}</c>), so tests can read what the library reported.</summary>
internal sealed class LoggedValues<T>(string name) : ILoggerFactory, ILogger
{
    private readonly List<T> _values = [];

    public IReadOnlyList<T> Values { get { lock (_values) return [.. _values]; } }

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            foreach (var (key, value) in values)
                if (key == name && value is T kept)
                    lock (_values) _values.Add(kept);
    }

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }
}
