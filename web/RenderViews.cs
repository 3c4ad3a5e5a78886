namespace RawEngine.Web;

/// <summary>A render that a newer request for the same view replaced before it finished.</summary>
public sealed class SupersededException(string view) : OperationCanceledException($"superseded by a newer render of view '{view}'");

/// <summary>
/// One render in flight per view: a newer request for a view cancels the older one, so dragging a slider or
/// panning never queues stale renders on the cores. Views are named by the page ("main", "thumbs", ...).
/// </summary>
public sealed class RenderViews
{
    private readonly Dictionary<string, CancellationTokenSource> _current = new();
    private readonly object _lock = new();

    /// <summary>Whether a render of <paramref name="view"/> is in flight.</summary>
    internal bool IsRendering(string view)
    {
        lock (_lock) return _current.ContainsKey(view);
    }

    /// <summary>Runs <paramref name="render"/> as the view's current render; throws <see cref="SupersededException"/> when a newer one replaced it.</summary>
    public async Task<T> RunAsync<T>(string view, Func<CancellationToken, Task<T>> render, CancellationToken requestAborted)
    {
        using var mine = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        CancellationTokenSource? older;
        lock (_lock)
        {
            _current.TryGetValue(view, out older);
            _current[view] = mine;
        }
        try
        {
            older?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished while this one started.
        }
        try
        {
            return await render(mine.Token);
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested && mine.IsCancellationRequested)
        {
            throw new SupersededException(view);
        }
        finally
        {
            lock (_lock)
                if (_current.TryGetValue(view, out var current) && current == mine) _current.Remove(view);
        }
    }
}
