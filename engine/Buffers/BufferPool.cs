using System.Numerics;

namespace RawEngine.Engine.Buffers;

/// <summary>
/// Recycles float arrays for pixel buffers. Sizes are rounded up to one of four steps per power of
/// two (at most 25% slack), so tiles and ROIs of similar size share arrays. Returned arrays are kept
/// up to <see cref="RetainedBytesLimit"/>; beyond that they go back to the GC. Thread-safe.
/// </summary>
public sealed class BufferPool
{
    private readonly Dictionary<long, Stack<float[]>> _free = new();
    private readonly object _lock = new();
    private long _retainedBytes;

    public BufferPool(long retainedBytesLimit = 512L << 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retainedBytesLimit);
        RetainedBytesLimit = retainedBytesLimit;
    }

    public long RetainedBytesLimit { get; }

    /// <summary>Bytes held in free arrays now.</summary>
    public long RetainedBytes { get { lock (_lock) return _retainedBytes; } }

    /// <summary>An array of at least <paramref name="length"/> floats; contents are arbitrary.</summary>
    public float[] Rent(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var size = BucketSize(length);
        if (size > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(length), $"{length} floats do not fit one array.");
        lock (_lock)
        {
            if (_free.TryGetValue(size, out var stack) && stack.TryPop(out var array))
            {
                _retainedBytes -= size * sizeof(float);
                return array;
            }
        }
        return GC.AllocateUninitializedArray<float>((int)size);
    }

    public void Return(float[] array)
    {
        var bytes = (long)array.Length * sizeof(float);
        lock (_lock)
        {
            if (array.Length != BucketSize(array.Length) || _retainedBytes + bytes > RetainedBytesLimit) return;
            if (!_free.TryGetValue(array.Length, out var stack)) _free[array.Length] = stack = new Stack<float[]>();
            stack.Push(array);
            _retainedBytes += bytes;
        }
    }

    /// <summary>Drops every retained array.</summary>
    public void Trim()
    {
        lock (_lock)
        {
            _free.Clear();
            _retainedBytes = 0;
        }
    }

    private static long BucketSize(long length)
    {
        if (length <= 1024) return 1024;
        // Quarter steps between powers of two: 4/4, 5/4, 6/4, 7/4 of the lower power.
        var power = 1L << (63 - BitOperations.LeadingZeroCount((ulong)length));
        var step = power / 4;
        return (length + step - 1) / step * step;
    }
}
