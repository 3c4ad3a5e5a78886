using RawEngine.Engine.Raw;
using RawEngine.Engine.Tiff;

namespace RawEngine.Engine.Dng;

/// <summary>
/// What a DNG's own tags say, read by the engine (<see cref="TiffReader"/>) rather than through LibRaw, which
/// leaves several out or reports sentinels for them. A tag the file does not carry is null, except where
/// the DNG spec gives a default that every reader applies (BlackLevel 0, BlackLevelRepeatDim 1x1,
/// SamplesPerPixel 1, Compression 1, CFAPlaneColor RGB).
/// Camera-profile tags are IFD0's; a converter that puts them in the raw IFD instead (as some do when the
/// raw is a SubIFD) is read from there when IFD0 has none. Values are checked for the shape the spec gives
/// them (counts, finite numbers, areas inside the image); a file that breaks it is a
/// <see cref="TiffFormatException"/> naming the tag. Only 3-colour DNGs are read (3x3 matrices).
/// </summary>
public sealed record DngFileTags
{
    public required Version DngVersion { get; init; }

    /// <summary>The file's length in bytes, to check the raw data (<see cref="DngRawIfd.DataEnd"/>) fits in it.</summary>
    public required long FileLength { get; init; }

    /// <summary>The raw image's directory and what it says about the samples.</summary>
    public required DngRawIfd Raw { get; init; }

    public string? UniqueCameraModel { get; init; }

    /// <summary>EXIF orientation code as written (IFD0).</summary>
    public int? Orientation { get; init; }

    /// <summary>EV; absent means 0 (no compensation).</summary>
    public double? BaselineExposure { get; init; }
    public double? BaselineNoise { get; init; }
    public double? BaselineSharpness { get; init; }

    /// <summary>NoiseProfile: (S, O) pairs, one for all planes or one per plane; noise variance = S * x + O, x in [0, 1] of white.</summary>
    public double[]? NoiseProfile { get; init; }

    /// <summary>XYZ to reference camera colour under CalibrationIlluminant1/2.</summary>
    public Matrix3? ColorMatrix1 { get; init; }
    public Matrix3? ColorMatrix2 { get; init; }
    /// <summary>Reference camera to this camera (individual calibration).</summary>
    public Matrix3? CameraCalibration1 { get; init; }
    public Matrix3? CameraCalibration2 { get; init; }
    public Matrix3? ReductionMatrix1 { get; init; }
    public Matrix3? ReductionMatrix2 { get; init; }
    /// <summary>White-balanced camera colour to XYZ D50.</summary>
    public Matrix3? ForwardMatrix1 { get; init; }
    public Matrix3? ForwardMatrix2 { get; init; }
    public Illuminant? CalibrationIlluminant1 { get; init; }
    public Illuminant? CalibrationIlluminant2 { get; init; }

    /// <summary>Per colour plane gain applied in the analogue path (diagonal of the DNG colour equation).</summary>
    public double[]? AnalogBalance { get; init; }
    /// <summary>The white point as camera colour, per plane.</summary>
    public double[]? AsShotNeutral { get; init; }
    /// <summary>The white point as CIE xy chromaticity, an alternative to <see cref="AsShotNeutral"/>.</summary>
    public (double X, double Y)? AsShotWhiteXY { get; init; }

    /// <summary>EXIF SubjectDistance in metres (infinity for EXIF's 0xFFFFFFFF); null when absent, unknown (0) or unreadable.</summary>
    public float? SubjectDistance { get; init; }

    /// <summary>The tags of the DNG at <paramref name="path"/>; null for a file that is not a DNG (not a TIFF, or no DNGVersion in IFD0).</summary>
    public static DngFileTags? Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.RandomAccess);
        return Read(stream);
    }

    /// <inheritdoc cref="Read(string)"/>
    public static DngFileTags? Read(Stream stream)
    {
        if (!TiffReader.HasTiffHeader(stream)) return null;
        var reader = TiffReader.Open(stream);
        var ifd0 = reader.Ifd0;
        if (ifd0[DngTags.DngVersion] is not { } version) return null;
        var rawIfd = FindRawIfd(ifd0);
        var raw = DngRawIfd.Read(rawIfd);
        var profile = new ProfileTags(ifd0, rawIfd);
        return new DngFileTags
        {
            DngVersion = ReadVersion(version),
            FileLength = reader.Length,
            Raw = raw,
            UniqueCameraModel = profile[DngTags.UniqueCameraModel]?.ReadString(),
            Orientation = (int?)DngValues.Integer(ifd0[TiffTags.Orientation]),
            BaselineExposure = DngValues.Number(profile[DngTags.BaselineExposure]),
            BaselineNoise = DngValues.Number(profile[DngTags.BaselineNoise]),
            BaselineSharpness = DngValues.Number(profile[DngTags.BaselineSharpness]),
            NoiseProfile = DngValues.Numbers(profile[DngTags.NoiseProfile], null) is { Length: > 0 } noise && noise.Length % 2 == 0 ? noise : null,
            ColorMatrix1 = profile.Matrix(DngTags.ColorMatrix1, raw.ColorPlanes),
            ColorMatrix2 = profile.Matrix(DngTags.ColorMatrix2, raw.ColorPlanes),
            CameraCalibration1 = profile.Matrix(DngTags.CameraCalibration1, raw.ColorPlanes),
            CameraCalibration2 = profile.Matrix(DngTags.CameraCalibration2, raw.ColorPlanes),
            ReductionMatrix1 = profile.Matrix(DngTags.ReductionMatrix1, raw.ColorPlanes),
            ReductionMatrix2 = profile.Matrix(DngTags.ReductionMatrix2, raw.ColorPlanes),
            ForwardMatrix1 = profile.Matrix(DngTags.ForwardMatrix1, raw.ColorPlanes),
            ForwardMatrix2 = profile.Matrix(DngTags.ForwardMatrix2, raw.ColorPlanes),
            CalibrationIlluminant1 = (Illuminant?)DngValues.Integer(profile[DngTags.CalibrationIlluminant1], 0, ushort.MaxValue),
            CalibrationIlluminant2 = (Illuminant?)DngValues.Integer(profile[DngTags.CalibrationIlluminant2], 0, ushort.MaxValue),
            AnalogBalance = DngValues.Numbers(profile[DngTags.AnalogBalance], raw.ColorPlanes),
            AsShotNeutral = DngValues.Numbers(profile[DngTags.AsShotNeutral], raw.ColorPlanes),
            AsShotWhiteXY = DngValues.Numbers(profile[DngTags.AsShotWhiteXY], 2) is { } xy ? (xy[0], xy[1]) : null,
            SubjectDistance = ExifSubjectDistance(ifd0),
        };
    }

    /// <summary>
    /// EXIF's SubjectDistance, read leniently: the EXIF block is not needed to develop the file, so a damaged one
    /// loses the distance (lens correction then assumes a far subject) rather than the file.
    /// </summary>
    private static float? ExifSubjectDistance(TiffIfd ifd0)
    {
        try
        {
            if (ifd0.Exif?[ExifTags.SubjectDistance] is not { Count: 1 } field) return null;
            var metres = field.ReadDoubles()[0];
            return !(metres > 0) || !double.IsFinite(metres) ? null : metres >= uint.MaxValue ? float.PositiveInfinity : (float)metres;
        }
        catch (TiffFormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The full-resolution raw: among IFD0 and its SubIFDs, those with NewSubFileType 0 and CFA or LinearRaw
    /// photometry, the largest (a converter may add reduced or enhanced copies).
    /// </summary>
    private static TiffIfd FindRawIfd(TiffIfd ifd0)
    {
        TiffIfd? best = null;
        long bestArea = 0;
        foreach (var ifd in (TiffIfd[])[ifd0, .. ifd0.SubIfds])
        {
            if ((DngValues.Integer(ifd[TiffTags.NewSubfileType]) ?? 0) != 0) continue;
            if (DngValues.Integer(ifd[TiffTags.PhotometricInterpretation]) is not (DngTags.PhotometricCfa or DngTags.PhotometricLinearRaw)) continue;
            var area = DngRawIfd.Dimension(ifd, TiffTags.ImageWidth) * DngRawIfd.Dimension(ifd, TiffTags.ImageLength);
            if (area > bestArea) (best, bestArea) = (ifd, area);
        }
        return best ?? throw new TiffFormatException("The DNG has no raw image: neither IFD0 nor a SubIFD has NewSubFileType 0 with CFA or LinearRaw photometry.");
    }

    private static Version ReadVersion(TiffField field)
    {
        var parts = DngValues.Integers(field, 4, 0, byte.MaxValue)!;
        return new Version((int)parts[0], (int)parts[1], (int)parts[2], (int)parts[3]);
    }

    /// <summary>IFD0's camera-profile tags, else the raw IFD's.</summary>
    private sealed class ProfileTags(TiffIfd ifd0, TiffIfd rawIfd)
    {
        public TiffField? this[ushort tag] => ifd0[tag] ?? rawIfd[tag];

        public Matrix3? Matrix(ushort tag, int colorPlanes)
        {
            if (this[tag] is not { } field) return null;
            if (colorPlanes != 3)
                throw new TiffFormatException($"{field.Where}: the DNG has {colorPlanes} colour planes; only 3-colour DNGs (3x3 matrices) are read.");
            return Matrix3.FromRows(DngValues.Numbers(field, 9)!.Select(v => (float)v).ToArray());
        }
    }
}
