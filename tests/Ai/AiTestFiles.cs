using Microsoft.Extensions.Logging;
using RawEngine.AI.Registry;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Ai;

/// <summary>Paths of the models the AI tests use, found from the repository root.</summary>
internal static class AiTestFiles
{
    private static string RepoRoot => SharedData.RepositoryRoot;

    /// <summary>The third-party pretrained models (demosaicnet) shared beside the repository.</summary>
    public static string SharedModels => SharedData.Shared("models");

    /// <summary>The project's own tiny models (tools/make_test_models.py).</summary>
    public static string TestModels => Path.Combine(RepoRoot, "testdata", "models");

    public static string InvalidModels => Path.Combine(RepoRoot, "testdata", "models-invalid");

    public static string TestModel(string id, string file = "model.onnx") => Path.Combine(TestModels, id, file);

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
