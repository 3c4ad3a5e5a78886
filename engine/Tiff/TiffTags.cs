namespace RawEngine.Engine.Tiff;

/// <summary>Baseline and extension TIFF tags (TIFF 6.0, TIFF/EP) that the writers and readers use.</summary>
public static class TiffTags
{
    public const ushort NewSubfileType = 254;
    public const ushort ImageWidth = 256;
    public const ushort ImageLength = 257;
    public const ushort BitsPerSample = 258;
    public const ushort Compression = 259;
    public const ushort PhotometricInterpretation = 262;
    public const ushort ImageDescription = 270;
    public const ushort Make = 271;
    public const ushort Model = 272;
    public const ushort StripOffsets = 273;
    public const ushort Orientation = 274;
    public const ushort SamplesPerPixel = 277;
    public const ushort RowsPerStrip = 278;
    public const ushort StripByteCounts = 279;
    public const ushort TileOffsets = 324;
    public const ushort TileByteCounts = 325;
    public const ushort XResolution = 282;
    public const ushort YResolution = 283;
    public const ushort PlanarConfiguration = 284;
    public const ushort ResolutionUnit = 296;
    public const ushort Software = 305;
    public const ushort DateTime = 306;
    public const ushort Artist = 315;
    public const ushort SubIfds = 330;
    public const ushort SampleFormat = 339;
    public const ushort YCbCrPositioning = 531;
    public const ushort CfaRepeatPatternDim = 33421;
    public const ushort CfaPattern = 33422;
    public const ushort Copyright = 33432;
    public const ushort ExifIfd = 34665;
    public const ushort IccProfile = 34675;
    public const ushort GpsIfd = 34853;
}

/// <summary>EXIF 2.3 tags of the EXIF sub-IFD.</summary>
public static class ExifTags
{
    public const ushort ExposureTime = 33434;
    public const ushort FNumber = 33437;
    public const ushort IsoSpeedRatings = 34855;
    public const ushort ExifVersion = 36864;
    public const ushort DateTimeOriginal = 36867;
    public const ushort ComponentsConfiguration = 37121;
    public const ushort SubjectDistance = 37382;
    public const ushort FocalLength = 37386;
    public const ushort FlashpixVersion = 40960;
    public const ushort ColorSpace = 40961;
    public const ushort PixelXDimension = 40962;
    public const ushort PixelYDimension = 40963;
    public const ushort LensMake = 42035;
    public const ushort LensModel = 42036;
}

/// <summary>EXIF GPS sub-IFD tags.</summary>
public static class GpsTags
{
    public const ushort VersionId = 0;
    public const ushort LatitudeRef = 1;
    public const ushort Latitude = 2;
    public const ushort LongitudeRef = 3;
    public const ushort Longitude = 4;
    public const ushort AltitudeRef = 5;
    public const ushort Altitude = 6;
}
