using RawEngine.Engine.Color;
using RawEngine.Engine.Tiff;

namespace RawEngine.Engine.Export;

/// <summary>
/// The EXIF of an exported picture as a TIFF-structured block (what JPEG's APP1 after "Exif\0\0" and PNG's
/// eXIf chunk hold): IFD0 with orientation, software and the capture's text tags, the EXIF sub-IFD (capture
/// settings, colour space, pixel size) and, when the capture has a position, the GPS sub-IFD.
/// </summary>
internal static class ExifBlock
{
    private const ushort ExifSrgb = 1;
    private const ushort ExifUncalibrated = 0xFFFF;

    public static byte[] Build(ExportImage image)
    {
        var ifd0 = new TiffDirectory();
        AddTo(ifd0, image);
        using var stream = new MemoryStream();
        TiffFileWriter.Write(stream, ifd0);
        return stream.ToArray();
    }

    /// <summary>The same fields added to an image's own IFD0 (TIFF keeps them there rather than in a block).</summary>
    public static void AddTo(TiffDirectory ifd0, ExportImage image)
    {
        var metadata = image.Metadata;
        ifd0.SetShorts(TiffTags.Orientation, (ushort)metadata.Orientation);
        if (metadata.Software.Length > 0) ifd0.SetAscii(TiffTags.Software, metadata.Software);
        var exif = CaptureTags.AddTo(ifd0, metadata.Capture);
        // EXIF can only say "sRGB" or "something else": the embedded ICC profile says what.
        exif.SetShorts(ExifTags.ColorSpace, image.ColorSpace == RgbColorSpace.Srgb ? ExifSrgb : ExifUncalibrated);
        exif.SetLongs(ExifTags.PixelXDimension, (uint)image.Pixels.Width);
        exif.SetLongs(ExifTags.PixelYDimension, (uint)image.Pixels.Height);
    }
}
