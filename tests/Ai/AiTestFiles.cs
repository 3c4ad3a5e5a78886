using Microsoft.Extensions.Logging;
using RawEngine.AI.Registry;

namespace RawEngine.Tests.Ai;

/// <summary>Paths of the models the AI tests use, found from the repository root, and scratch folders.</summary>
internal static class AiTestFiles
{
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The third-party pretrained models (demosaicnet) shared beside the repository.</summary>
    public static string SharedModels => Path.Combine(RepoRoot, "..", "shared", "models");

    /// <summary>The project's own tiny models (tools/make_test_models.py).</summary>
    public static string TestModels => Path.Combine(RepoRoot, "testdata", "models");

    public static string InvalidModels => Path.Combine(RepoRoot, "testdata", "models-invalid");

    public static string TestModel(string id, string file = "model.onnx") => Path.Combine(TestModels, id, file);

    /// <summary>An environment with no RAWENGINE_MODELS and the XDG folders inside <paramref name="home"/>.</summary>
    public static ModelEnvironment IsolatedEnvironment(string home, string? modelsVariable = null) =>
        new(name => name == ModelEnvironment.ModelsVariable ? modelsVariable : null, home);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawEngine.sln"))) return dir.FullName;
        throw new InvalidOperationException("RawEngine.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder deleted with everything in it at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rawengine-ai-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
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
