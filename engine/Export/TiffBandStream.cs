using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawEngine.Engine.Export;

/// <summary>
/// Export pixels as an uncompressed, strip-organised TIFF (interleaved RGB, 8/16-bit unsigned or 32-bit float samples)
/// whose strips exist only as they are read, for libvips to load sequentially while it encodes. <see cref="Produce"/>
/// opens the source's bands in order and packs each into a pooled buffer, staying at most <see cref="BandsHeld"/> bands
/// ahead of the reader: rendering band n + 1 overlaps encoding band n, and the encoder's input never holds the whole image.
/// Reads run on libvips' threads and never throw: a failed render ends the data early (libvips then fails) and is
/// kept in <see cref="Failure"/>.
/// </summary>
internal sealed class TiffBandStream<T> : Stream where T : unmanaged
{
    private const int BandsHeld = 3;
    private const int RowsPerStrip = 16;

    private readonly IExportPixels _pixels;
    private readonly SampleQuantizer.RowConverter<T> _convert;
    private readonly byte[] _header;
    private readonly long _rowBytes;
    private readonly int _bandHeight;
    private readonly T[]?[] _bands;
    private readonly SemaphoreSlim _slots = new(BandsHeld);
    private readonly CancellationTokenSource _readerGone = new();
    private readonly object _gate = new();
    private int _produced;
    private int _released;
    private bool _finished;
    private long _position;
    private volatile Exception? _failure;
    private bool _disposed;

    /// <param name="floatSamples">Samples are IEEE floats (else unsigned integers).</param>
    public TiffBandStream(IExportPixels pixels, SampleQuantizer.RowConverter<T> convert, bool floatSamples)
    {
        _pixels = pixels;
        _convert = convert;
        _rowBytes = (long)pixels.Width * 3 * Unsafe.SizeOf<T>();
        _bandHeight = Math.Clamp(pixels.BandHeight, 1, pixels.Height);
        _bands = new T[(pixels.Height + _bandHeight - 1) / _bandHeight][];
        _header = Header(pixels.Width, pixels.Height, 8 * Unsafe.SizeOf<T>(), floatSamples, _rowBytes);
        Length = _header.Length + _rowBytes * pixels.Height;
    }

    /// <summary>Whether an image of this size fits a classic TIFF (4 GB of offsets).</summary>
    public static bool Fits(IExportPixels pixels) => (long)pixels.Width * pixels.Height * 3 * Unsafe.SizeOf<T>() < uint.MaxValue - (1L << 24);

    /// <summary>Why the pixels stopped before the end (the render's own exception), or null.</summary>
    public Exception? Failure => _failure;

    /// <summary>
    /// Renders and packs the bands in order, waiting whenever the reader is <see cref="BandsHeld"/> bands behind; returns
    /// when all are packed, the reader has stopped (<see cref="StopReading"/>) or the render failed (see <see cref="Failure"/>).
    /// </summary>
    public void Produce(CancellationToken cancellation)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _readerGone.Token);
        var ct = stop.Token;
        try
        {
            var index = 0;
            SampleQuantizer.ForEachBand(_pixels, ct, (top, rows) =>
            {
                _slots.Wait(ct);
                var buffer = ArrayPool<T>.Shared.Rent(rows * _pixels.Width * 3);
                try
                {
                    SampleQuantizer.PackRows(_pixels, top, rows, buffer, 0, _convert, ct);
                }
                catch
                {
                    ArrayPool<T>.Shared.Return(buffer);
                    throw;
                }
                lock (_gate)
                {
                    _bands[index++] = buffer;
                    _produced = index;
                    Monitor.PulseAll(_gate);
                }
            });
        }
        catch (OperationCanceledException) when (_readerGone.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            // The reader stopped first (its own error says why).
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            lock (_gate)
            {
                _finished = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>The reader is done (finished or failed): a producer waiting for room stops.</summary>
    public void StopReading() => _readerGone.Cancel();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            if (_position < _header.Length)
            {
                var n = (int)Math.Min(buffer.Length, _header.Length - _position);
                _header.AsSpan((int)_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }
            var data = _position - _header.Length;
            var row = (int)Math.Min(data / _rowBytes, _pixels.Height);
            if (row >= _pixels.Height) return 0;
            var band = row / _bandHeight;
            var band0 = (long)band * _bandHeight * _rowBytes;
            var bandBytes = Math.Min(_bandHeight, _pixels.Height - band * _bandHeight) * _rowBytes;
            T[] source;
            lock (_gate)
            {
                while (_produced <= band && !_finished) Monitor.Wait(_gate);
                // Strips are read in order: the bands before this one are done with.
                while (_released < band && _released < _produced)
                {
                    ArrayPool<T>.Shared.Return(_bands[_released]!);
                    _bands[_released++] = null;
                    _slots.Release();
                }
                if (_produced <= band || _bands[band] is not { } held)
                {
                    _failure ??= new InvalidOperationException($"TIFF strip data at byte {_position} was read after its band was released.");
                    return 0;
                }
                source = held;
            }
            var count = (int)Math.Min(buffer.Length, band0 + bandBytes - data);
            MemoryMarshal.AsBytes(source.AsSpan()).Slice((int)(data - band0), count).CopyTo(buffer);
            _position += count;
            return count;
        }
        catch (Exception e)
        {
            _failure ??= e;
            return 0;
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };
        return _position;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            // Called once the producer and the reader are both done: hand back every band still held.
            for (var i = _released; i < _produced; i++)
                if (_bands[i] is { } band) ArrayPool<T>.Shared.Return(band);
            _slots.Dispose();
            _readerGone.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>
    /// Little-endian TIFF header and its one image directory, then the strip tables; the samples follow
    /// contiguously, <see cref="RowsPerStrip"/> rows a strip.
    /// </summary>
    private static byte[] Header(int width, int height, int bits, bool floatSamples, long rowBytes)
    {
        const int entries = 11;
        var strips = (height + RowsPerStrip - 1) / RowsPerStrip;
        var directory = 8;
        var bitsArray = directory + 2 + entries * 12 + 4;
        var offsets = bitsArray + 6;
        var counts = offsets + 4 * strips;
        var data = counts + 4 * strips;
        var header = new byte[data];
        var span = header.AsSpan();
        "II"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], 42);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)directory);
        BinaryPrimitives.WriteUInt16LittleEndian(span[directory..], entries);
        var entry = directory + 2;
        void Tag(ushort tag, ushort type, int count, uint value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan()[entry..], tag);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan()[(entry + 2)..], type);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan()[(entry + 4)..], (uint)count);
            if (type == Short && count == 1) BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan()[(entry + 8)..], (ushort)value);
            else BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan()[(entry + 8)..], value);
            entry += 12;
        }
        Tag(256, Long, 1, (uint)width);                    // ImageWidth
        Tag(257, Long, 1, (uint)height);                   // ImageLength
        Tag(258, Short, 3, (uint)bitsArray);               // BitsPerSample
        Tag(259, Short, 1, 1);                             // Compression: none
        Tag(262, Short, 1, 2);                             // Photometric: RGB
        Tag(273, Long, strips, (uint)offsets);             // StripOffsets
        Tag(277, Short, 1, 3);                             // SamplesPerPixel
        Tag(278, Long, 1, RowsPerStrip);                   // RowsPerStrip
        Tag(279, Long, strips, (uint)counts);              // StripByteCounts
        Tag(284, Short, 1, 1);                             // PlanarConfiguration: interleaved
        Tag(339, Short, 1, floatSamples ? 3u : 1u);        // SampleFormat: IEEE float or unsigned
        for (var i = 0; i < 3; i++) BinaryPrimitives.WriteUInt16LittleEndian(span[(bitsArray + 2 * i)..], (ushort)bits);
        for (var s = 0; s < strips; s++)
        {
            var rows = Math.Min(RowsPerStrip, height - s * RowsPerStrip);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(offsets + 4 * s)..], (uint)(data + (long)s * RowsPerStrip * rowBytes));
            BinaryPrimitives.WriteUInt32LittleEndian(span[(counts + 4 * s)..], (uint)(rows * rowBytes));
        }
        return header;
    }

    private const ushort Short = 3, Long = 4;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length { get; }
    public override long Position { get => _position; set => _position = value; }
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
