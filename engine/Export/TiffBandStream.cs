using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RawEngine.Engine.Tiff;

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
    /// The TIFF header and its one image directory (written by <see cref="TiffFileWriter"/>); the samples follow it
    /// contiguously, <see cref="RowsPerStrip"/> rows a strip.
    /// </summary>
    private static byte[] Header(int width, int height, int bits, bool floatSamples, long rowBytes)
    {
        var strips = (height + RowsPerStrip - 1) / RowsPerStrip;
        var directory = new TiffDirectory();
        directory.SetLongs(TiffTags.ImageWidth, (uint)width);
        directory.SetLongs(TiffTags.ImageLength, (uint)height);
        directory.SetShorts(TiffTags.BitsPerSample, (ushort)bits, (ushort)bits, (ushort)bits);
        directory.SetShorts(TiffTags.Compression, 1);               // none
        directory.SetShorts(TiffTags.PhotometricInterpretation, 2); // RGB
        directory.SetShorts(TiffTags.SamplesPerPixel, 3);
        directory.SetLongs(TiffTags.RowsPerStrip, RowsPerStrip);
        directory.SetLongs(TiffTags.StripByteCounts, Enumerable.Range(0, strips)
            .Select(s => (uint)(Math.Min(RowsPerStrip, height - s * RowsPerStrip) * rowBytes)).ToArray());
        directory.SetShorts(TiffTags.PlanarConfiguration, 1);       // interleaved
        directory.SetShorts(TiffTags.SampleFormat, floatSamples ? (ushort)3 : (ushort)1); // IEEE float or unsigned
        // The directory's size does not depend on the offsets' values: lay it out once to learn where the data starts.
        directory.SetLongs(TiffTags.StripOffsets, new uint[strips]);
        var data = Written(directory).Length;
        directory.SetLongs(TiffTags.StripOffsets, Enumerable.Range(0, strips).Select(s => (uint)(data + (long)s * RowsPerStrip * rowBytes)).ToArray());
        return Written(directory);
    }

    private static byte[] Written(TiffDirectory directory)
    {
        using var bytes = new MemoryStream();
        TiffFileWriter.Write(bytes, directory);
        return bytes.ToArray();
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length { get; }
    public override long Position { get => _position; set => _position = value; }
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
