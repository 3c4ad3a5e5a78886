using System.Globalization;
using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Tiff;

/// <summary>
/// Capture metadata as TIFF/EXIF fields: the IFD0 text tags plus the EXIF and GPS sub-directories. One
/// mapping serves every writer (DNG, the EXIF block of exported images), so they cannot drift apart.
/// </summary>
public static class CaptureTags
{
    /// <summary>
    /// Adds the IFD0 fields (description, make, model, date, artist, copyright) and the EXIF and GPS
    /// sub-IFDs; returns the EXIF sub-IFD so a writer can add its own fields there.
    /// </summary>
    public static TiffDirectory AddTo(TiffDirectory ifd0, CaptureInfo capture)
    {
        if (capture.Description.Length > 0) ifd0.SetAscii(TiffTags.ImageDescription, capture.Description);
        if (capture.Make.Length > 0) ifd0.SetAscii(TiffTags.Make, capture.Make);
        if (capture.Model.Length > 0) ifd0.SetAscii(TiffTags.Model, capture.Model);
        if (capture.Timestamp is { } timestamp) ifd0.SetAscii(TiffTags.DateTime, ExifDate(timestamp));
        if (capture.Artist.Length > 0) ifd0.SetAscii(TiffTags.Artist, capture.Artist);
        if (capture.Copyright.Length > 0) ifd0.SetAscii(TiffTags.Copyright, capture.Copyright);
        var exif = ExifDirectory(capture);
        ifd0.SetChildren(TiffTags.ExifIfd, exif);
        if (capture.Gps is { } gps) ifd0.SetChildren(TiffTags.GpsIfd, GpsDirectory(gps));
        return exif;
    }

    public static TiffDirectory ExifDirectory(CaptureInfo capture)
    {
        var exif = new TiffDirectory();
        exif.SetUndefined(ExifTags.ExifVersion, "0230"u8.ToArray());
        if (capture.ExposureTime > 0) exif.SetRationals(ExifTags.ExposureTime, ExposureTime(capture.ExposureTime));
        if (capture.FNumber > 0) exif.SetRationals(ExifTags.FNumber, capture.FNumber);
        if (capture.Iso > 0) exif.SetShorts(ExifTags.IsoSpeedRatings, (ushort)Math.Clamp(MathF.Round(capture.Iso), 1, ushort.MaxValue));
        if (capture.Timestamp is { } timestamp) exif.SetAscii(ExifTags.DateTimeOriginal, ExifDate(timestamp));
        if (capture.FocalLength > 0) exif.SetRationals(ExifTags.FocalLength, capture.FocalLength);
        // EXIF writes infinity as 0xFFFFFFFF / 1.
        if (capture.SubjectDistance > 0) exif.SetRationals(ExifTags.SubjectDistance, float.IsFinite(capture.SubjectDistance) ? (double)capture.SubjectDistance : uint.MaxValue);
        if (capture.LensMake.Length > 0) exif.SetAscii(ExifTags.LensMake, capture.LensMake);
        if (capture.Lens.Length > 0) exif.SetAscii(ExifTags.LensModel, capture.Lens);
        return exif;
    }

    public static TiffDirectory GpsDirectory(GpsPosition gps)
    {
        var directory = new TiffDirectory();
        directory.SetBytes(GpsTags.VersionId, 2, 3, 0, 0);
        directory.SetAscii(GpsTags.LatitudeRef, gps.Latitude < 0 ? "S" : "N");
        directory.SetRationals(GpsTags.Latitude, DegreesMinutesSeconds(gps.Latitude));
        directory.SetAscii(GpsTags.LongitudeRef, gps.Longitude < 0 ? "W" : "E");
        directory.SetRationals(GpsTags.Longitude, DegreesMinutesSeconds(gps.Longitude));
        if (gps.Altitude is { } altitude)
        {
            directory.SetBytes(GpsTags.AltitudeRef, altitude < 0 ? (byte)1 : (byte)0);
            directory.SetRationals(GpsTags.Altitude, Math.Abs(altitude));
        }
        return directory;
    }

    /// <summary>EXIF's date format, "yyyy:MM:dd HH:mm:ss".</summary>
    public static string ExifDate(DateTime timestamp) => timestamp.ToString("yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>1/250 s as exactly 1/250, not a nearby float's fraction.</summary>
    private static double ExposureTime(float seconds) =>
        seconds < 1 && Math.Abs(1 / seconds - Math.Round(1 / seconds)) < 1e-3 * (1 / seconds) ? 1 / Math.Round(1 / seconds) : seconds;

    private static double[] DegreesMinutesSeconds(double decimalDegrees)
    {
        var value = Math.Abs(decimalDegrees);
        var degrees = Math.Floor(value);
        var minutes = Math.Floor((value - degrees) * 60);
        var seconds = (value - degrees - minutes / 60) * 3600;
        return [degrees, minutes, Math.Max(0, seconds)];
    }
}
