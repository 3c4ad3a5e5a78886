using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Sessions;

/// <summary>
/// The object an application holds: the modules, a buffer pool, a stage cache and compute devices,
/// shared by every image it opens. Open a raw to get a <see cref="DevelopSession"/> and render from it.
/// Thread-safe. Disposing it releases the cache, the pool's arrays and the GPU.
/// </summary>
public sealed class RenderEngine : IDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    /// <param name="compute">Devices made by the caller (tests put ILGPU's CPU accelerator in as the GPU); null: from
    /// <paramref name="options"/> (<see cref="EngineOptions.MaxThreads"/>, <see cref="EngineOptions.UseGpu"/>).</param>
    public RenderEngine(ModuleRegistry modules, EngineOptions? options = null, ILoggerFactory? loggerFactory = null, ComputeDevices? compute = null)
    {
        Options = options ?? new EngineOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        var logger = _logger = _loggerFactory.CreateLogger<RenderEngine>();
        Pool = new BufferPool(Options.PoolRetainedBytes);
        Cache = new PipeCache(Options.CacheBytes);
        Compute = compute ?? new ComputeDevices(Options.MaxThreads, Options.UseGpu, logger);
        Pipe = new Pipe(modules, new PipeResources(Pool, Cache, Compute, Options.MemoryBudgetBytes, _loggerFactory.CreateLogger<Pipe>()));
        Edits = new EditSerializer(modules);
        logger.LogDebug("Engine: {Modules} modules, budget {Budget} MB, cache {Cache} MB, {Threads} threads.",
            modules.Modules.Count(), Options.MemoryBudgetBytes >> 20, Options.CacheBytes >> 20, Compute.Cpu.MaxThreads);
    }

    public EngineOptions Options { get; }
    public ModuleRegistry Modules => Pipe.Modules;
    public BufferPool Pool { get; }
    public PipeCache Cache { get; }
    public ComputeDevices Compute { get; }
    public Pipe Pipe { get; }

    /// <summary>Reads and writes edit sidecars for these modules.</summary>
    public EditSerializer Edits { get; }

    /// <summary>Decodes a raw file; its cache identity is its full path, length and modification time.</summary>
    public DevelopSession Open(string path, CancellationToken cancellation = default) => OpenDecoded(Decode(path, _logger, cancellation), path);

    /// <summary><see cref="RawDecoder.Decode(string, CancellationToken)"/>, its time logged at debug level (for <see cref="OpenDecoded"/>).</summary>
    public static RawImage Decode(string path, ILogger logger, CancellationToken cancellation = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var image = RawDecoder.Decode(path, cancellation);
        logger.LogDebug("Decoded {Path}: {Width}x{Height} in {Milliseconds:0} ms.", path, image.SensorWidth, image.SensorHeight, clock.Elapsed.TotalMilliseconds);
        return image;
    }

    /// <summary>Develops an image the caller decoded from <paramref name="path"/> (<see cref="Decode"/>), with that file's cache identity.</summary>
    public DevelopSession OpenDecoded(RawImage image, string path)
    {
        var file = new FileInfo(path);
        return Open(image, $"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}");
    }

    /// <summary>Decodes a raw from a stream (read to its end); each stream is a new image for the cache.</summary>
    public DevelopSession Open(Stream stream, string? name = null, CancellationToken cancellation = default) =>
        Open(RawDecoder.Decode(stream, name, cancellation));

    /// <summary>Develops an already decoded image. <paramref name="imageId"/> must change whenever the pixels do (null: a fresh id).</summary>
    public DevelopSession Open(RawImage image, string? imageId = null)
    {
        var logger = _loggerFactory.CreateLogger<DevelopSession>();
        foreach (var warning in image.Warnings) logger.LogWarning("{Warning}", warning);
        return new(this, image, imageId ?? Guid.NewGuid().ToString("N"), logger);
    }

    public void Dispose()
    {
        Cache.Dispose();
        Pool.Trim();
        Compute.Dispose();
    }
}
