using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RawEngine.Engine.Export;

/// <summary>
/// Packs export pixels into interleaved RGB samples for the encoder: 8- and 16-bit clamp to 0..1, scale by
/// 255 or 65535 and round half up; 32-bit copies the floats. Alpha is dropped. Rows run in parallel bands,
/// each row through <see cref="Vector{T}"/> loops.
/// </summary>
internal static class SampleQuantizer
{
    private const int RowsPerBand = 32;

    public delegate void RowConverter<T>(ReadOnlySpan<float> row, Span<T> output);

    /// <summary>
    /// A libvips image of the packed RGB samples. They are converted into a pooled buffer and libvips takes
    /// its own copy: libvips' operation cache can keep an image alive after the encode, and memory it
    /// allocated itself counts against that cache's memory cap, which a borrowed array would not.
    /// </summary>
    public static NetVips.Image ToVips<T>(IExportPixels pixels, NetVips.Enums.BandFormat format, RowConverter<T> convert, CancellationToken ct)
        where T : unmanaged
    {
        var length = checked(pixels.Width * 3 * pixels.Height);
        var buffer = ArrayPool<T>.Shared.Rent(length);
        try
        {
            Pack(pixels, buffer, convert, ct);
            return NetVips.Image.NewFromMemoryCopy<T>(buffer.AsSpan(0, length), pixels.Width, pixels.Height, 3, format);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>Fills <paramref name="output"/> with the image's RGB samples, row bands in parallel.</summary>
    public static void Pack<T>(IExportPixels pixels, T[] output, RowConverter<T> convert, CancellationToken ct)
    {
        int width = pixels.Width, height = pixels.Height, channels = pixels.Channels;
        var rgbRow = width * 3;
        var bands = (height + RowsPerBand - 1) / RowsPerBand;
        try
        {
            Parallel.For(0, bands, new ParallelOptions { CancellationToken = ct }, PackBand);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // The pixel source's own error (e.g. a failed render) says more than the parallel wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        void PackBand(int band)
        {
            var scratch = channels == 4 ? ArrayPool<T>.Shared.Rent(width * 4) : null;
            try
            {
                var end = Math.Min(height, (band + 1) * RowsPerBand);
                for (var y = band * RowsPerBand; y < end; y++)
                {
                    var row = pixels.Row(y)[..(width * channels)];
                    var target = output.AsSpan(y * rgbRow, rgbRow);
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

    private static void DropAlpha<T>(ReadOnlySpan<T> rgba, Span<T> rgb)
    {
        for (int s = 0, d = 0; d < rgb.Length; s += 4, d += 3)
        {
            rgb[d] = rgba[s];
            rgb[d + 1] = rgba[s + 1];
            rgb[d + 2] = rgba[s + 2];
        }
    }
}
