using RawEngine.Engine.Buffers;

namespace RawEngine.Engine.Export;

/// <summary>
/// The finished pixels handed to the exporter: rows of float RGB or RGBA (alpha is not written), already in
/// the output encoding (transfer curve applied), nominally 0..1. Integer formats clamp to that range; 32-bit
/// float TIFF keeps values as they are.
/// </summary>
public interface IExportPixels
{
    int Width { get; }
    int Height { get; }

    /// <summary>3 (RGB) or 4 (RGBA) interleaved floats per pixel.</summary>
    int Channels { get; }

    /// <summary>Rows the source produces at a time; the exporter reads the image in bands this high, top to bottom.</summary>
    int BandHeight => Height;

    /// <summary>
    /// Makes rows [<paramref name="y"/>, <paramref name="y"/> + <paramref name="rows"/>) readable through <see cref="Row"/>
    /// until the handle is disposed: a source that renders bands on demand renders one here. Null when every row always is.
    /// </summary>
    IDisposable? OpenBand(int y, int rows, CancellationToken cancellation) => null;

    /// <summary>Row <paramref name="y"/> (of the open band, if the source has bands): at least Width x Channels floats. Called from several threads at once.</summary>
    ReadOnlySpan<float> Row(int y);
}

/// <summary>Pixels in one block of memory, rows <see cref="Stride"/> floats apart (an array, a pooled buffer's memory).</summary>
public sealed class FloatPixels : IExportPixels
{
    private readonly ReadOnlyMemory<float> _data;

    /// <param name="stride">Floats from one row's start to the next; 0 means tightly packed (width x channels).</param>
    public FloatPixels(ReadOnlyMemory<float> data, int width, int height, int channels, int stride = 0)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"The image size {width}x{height} is empty.");
        if (channels is not (3 or 4)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Export pixels have 3 (RGB) or 4 (RGBA) channels.");
        if (stride == 0) stride = width * channels;
        if (stride < width * channels) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"A row of {width} pixels x {channels} channels needs a stride of at least {width * channels} floats.");
        var needed = (long)stride * (height - 1) + width * channels;
        if (data.Length < needed) throw new ArgumentException($"{width}x{height}x{channels} pixels with stride {stride} need {needed} floats; the buffer holds {data.Length}.", nameof(data));
        _data = data;
        Width = width;
        Height = height;
        Channels = channels;
        Stride = stride;
    }

    /// <summary>The pipe's RGBA output as it stands (no copy); the buffer must stay alive until the export returns.</summary>
    public static FloatPixels Of(ImageBuffer buffer) =>
        buffer.Channels == 4
            ? new FloatPixels(buffer.Array.AsMemory(buffer.Offset), buffer.Width, buffer.Height, 4, buffer.Stride)
            : throw new ArgumentException($"Only RGBA image buffers can be exported, not {buffer.Channels}-channel ones.", nameof(buffer));

    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    public int Stride { get; }

    public ReadOnlySpan<float> Row(int y) => _data.Span.Slice(y * Stride, Width * Channels);
}
