using RawEngine.Engine.Color;
using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Export;

/// <summary>A finished picture to export: its pixels, the RGB space they are encoded in (its ICC profile is embedded) and the metadata to carry.</summary>
public sealed record ExportImage(IExportPixels Pixels, RgbColorSpace ColorSpace)
{
    public ExportMetadata Metadata { get; init; } = new();
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
