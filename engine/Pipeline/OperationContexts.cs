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
public sealed record CommitContext(string Instance, BufferFormat Input, ImageSize InputSize, RawImage Image, PipeKind Kind);

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

    /// <summary>Runs <paramref name="body"/> over row bands [start, end) of <paramref name="rows"/> rows in parallel.</summary>
    public void ForRows(int rows, Action<int, int> body) => Compute.Cpu.ForRows(rows, body, Cancellation);
}
