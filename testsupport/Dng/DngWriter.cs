using System.Runtime.InteropServices;
using RawEngine.Engine.IO;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Tiff;

namespace RawEngine.Engine.Dng;

/// <summary>How <see cref="DngWriter"/> writes a file.</summary>
public sealed record DngWriteOptions
{
    /// <summary>Replace an existing file (otherwise writing to an existing path fails).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Software tag.</summary>
    public string Software { get; init; } = "RawEngine";

    /// <summary>Longest side, at most, in pixels of an 8-bit sRGB preview to embed (IFD0, the raw then in a SubIFD); 0 for none.</summary>
    public int PreviewLongSide { get; init; }

    /// <summary>OpcodeList1/2/3 to store with the raw (see <see cref="DngOpcodeList.Encode"/>); none when null.</summary>
    public IReadOnlyList<DngOpcode>? OpcodeList1 { get; init; }
    public IReadOnlyList<DngOpcode>? OpcodeList2 { get; init; }
    public IReadOnlyList<DngOpcode>? OpcodeList3 { get; init; }
}

/// <summary>
/// Writes a <see cref="RawImage"/> as an uncompressed 16-bit little-endian DNG 1.4: IFD0 (or, with a
/// preview, a SubIFD) holding the whole sensor array (CFA: Bayer in any phase or X-Trans 6x6; or LinearRaw with 3 samples), its levels,
/// colour matrices, as-shot neutral, orientation and visible area, plus EXIF and GPS sub-IFDs. LibRaw reads back
/// the same sensor values and metadata.
/// </summary>
public static class DngWriter
{
    /// <summary>Writes to a temporary file in the target folder, then renames it, so no partial file is ever left at <paramref name="path"/>.</summary>
    public static void Write(RawImage image, string path, DngWriteOptions? options = null)
    {
        options ??= new DngWriteOptions();
        Validate(image);
        AtomicFile.Write(path, stream => Write(image, stream, options), options.Overwrite);
    }

    public static void Write(RawImage image, Stream stream, DngWriteOptions? options = null)
    {
        Validate(image);
        TiffFileWriter.Write(stream, BuildDirectories(image, options ?? new DngWriteOptions()));
    }

    /// <summary>The whole DNG in memory (for tests and callers that decode from memory).</summary>
    public static byte[] ToBytes(RawImage image, DngWriteOptions? options = null)
    {
        using var stream = new MemoryStream();
        Write(image, stream, options);
        return stream.ToArray();
    }

    private static void Validate(RawImage image)
    {
        if (image.SensorWidth < 1 || image.SensorHeight < 1)
            throw new ArgumentException($"The raw image's sensor size {image.SensorWidth}x{image.SensorHeight} is empty.", nameof(image));
        if (image.SamplesPerPixel != (image.IsCfa ? 1 : 3))
            throw new ArgumentException(image.IsCfa
                ? $"A CFA raw image has 1 sample per pixel, not {image.SamplesPerPixel}."
                : $"A raw image without CFA must be LinearRaw with 3 samples per pixel, not {image.SamplesPerPixel}.", nameof(image));
        if (image.Data.LongLength != (long)image.SensorWidth * image.SensorHeight * image.SamplesPerPixel)
            throw new ArgumentException($"The raw image's data holds {image.Data.LongLength} samples, not {image.SensorWidth}x{image.SensorHeight}x{image.SamplesPerPixel}.", nameof(image));
        var v = image.Visible;
        if (v.X < 0 || v.Y < 0 || v.Width < 1 || v.Height < 1 || v.Right > image.SensorWidth || v.Bottom > image.SensorHeight)
            throw new ArgumentException($"The visible area {v} is not inside the {image.SensorWidth}x{image.SensorHeight} sensor.", nameof(image));
        if (image.Cfa?.Kind == CfaKind.Bayer && (v.X % 2 != 0 || v.Y % 2 != 0))
            throw new ArgumentException($"The visible area {v} starts at an odd row or column of a Bayer sensor; LibRaw aligns Bayer margins to 2 pixels, so it would read a different area.", nameof(image));
        if (image.Orientation is < 1 or > 8)
            throw new ArgumentException($"Orientation {image.Orientation} is not an EXIF orientation 1..8.", nameof(image));
        if (!(image.White > 0 && image.White <= ushort.MaxValue))
            throw new ArgumentException($"White level {image.White} is not in 1..65535.", nameof(image));
        if (image.AsShotMultipliers.Length < 3 || image.AsShotMultipliers.Take(3).Any(m => !(m > 0 && float.IsFinite(m))))
            throw new ArgumentException($"As-shot multipliers [{string.Join(", ", image.AsShotMultipliers)}] need three positive values.", nameof(image));
    }

    /// <summary>
    /// Without a preview, IFD0 is the raw. With one, IFD0 is the 8-bit RGB preview (NewSubfileType 1) and
    /// the raw sits in a SubIFD, as DNG converters write it; the file-wide tags (camera, colour, EXIF) stay in IFD0.
    /// </summary>
    private static TiffDirectory BuildDirectories(RawImage image, DngWriteOptions options)
    {
        var raw = new TiffDirectory();
        SetRawImage(raw, image);
        SetOpcodeLists(raw, options);
        if (options.PreviewLongSide <= 0)
        {
            SetFileTags(raw, image, options);
            return raw;
        }
        var preview = DngPreview.Render(image, options.PreviewLongSide);
        var ifd0 = new TiffDirectory();
        ifd0.SetLongs(TiffTags.NewSubfileType, 1);
        ifd0.SetLongs(TiffTags.ImageWidth, (uint)preview.Width);
        ifd0.SetLongs(TiffTags.ImageLength, (uint)preview.Height);
        ifd0.SetShorts(TiffTags.BitsPerSample, 8, 8, 8);
        ifd0.SetShorts(TiffTags.Compression, 1);
        ifd0.SetShorts(TiffTags.PhotometricInterpretation, DngTags.PhotometricRgb);
        ifd0.SetShorts(TiffTags.SamplesPerPixel, 3);
        ifd0.SetLongs(TiffTags.RowsPerStrip, (uint)preview.Height);
        ifd0.SetShorts(TiffTags.PlanarConfiguration, 1);
        ifd0.SetDataBlock(TiffTags.StripOffsets, TiffTags.StripByteCounts, new TiffDataBlock(preview.Rgb.Length, stream => stream.Write(preview.Rgb)));
        SetFileTags(ifd0, image, options);
        ifd0.SetChildren(TiffTags.SubIfds, raw);
        return ifd0;
    }

    /// <summary>The sensor array and what describes its samples: layout, CFA, levels, visible area.</summary>
    private static void SetRawImage(TiffDirectory ifd, RawImage image)
    {
        var samples = image.SamplesPerPixel;
        ifd.SetLongs(TiffTags.NewSubfileType, 0);
        ifd.SetLongs(TiffTags.ImageWidth, (uint)image.SensorWidth);
        ifd.SetLongs(TiffTags.ImageLength, (uint)image.SensorHeight);
        ifd.SetShorts(TiffTags.BitsPerSample, Enumerable.Repeat((ushort)16, samples).ToArray());
        ifd.SetShorts(TiffTags.Compression, 1);
        ifd.SetShorts(TiffTags.PhotometricInterpretation, image.IsCfa ? DngTags.PhotometricCfa : DngTags.PhotometricLinearRaw);
        ifd.SetShorts(TiffTags.SamplesPerPixel, (ushort)samples);
        ifd.SetLongs(TiffTags.RowsPerStrip, (uint)image.SensorHeight);
        ifd.SetShorts(TiffTags.PlanarConfiguration, 1);
        ifd.SetDataBlock(TiffTags.StripOffsets, TiffTags.StripByteCounts,
            new TiffDataBlock(image.Data.LongLength * 2, stream => WriteSamples(stream, image.Data)));
        if (image.Cfa is { } cfa) SetCfa(ifd, cfa);
        SetLevels(ifd, image);
        // The visible area as ActiveArea, not DefaultCrop: LibRaw 0.20 turns ActiveArea into its margins but
        // ignores DefaultCrop unless asked; and DNG states the CFA and black patterns at the ActiveArea origin,
        // which is where RawImage states them.
        var v = image.Visible;
        if (v != new PixelRect(0, 0, image.SensorWidth, image.SensorHeight))
            ifd.SetLongs(DngTags.ActiveArea, (uint)v.Y, (uint)v.X, (uint)v.Bottom, (uint)v.Right);
    }

    /// <summary>Opcode lists belong to the raw image's directory.</summary>
    private static void SetOpcodeLists(TiffDirectory ifd, DngWriteOptions options)
    {
        if (options.OpcodeList1 is { } list1) ifd.SetUndefined(DngTags.OpcodeList1, DngOpcodeList.Encode(list1));
        if (options.OpcodeList2 is { } list2) ifd.SetUndefined(DngTags.OpcodeList2, DngOpcodeList.Encode(list2));
        if (options.OpcodeList3 is { } list3) ifd.SetUndefined(DngTags.OpcodeList3, DngOpcodeList.Encode(list3));
    }

    /// <summary>Tags about the whole file: camera, orientation, DNG version, colour calibration, EXIF and GPS.</summary>
    private static void SetFileTags(TiffDirectory ifd, RawImage image, DngWriteOptions options)
    {
        var capture = image.Capture;
        ifd.SetShorts(TiffTags.Orientation, (ushort)image.Orientation);
        ifd.SetAscii(TiffTags.Software, options.Software);
        ifd.SetBytes(DngTags.DngVersion, 1, 4, 0, 0);
        ifd.SetBytes(DngTags.DngBackwardVersion, 1, 1, 0, 0);
        ifd.SetAscii(DngTags.UniqueCameraModel, UniqueCameraModel(capture));
        SetColor(ifd, image);
        CaptureTags.AddTo(ifd, capture);
    }

    private static void SetCfa(TiffDirectory ifd, CfaPattern cfa)
    {
        ifd.SetShorts(TiffTags.CfaRepeatPatternDim, (ushort)cfa.Height, (ushort)cfa.Width);
        ifd.SetBytes(TiffTags.CfaPattern, cfa.Colors.ToArray());
        ifd.SetBytes(DngTags.CfaPlaneColor, 0, 1, 2);
        ifd.SetShorts(DngTags.CfaLayout, 1);
    }

    private static void SetLevels(TiffDirectory ifd, RawImage image)
    {
        var black = SensorBlack.Of(image);
        var values = black.Values.ToArray().Select(v => (double)v).ToArray();
        if (black.IsUniform)
            values = [values[0]];
        else if (black.Width > 1 || black.Height > 1)
            ifd.SetShorts(DngTags.BlackLevelRepeatDim, (ushort)black.Height, (ushort)black.Width);
        if (values.All(v => v >= 0 && v <= uint.MaxValue && v == Math.Floor(v)))
            ifd.SetLongs(DngTags.BlackLevel, values.Select(v => (uint)v).ToArray());
        else
            ifd.SetRationals(DngTags.BlackLevel, values);
        ifd.SetLongs(DngTags.WhiteLevel, Enumerable.Repeat((uint)MathF.Round(image.White), image.SamplesPerPixel).ToArray());
    }

    private static void SetColor(TiffDirectory ifd, RawImage image)
    {
        var matrices = image.DngColorMatrices.Count > 0
            ? image.DngColorMatrices
            : image.XyzToCamera is { IsZero: false } matrix ? [new DngColorMatrix(Illuminant.D65, matrix)] : [];
        if (matrices.Count > 2)
            throw new ArgumentException($"A DNG holds at most two colour matrices, the raw image has {matrices.Count}.", nameof(image));
        if (matrices.Count > 0)
        {
            ifd.SetSignedRationals(DngTags.ColorMatrix1, Doubles(matrices[0].XyzToCamera.ToArray()));
            ifd.SetShorts(DngTags.CalibrationIlluminant1, (ushort)matrices[0].Illuminant);
        }
        if (matrices.Count > 1)
        {
            ifd.SetSignedRationals(DngTags.ColorMatrix2, Doubles(matrices[1].XyzToCamera.ToArray()));
            ifd.SetShorts(DngTags.CalibrationIlluminant2, (ushort)matrices[1].Illuminant);
        }
        var multipliers = image.AsShotMultipliers;
        ifd.SetRationals(DngTags.AsShotNeutral, multipliers[1] / (double)multipliers[0], 1.0, multipliers[1] / (double)multipliers[2]);
        if (image.BaselineExposure is { } baseline) ifd.SetSignedRationals(DngTags.BaselineExposure, baseline);
        if (image.NoiseProfile is { } noise) ifd.SetDoubles(DngTags.NoiseProfile, noise);
    }

    /// <summary>Sensor samples as little-endian uint16, straight from the array (every .NET target is little-endian).</summary>
    private static void WriteSamples(Stream stream, ushort[] data)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("DngWriter writes sample memory as is and needs a little-endian machine.");
        stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
    }

    private static string UniqueCameraModel(CaptureInfo capture)
    {
        var name = $"{capture.Make} {capture.Model}".Trim();
        return name.Length > 0 ? name : "RawEngine";
    }

    private static double[] Doubles(float[] values) => values.Select(v => (double)v).ToArray();
}
