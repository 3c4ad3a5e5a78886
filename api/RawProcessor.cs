using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Iop;

namespace RawEngine;

/// <summary>What a <see cref="RawProcessor"/> is made with. Every field has a default that suits a desktop application.</summary>
public sealed record RawProcessorOptions
{
    /// <summary>Memory, cache, threads and GPU use of the engine underneath (<see cref="EngineOptions"/>).</summary>
    public EngineOptions Engine { get; init; } = new();

    /// <summary>Folders searched for neural models first, before <c>RAWENGINE_MODELS</c> and the user folder
    /// (<c>~/.local/share/rawengine/models</c>). Models are loaded only when an edit enables a neural module.</summary>
    public IReadOnlyList<string> ModelFolders { get; init; } = [];

    /// <summary>Where neural modules run: <see cref="ExecutionProvider.Auto"/> takes a GPU provider when its libraries are there, else the CPU.</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Auto;
}

/// <summary>
/// The object an application makes once and keeps: the standard modules, the neural models they may use, a buffer
/// pool and a cache shared by every raw it opens. Open raws with <see cref="OpenAsync(string, CancellationToken)"/>
/// and develop them through the <see cref="RawPhoto"/> it returns. Thread-safe; dispose it when the application ends.
/// The lower-level engine is <see cref="Engine"/>.
/// </summary>
public sealed class RawProcessor : IDisposable
{
    private readonly ModelServices? _models;
    private readonly bool _ownsEngine;

    /// <summary>The standard modules with models from <see cref="RawProcessorOptions.ModelFolders"/>; the library logs through <paramref name="loggerFactory"/>.</summary>
    public RawProcessor(RawProcessorOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        options ??= new RawProcessorOptions();
        loggerFactory ??= NullLoggerFactory.Instance;
        _models = new ModelServices(new ModelSearchOptions(options.ModelFolders), new InferenceSettings(options.Provider), loggerFactory: loggerFactory);
        Engine = new RenderEngine(StandardModules.CreateRegistry(_models), options.Engine, loggerFactory);
        _ownsEngine = true;
    }

    /// <summary>Develops through an engine the caller made and keeps (its modules, budget and cache); disposing this leaves it alone.</summary>
    public RawProcessor(RenderEngine engine)
    {
        Engine = engine;
    }

    /// <summary>The lower-level engine: modules, pipe, cache, sessions (<see cref="DevelopSession"/>).</summary>
    public RenderEngine Engine { get; }

    /// <summary>Decodes the raw at <paramref name="path"/> on the thread pool.</summary>
    /// <exception cref="RawDecodeException">The file cannot be read or is not a raw this engine develops.</exception>
    public Task<RawPhoto> OpenAsync(string path, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Task.Run(() => Open(path, cancellation), cancellation);
    }

    /// <summary>Decodes the raw at <paramref name="path"/> on the calling thread.</summary>
    /// <exception cref="RawDecodeException">The file cannot be read or is not a raw this engine develops.</exception>
    public RawPhoto Open(string path, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new RawPhoto(this, Engine.Open(path, cancellation), path);
    }

    /// <summary>Decodes a raw read from <paramref name="stream"/> (to its end) on the thread pool; <paramref name="name"/> names it in messages. It has no sidecar.</summary>
    public Task<RawPhoto> OpenAsync(Stream stream, string? name = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Task.Run(() => Open(stream, name, cancellation), cancellation);
    }

    /// <summary>Decodes a raw read from <paramref name="stream"/> (to its end) on the calling thread; it has no sidecar.</summary>
    public RawPhoto Open(Stream stream, string? name = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new RawPhoto(this, Engine.Open(stream, name, cancellation), null);
    }

    /// <summary>Develops an image already decoded (or made, e.g. a synthetic raw); it has no sidecar, and the cache treats it as new.</summary>
    public RawPhoto Open(RawImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new RawPhoto(this, Engine.Open(image), null);
    }

    /// <summary>
    /// Develops an image the caller decoded from <paramref name="path"/> (<see cref="RawDecoder.Decode(string, CancellationToken)"/>,
    /// e.g. while this processor was being made): the file's sidecar and cache identity, as <see cref="Open(string, CancellationToken)"/>.
    /// </summary>
    public RawPhoto Open(RawImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new RawPhoto(this, Engine.OpenDecoded(image, path), path);
    }

    /// <summary>Releases the engine's cache, pool and GPU and the loaded models (not an engine it was given).</summary>
    public void Dispose()
    {
        if (!_ownsEngine) return;
        Engine.Dispose();
        _models?.Dispose();
    }
}
