using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawEngine.Engine.Export;

/// <summary>
/// Packs export pixels into interleaved RGB samples for the encoder: 8- and 16-bit clamp to 0..1, scale by
/// 255 or 65535 and round half up; 32-bit copies the floats. Alpha is dropped. Rows run in parallel chunks,
/// each row through <see cref="Vector{T}"/> loops.
/// </summary>
internal static class SampleQuantizer
{
    private const int RowsPerTask = 32;

    public delegate void RowConverter<T>(ReadOnlySpan<float> row, Span<T> output);

    /// <summary>
    /// Packs the image's RGB samples for <paramref name="bits"/> (8, 16 or 32 float) and runs <paramref name="save"/> on them as a
    /// libvips image. The samples reach libvips as a <see cref="TiffBandStream{T}"/>: this thread renders and packs the bands
    /// while a thread of its own loads and encodes them as they come, so the encode overlaps the render and the whole packed
    /// image never exists at once. Images too large for a classic TIFF are packed whole first.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static byte[] Encode(IExportPixels pixels, int bits, Func<NetVips.Image, byte[]> save, CancellationToken ct) => bits switch
    {
        8 => Encode<byte>(pixels, NetVips.Enums.BandFormat.Uchar, Quantize, save, ct),
        16 => Encode<ushort>(pixels, NetVips.Enums.BandFormat.Ushort, Quantize, save, ct),
        _ => Encode<float>(pixels, NetVips.Enums.BandFormat.Float, static (row, output) => row.CopyTo(output), save, ct),
    };

    private static byte[] Encode<T>(IExportPixels pixels, NetVips.Enums.BandFormat format, RowConverter<T> convert, Func<NetVips.Image, byte[]> save,
        CancellationToken ct) where T : unmanaged
    {
        if (!TiffBandStream<T>.Fits(pixels)) return EncodeWhole(pixels, format, convert, save, ct);
        using var stream = new TiffBandStream<T>(pixels, convert, format == NetVips.Enums.BandFormat.Float);
        // The encoder blocks while it waits for bands: it gets a thread of its own, not one the render's parallel loops need.
        var encoder = Task.Factory.StartNew(() =>
        {
            try
            {
                using var loaded = NetVips.Image.NewFromStream(stream, access: NetVips.Enums.Access.Sequential, failOn: NetVips.Enums.FailOn.Truncated);
                // Interpreted as an image made from memory is (sRGB for every sample format), so the savers treat it alike.
                using var image = loaded.Copy(interpretation: NetVips.Enums.Interpretation.Srgb);
                return save(image);
            }
            finally
            {
                stream.StopReading();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        stream.Produce(ct);
        byte[] encoded;
        try
        {
            encoded = encoder.GetAwaiter().GetResult();
        }
        catch (Exception) when (stream.Failure is not null)
        {
            // Reported below: the render's error says what went wrong, not libvips' complaint about missing data.
            encoded = [];
        }
        if (stream.Failure is { } failure)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        return encoded;
    }

    /// <summary>The samples packed into one pooled buffer and wrapped as a libvips image (no copy).</summary>
    private static byte[] EncodeWhole<T>(IExportPixels pixels, NetVips.Enums.BandFormat format, RowConverter<T> convert, Func<NetVips.Image, byte[]> save,
        CancellationToken ct) where T : unmanaged
    {
        var length = checked(pixels.Width * 3 * pixels.Height);
        var buffer = ArrayPool<T>.Shared.Rent(length);
        try
        {
            Pack(pixels, buffer, convert, ct);
            ct.ThrowIfCancellationRequested();
            // libvips' operation cache keeps the saver's internal steps on the image after the encode but never reads
            // their pixels again, so the buffer is free for reuse once the save has returned.
            using var image = NetVips.Image.NewFromMemory<T>(buffer.AsMemory(0, length), pixels.Width, pixels.Height, 3, format);
            return save(image);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>Fills <paramref name="output"/> with the image's RGB samples: the source's bands in order, each one's rows in parallel.</summary>
    public static void Pack<T>(IExportPixels pixels, T[] output, RowConverter<T> convert, CancellationToken ct) where T : unmanaged =>
        ForEachBand(pixels, ct, (top, rows) => PackRows(pixels, top, rows, output, top * pixels.Width * 3, convert, ct));

    /// <summary>
    /// Opens the source's bands top to bottom and runs <paramref name="body"/> (top row, rows) on each while it is open.
    /// A failed band throws the pixel source's own error, not the parallel wrapper around it.
    /// </summary>
    public static void ForEachBand(IExportPixels pixels, CancellationToken ct, Action<int, int> body)
    {
        var height = pixels.Height;
        var sourceBand = Math.Clamp(pixels.BandHeight, 1, height);
        try
        {
            for (var top = 0; top < height; top += sourceBand)
            {
                var rows = Math.Min(sourceBand, height - top);
                using var band = pixels.OpenBand(top, rows, ct);
                body(top, rows);
            }
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>Packs the open rows [<paramref name="top"/>, top + <paramref name="rows"/>) into <paramref name="output"/> from <paramref name="offset"/>, in parallel chunks.</summary>
    public static void PackRows<T>(IExportPixels pixels, int top, int rows, T[] output, int offset, RowConverter<T> convert, CancellationToken ct)
        where T : unmanaged
    {
        int width = pixels.Width, channels = pixels.Channels;
        var rgbRow = width * 3;
        Parallel.For(0, (rows + RowsPerTask - 1) / RowsPerTask, new ParallelOptions { CancellationToken = ct },
            chunk => PackChunk(chunk * RowsPerTask, Math.Min(rows, (chunk + 1) * RowsPerTask)));

        void PackChunk(int start, int end)
        {
            var scratch = channels == 4 ? ArrayPool<T>.Shared.Rent(width * 4) : null;
            try
            {
                for (var y = start; y < end; y++)
                {
                    var row = pixels.Row(top + y)[..(width * channels)];
                    var target = output.AsSpan(offset + y * rgbRow, rgbRow);
                    if (scratch is null)
                        convert(row, target);
                    else
                    {
                        convert(row, scratch.AsSpan(0, width * 4));
                        DropAlpha<T>(scratch.AsSpan(0, width * 4), target);
                    }
                }
            }
            finally
            {
                if (scratch is not null) ArrayPool<T>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>round(clamp(v, 0, 1) x 255): four float vectors narrow to one byte vector.</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<byte> output)
    {
        var n = Vector<float>.Count;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var floats = MemoryMarshal.Cast<float, Vector<float>>(source);
            var bytes = MemoryMarshal.Cast<byte, Vector<byte>>(output);
            for (var v = 0; v < bytes.Length && 4 * v + 3 < floats.Length; v++)
            {
                var a = Vector.Narrow(Scale(floats[4 * v], 255f), Scale(floats[4 * v + 1], 255f));
                var b = Vector.Narrow(Scale(floats[4 * v + 2], 255f), Scale(floats[4 * v + 3], 255f));
                bytes[v] = Vector.Narrow(a, b);
                i = (v + 1) * 4 * n;
            }
        }
        for (; i < source.Length; i++) output[i] = (byte)(Math.Clamp(source[i], 0f, 1f) * 255f + 0.5f);
    }

    /// <summary>round(clamp(v, 0, 1) x 65535): two float vectors narrow to one ushort vector.</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<ushort> output)
    {
        var n = Vector<float>.Count;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var floats = MemoryMarshal.Cast<float, Vector<float>>(source);
            var shorts = MemoryMarshal.Cast<ushort, Vector<ushort>>(output);
            for (var v = 0; v < shorts.Length && 2 * v + 1 < floats.Length; v++)
            {
                shorts[v] = Vector.Narrow(Scale(floats[2 * v], 65535f), Scale(floats[2 * v + 1], 65535f));
                i = (v + 1) * 2 * n;
            }
        }
        for (; i < source.Length; i++) output[i] = (ushort)(Math.Clamp(source[i], 0f, 1f) * 65535f + 0.5f);
    }

    /// <summary>Clamped, scaled and rounded half up (the +0.5 then truncation; values are never negative).</summary>
    private static Vector<uint> Scale(Vector<float> v, float max) =>
        Vector.ConvertToUInt32(Vector.Min(Vector.Max(v, Vector<float>.Zero), Vector<float>.One) * max + new Vector<float>(0.5f));

    /// <summary>RGBA samples to RGB: 16 bytes in, 12 out per step with a byte shuffle (SSSE3), the tail one sample at a time.</summary>
    private static void DropAlpha<T>(ReadOnlySpan<T> rgba, Span<T> rgb) where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        var from = MemoryMarshal.AsBytes(rgba);
        var to = MemoryMarshal.AsBytes(rgb);
        int s = 0, d = 0;
        if (Ssse3.IsSupported)
        {
            var keep = size switch { 1 => KeepRgbBytes, 2 => KeepRgbShorts, _ => KeepRgbFloats };
            ref var source = ref MemoryMarshal.GetReference(from);
            ref var target = ref MemoryMarshal.GetReference(to);
            // Each store writes 16 bytes of which 12 count; the next store overwrites the other 4.
            for (; s + 16 <= from.Length && d + 16 <= to.Length; s += 16, d += 12)
                Ssse3.Shuffle(Vector128.LoadUnsafe(ref source, (nuint)s), keep).StoreUnsafe(ref target, (nuint)d);
        }
        for (; d < to.Length; s += 4 * size, d += 3 * size)
            from.Slice(s, 3 * size).CopyTo(to[d..]);
    }

    private static readonly Vector128<byte> KeepRgbBytes = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80);
    private static readonly Vector128<byte> KeepRgbShorts = Vector128.Create((byte)0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 0x80, 0x80, 0x80, 0x80);
    private static readonly Vector128<byte> KeepRgbFloats = Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x80, 0x80, 0x80, 0x80);
}
