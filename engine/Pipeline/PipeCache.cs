using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using RawEngine.Engine.Buffers;

namespace RawEngine.Engine.Pipeline;

/// <summary>
/// A 128-bit link of a hash chain: a stage's key is the hash of the previous stage's key and this
/// stage's identity (module id, params version, params, blend and mask params), so it names the
/// whole history that produced a buffer.
/// </summary>
public readonly record struct ChainKey(ulong High, ulong Low)
{
    public static ChainKey Root(string text) => Hash(default, text);

    public ChainKey Then(string text) => Hash(this, text);

    private static ChainKey Hash(ChainKey previous, string text)
    {
        var bytes = new byte[16 + Encoding.UTF8.GetByteCount(text)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, previous.High);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), previous.Low);
        Encoding.UTF8.GetBytes(text, bytes.AsSpan(16));
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(bytes, digest);
        return new ChainKey(BinaryPrimitives.ReadUInt64LittleEndian(digest), BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]));
    }

    public override string ToString() => $"{High:x16}{Low:x16}";
}

/// <summary>
/// Stage outputs keyed by (chain key, region), bounded in bytes, least recently used evicted first.
/// It holds its own handle on each buffer, so an evicted buffer a render still reads stays alive.
/// Thread-safe; shared by every session of an engine.
/// </summary>
public sealed class PipeCache(long capacityBytes) : IDisposable
{
    private readonly Dictionary<(ChainKey, Roi), LinkedListNode<Entry>> _entries = new();
    private readonly LinkedList<Entry> _recency = new();
    private readonly object _lock = new();

    public long CapacityBytes { get; } = capacityBytes >= 0 ? capacityBytes : throw new ArgumentOutOfRangeException(nameof(capacityBytes));
    public long Bytes { get; private set; }
    public int Count { get { lock (_lock) return _entries.Count; } }
    public long Hits { get; private set; }
    public long Misses { get; private set; }

    /// <summary>A new handle on the cached buffer (the caller disposes it), or null.</summary>
    public ImageBuffer? TryGet(ChainKey key, Roi roi)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue((key, roi), out var node))
            {
                Misses++;
                return null;
            }
            _recency.Remove(node);
            _recency.AddFirst(node);
            Hits++;
            return node.Value.Buffer.Share();
        }
    }

    /// <summary>
    /// Keeps a handle on <paramref name="buffer"/> (which must not change afterwards) unless it is larger than half
    /// the cache: one such entry would push out every other (a full-size stage of an export evicting a viewer's
    /// preview stages) and hold memory that an export, rendering in bands, would otherwise never need at once.
    /// </summary>
    public void Put(ChainKey key, Roi roi, ImageBuffer buffer)
    {
        if (buffer.ByteCount > CapacityBytes / 2) return;
        lock (_lock)
        {
            if (_entries.ContainsKey((key, roi))) return;
            while (Bytes + buffer.ByteCount > CapacityBytes) Evict(_recency.Last!);
            var node = _recency.AddFirst(new Entry(key, roi, buffer.Share()));
            _entries.Add((key, roi), node);
            Bytes += buffer.ByteCount;
        }
    }

    public void Clear()
    {
        lock (_lock)
            while (_recency.Last is { } last) Evict(last);
    }

    public void Dispose() => Clear();

    private void Evict(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove((node.Value.Key, node.Value.Roi));
        Bytes -= node.Value.Buffer.ByteCount;
        node.Value.Buffer.Dispose();
    }

    private sealed record Entry(ChainKey Key, Roi Roi, ImageBuffer Buffer);
}
