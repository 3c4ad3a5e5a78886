using RawEngine.Engine.Color;
using RawEngine.Engine.Tiff;

namespace RawEngine.Engine.Export;

/// <summary>
/// The EXIF of an exported picture. For JPEG and PNG a TIFF-structured block (what JPEG's APP1 after
/// "Exif\0\0" and PNG's eXIf chunk hold); for TIFF the same fields go into the image's own IFD0. IFD0 gets
/// orientation, software, resolution and the capture's text tags; the EXIF sub-IFD the capture settings,
/// colour space and the fields EXIF requires; the GPS sub-IFD the position when there is one.
/// </summary>
internal static class ExifBlock
{
    private const ushort ExifSrgb = 1;
    private const ushort ExifUncalibrated = 0xFFFF;
    private const ushort Inches = 2;
    private const ushort Centered = 1;

    public static byte[] Build(ExportImage image, ExportFormat format)
    {
        var ifd0 = new TiffDirectory();
        AddTo(ifd0, image, format);
        using var stream = new MemoryStream();
        TiffFileWriter.Write(stream, ifd0);
        return stream.ToArray();
    }

    public static void AddTo(TiffDirectory ifd0, ExportImage image, ExportFormat format)
    {
        var metadata = image.Metadata;
        ifd0.SetShorts(TiffTags.Orientation, (ushort)metadata.Orientation);
        if (metadata.Software.Length > 0) ifd0.SetAscii(TiffTags.Software, metadata.Software);
        ifd0.SetRationals(TiffTags.XResolution, 72);
        ifd0.SetRationals(TiffTags.YResolution, 72);
        ifd0.SetShorts(TiffTags.ResolutionUnit, Inches);
        var exif = CaptureTags.AddTo(ifd0, metadata.Capture);
        exif.SetUndefined(ExifTags.FlashpixVersion, "0100"u8.ToArray());
        // EXIF can only say "sRGB" or "something else": the embedded ICC profile says what.
        exif.SetShorts(ExifTags.ColorSpace, image.ColorSpace == RgbColorSpace.Srgb ? ExifSrgb : ExifUncalibrated);
        if (format == ExportFormat.Tiff) return; // TIFF has its own size and sample layout tags
        exif.SetLongs(ExifTags.PixelXDimension, (uint)image.Pixels.Width);
        exif.SetLongs(ExifTags.PixelYDimension, (uint)image.Pixels.Height);
        if (format == ExportFormat.Jpeg)
        {
            ifd0.SetShorts(TiffTags.YCbCrPositioning, Centered);
            exif.SetUndefined(ExifTags.ComponentsConfiguration, [1, 2, 3, 0]); // Y, Cb, Cr
        }
    }
}
