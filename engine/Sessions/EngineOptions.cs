namespace RawEngine.Engine.Sessions;

/// <summary>How much memory an engine may use and on what it computes. Read once, when the engine is made.</summary>
public sealed record EngineOptions
{
    /// <summary>Working memory per module (tiles and temporaries); larger needs are tiled (the CLI's <c>--memory-budget MB</c>).</summary>
    public long MemoryBudgetBytes { get; init; } = 512L << 20;

    /// <summary>Bytes of stage outputs the cache keeps across renders; 0 turns caching off.</summary>
    public long CacheBytes { get; init; } = 1L << 30;

    /// <summary>Bytes of free pixel arrays kept for reuse.</summary>
    public long PoolRetainedBytes { get; init; } = 1L << 30;

    /// <summary>Threads a module may use; 0 = one per processor.</summary>
    public int MaxThreads { get; init; }

    /// <summary>Look for a CUDA or OpenCL GPU (on first use) for modules that have kernels.</summary>
    public bool UseGpu { get; init; } = true;
}
