using RawEngine.Engine.Color;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Export;

/// <summary>A finished picture to export: its pixels, the RGB space they are encoded in (its ICC profile is embedded) and the metadata to carry.</summary>
public sealed record ExportImage(IExportPixels Pixels, RgbColorSpace ColorSpace)
{
    public ExportMetadata Metadata { get; init; } = new();

    /// <summary>
    /// A pipe's output as the pipe describes it: the ICC profile of the space its <paramref name="format"/> is in,
    /// the raw's capture metadata, and EXIF orientation 1 when a module oriented the pixels, else the raw's own.
    /// </summary>
    /// <exception cref="PipeException">The output is in no known RGB space (camera RGB: the input profile was turned off).</exception>
    public static ExportImage FromPipe(IExportPixels pixels, BufferFormat format, RawImage image) =>
        new(pixels, format.ColorSpace ?? throw new PipeException(
            $"the pipe's output is {format.Encoding} with no colour space (is colorin disabled?), so no ICC profile describes it"))
        {
            Metadata = new ExportMetadata { Capture = image.Capture, Orientation = format.AppliedOrientation is null ? image.Orientation : 1 },
        };
}

/// <summary>What the exported file says about itself besides its pixels.</summary>
public sealed record ExportMetadata
{
    /// <summary>Camera, lens, exposure, date, artist, copyright and GPS from the raw.</summary>
    public CaptureInfo Capture { get; init; } = new();

    /// <summary>EXIF orientation 1..8 to write: 1 once the pipe has applied the raw's orientation (flip).</summary>
    public int Orientation { get; init; } = 1;

    public string Software { get; init; } = "RawEngine";
}
