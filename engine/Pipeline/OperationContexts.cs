using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Pipeline;

/// <summary>
/// What a module knows when it commits params and maps regions: the format and size (at scale 1)
/// of the image it receives, the raw image's metadata, the kind of pipe and its instance name.
/// </summary>
public sealed record CommitContext(string Instance, BufferFormat Input, ImageSize InputSize, RawImage Image, PipeKind Kind)
{
    /// <summary>The working memory the pipe grants one call of the module (its tiles and temporaries);
    /// a module that tiles its own work (a network over a size ladder) sizes its tiles to it.</summary>
    public long MemoryBudgetBytes { get; init; } = 512L << 20;
}

/// <summary>
/// What <c>Process</c> gets besides pixels: cancellation (check it between row bands), the pool for
/// temporaries, the compute devices, the formats in and out, and a logger. No global state.
/// </summary>
public sealed class ProcessContext(
    BufferFormat input, BufferFormat output, BufferPool pool, ComputeDevices compute, CancellationToken cancellation, ILogger? logger = null)
{
    public BufferFormat Input { get; } = input;
    public BufferFormat Output { get; } = output;
    public BufferPool Pool { get; } = pool;
    public ComputeDevices Compute { get; } = compute;
    public CancellationToken Cancellation { get; } = cancellation;
    public ILogger Logger { get; } = logger ?? NullLogger.Instance;

    /// <summary>Where a module that works in steps of its own (a network tile by tile) reports them; null: nobody listens.</summary>
    public Action<int, int>? WorkProgress { get; init; }

    /// <summary>Reports that <paramref name="done"/> of <paramref name="total"/> steps of this call are finished.</summary>
    public void ReportWork(int done, int total) => WorkProgress?.Invoke(done, total);

    /// <summary>Runs <paramref name="body"/> over row bands [start, end) of <paramref name="rows"/> rows in parallel.</summary>
    public void ForRows(int rows, Action<int, int> body) => Compute.Cpu.ForRows(rows, body, Cancellation);
}
