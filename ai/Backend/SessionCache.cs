using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RawEngine.AI.Backend;

/// <summary>
/// Loaded models shared per (file, settings, fixed dimensions). The cache owns every model it hands
/// out: callers must not dispose them; disposing the cache disposes them all.
/// </summary>
public sealed class SessionCache(ILogger? logger = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<OnnxModel>> _models = new();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private bool _disposed;

    public int Count => _models.Count;

    public OnnxModel Get(string path, InferenceSettings? settings = null, IReadOnlyDictionary<string, long>? fixedDims = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        settings ??= InferenceSettings.Default;
        var fullPath = System.IO.Path.GetFullPath(path);
        var dims = fixedDims is null ? "" : string.Join(",", fixedDims.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}"));
        var key = $"{fullPath}|{settings}|{dims}";
        var entry = _models.GetOrAdd(key, _ => new Lazy<OnnxModel>(() => OnnxModel.Load(fullPath, settings, fixedDims, _logger)));
        try
        {
            return entry.Value;
        }
        catch
        {
            // A failed load is not cached: the next call tries again (the file may have been fixed).
            _models.TryRemove(new KeyValuePair<string, Lazy<OnnxModel>>(key, entry));
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var entry in _models.Values)
            if (entry.IsValueCreated) entry.Value.Dispose();
        _models.Clear();
    }
}
