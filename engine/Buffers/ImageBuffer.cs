namespace RawEngine.Engine.Buffers;

/// <summary>
/// Float32 pixels, 1 channel (CFA mosaic or mask) or 4 (RGBA interleaved), row-major with a stride.
/// An <see cref="ImageBuffer"/> is a handle onto pooled storage: <see cref="Share"/> and
/// <see cref="View"/> hand out further handles onto the same pixels, and the storage goes back to
/// its pool when the last handle is disposed. Dispose every handle you get, exactly once.
/// </summary>
public sealed class ImageBuffer : IDisposable
{
    private readonly Storage _storage;
    private int _disposed;

    private ImageBuffer(Storage storage, int offset, int width, int height, int channels, int stride)
    {
        _storage = storage;
        Offset = offset;
        Width = width;
        Height = height;
        Channels = channels;
        Stride = stride;
    }

    /// <summary>A new buffer from <paramref name="pool"/>; its contents are undefined until written.</summary>
    public static ImageBuffer Rent(BufferPool pool, int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (channels is not (1 or 4)) throw new ArgumentOutOfRangeException(nameof(channels), $"An image buffer has 1 or 4 channels, not {channels}.");
        var length = (long)width * height * channels;
        return new ImageBuffer(new Storage(pool, pool.Rent(length)), 0, width, height, channels, width * channels);
    }

    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }

    /// <summary>Floats from one row's start to the next.</summary>
    public int Stride { get; }

    /// <summary>Index of pixel (0, 0)'s first channel in <see cref="Array"/>.</summary>
    public int Offset { get; }

    /// <summary>The backing array, for vectorised loops; use <see cref="Offset"/> and <see cref="Stride"/>.</summary>
    public float[] Array
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return _storage.Pixels;
        }
    }

    /// <summary>Bytes of pixels this handle covers (not counting stride slack).</summary>
    public long ByteCount => (long)Width * Height * Channels * sizeof(float);

    /// <summary>The floats of row <paramref name="y"/>: <c>Width * Channels</c> of them.</summary>
    public Span<float> Row(int y)
    {
        if ((uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(y), $"Row {y} is outside 0..{Height - 1}.");
        return Array.AsSpan(Offset + y * Stride, Width * Channels);
    }

    /// <summary>One channel of one pixel.</summary>
    public ref float At(int x, int y, int channel = 0) => ref Row(y)[x * Channels + channel];

    /// <summary>True when no other handle (a cache entry, a view) shares these pixels, so they may be overwritten.</summary>
    public bool IsSoleHandle => _disposed == 0 && _storage.References == 1;

    /// <summary>True when both handles start at the same pixel of the same storage (an in-place call).</summary>
    public bool SharesPixelsWith(ImageBuffer other) => ReferenceEquals(_storage, other._storage) && Offset == other.Offset;

    /// <summary>Another handle onto the same pixels.</summary>
    public ImageBuffer Share()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _storage.AddReference();
        return new ImageBuffer(_storage, Offset, Width, Height, Channels, Stride);
    }

    /// <summary>A handle onto the rectangle (x, y, width, height) of these pixels, sharing storage.</summary>
    public ImageBuffer View(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > Width || y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"View ({x}, {y}, {width}x{height}) is outside the {Width}x{Height} buffer.");
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _storage.AddReference();
        return new ImageBuffer(_storage, Offset + y * Stride + x * Channels, width, height, Channels, Stride);
    }

    /// <summary>Copies these pixels into <paramref name="target"/>, which has the same size and channels.</summary>
    public void CopyTo(ImageBuffer target)
    {
        if (target.Width != Width || target.Height != Height || target.Channels != Channels)
            throw new ArgumentException($"Cannot copy a {Width}x{Height}x{Channels} buffer into {target.Width}x{target.Height}x{target.Channels}.");
        for (var y = 0; y < Height; y++) Row(y).CopyTo(target.Row(y));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _storage.Release();
    }

    public override string ToString() => $"{Width}x{Height}x{Channels}";

    private sealed class Storage(BufferPool pool, float[] pixels)
    {
        private int _references = 1;

        public float[] Pixels { get; } = pixels;

        public int References => Volatile.Read(ref _references);

        public void AddReference()
        {
            if (Interlocked.Increment(ref _references) <= 1) throw new ObjectDisposedException(nameof(ImageBuffer));
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0) pool.Return(Pixels);
        }
    }
}
