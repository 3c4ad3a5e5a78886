using System.Runtime.ExceptionServices;

namespace RawEngine.Engine.Compute;

/// <summary>The CPU path: row bands in parallel, at most <see cref="MaxThreads"/> at once.</summary>
public sealed class CpuCompute
{
    public CpuCompute(int maxThreads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxThreads);
        MaxThreads = maxThreads == 0 ? Environment.ProcessorCount : maxThreads;
    }

    public int MaxThreads { get; }

    /// <summary>
    /// Calls <paramref name="body"/>(start, end) for bands of rows covering [0, rows), in parallel.
    /// A few bands per thread balance load; cancellation is checked before every band.
    /// </summary>
    public void ForRows(int rows, Action<int, int> body, CancellationToken cancellation = default)
    {
        if (rows <= 0) return;
        cancellation.ThrowIfCancellationRequested();
        var bands = Math.Min(rows, MaxThreads == 1 ? 1 : MaxThreads * 4);
        if (bands == 1)
        {
            body(0, rows);
            return;
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxThreads, CancellationToken = cancellation };
        try
        {
            Parallel.For(0, bands, options, band => body((int)((long)rows * band / bands), (int)((long)rows * (band + 1) / bands)));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // Callers see the module's own exception (or the cancellation), as on a single thread.
            var first = e.InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException) ?? e.InnerExceptions[0];
            ExceptionDispatchInfo.Capture(first).Throw();
        }
    }
}
