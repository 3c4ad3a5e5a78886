namespace RawEngine.Engine.Sessions;

/// <summary>
/// How much memory an engine may use and on what it computes. Read once, when the engine is made. The defaults
/// suit a desktop application: one 24 MP raw opened, previewed at 1024 px and exported to a full-size JPEG peaks at
/// about 750 MB of resident memory (a batch converter, rendering each file once, sets <see cref="CacheBytes"/> to 0).
/// </summary>
public sealed record EngineOptions
{
    /// <summary>Working memory per module (tiles and temporaries); larger needs are tiled (the CLI's <c>--memory-budget MB</c>).
    /// An export renders in bands of rows sized from it too.</summary>
    public long MemoryBudgetBytes { get; init; } = 512L << 20;

    /// <summary>Bytes of stage outputs the cache keeps across renders, so a changed module re-runs only itself and the
    /// modules after it; 0 turns caching off. A stage larger than half of it is not kept: the default holds a viewer's
    /// preview stages (a 1024 px RGBA stage is 11 MB) but not full-size ones (a 24 MP mosaic stage is 96 MB). Raise it
    /// for larger previews.</summary>
    public long CacheBytes { get; init; } = 128L << 20;

    /// <summary>Bytes of free pixel arrays kept for reuse: a render's buffers come back here and serve the next
    /// render, rather than being left to the garbage collector (whose large-object heap would grow instead).</summary>
    public long PoolRetainedBytes { get; init; } = 512L << 20;

    /// <summary>Threads a module may use; 0 = one per processor.</summary>
    public int MaxThreads { get; init; }

    /// <summary>Look for a CUDA or OpenCL GPU (on first use) for modules that have kernels.</summary>
    public bool UseGpu { get; init; } = true;
}
