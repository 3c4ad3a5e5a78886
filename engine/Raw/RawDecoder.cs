using RawEngine.Engine.Dng;
using RawEngine.Engine.Tiff;

namespace RawEngine.Engine.Raw;

public enum ThumbnailFormat { Jpeg = 1, Bitmap = 2 }

/// <summary>An embedded preview: JPEG bytes, or 8-bit interleaved RGB for <see cref="ThumbnailFormat.Bitmap"/>.</summary>
public sealed record RawThumbnail(ThumbnailFormat Format, int Width, int Height, byte[] Data);

/// <summary>
/// Reads camera raw files (and DNGs) through LibRaw into a <see cref="RawImage"/>. Any file LibRaw
/// cannot read fully, truncated or corrupt data included, gives a <see cref="RawDecodeException"/>.
/// </summary>
public static unsafe class RawDecoder
{
    /// <summary>The LibRaw version the shim runs against.</summary>
    public static string LibRawVersion => LibRawNative.Version;

    public static RawImage Decode(string path, CancellationToken cancellationToken = default)
    {
        CheckReadable(path);
        var rc = LibRawNative.Open(path, out var handle);
        using (handle) return Unpack(handle, rc, path, () => DngFileTags.Read(path), cancellationToken);
    }

    public static RawImage Decode(Stream stream, string? name = null, CancellationToken cancellationToken = default)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Decode(copy.GetBuffer().AsMemory(0, (int)copy.Length), name ?? "<stream>", cancellationToken);
    }

    public static RawImage Decode(ReadOnlyMemory<byte> bytes, string name, CancellationToken cancellationToken = default)
    {
        if (bytes.IsEmpty) throw new RawDecodeException(name, "the file is empty");
        var rc = LibRawNative.Open(bytes.Span, out var handle);
        using (handle) return Unpack(handle, rc, name, () => DngFileTags.Read(AsStream(bytes)), cancellationToken);
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    /// <summary>The embedded preview of a raw file.</summary>
    public static RawThumbnail ExtractThumbnail(string path)
    {
        CheckReadable(path);
        var rc = LibRawNative.Open(path, out var handle);
        using (handle)
        {
            ThrowOnError(rc, path);
            rc = LibRawNative.Thumbnail(handle, out var data, out var length, out var format, out var width, out var height);
            if (rc != LibRawNative.Success)
                throw new RawDecodeException(path, $"no embedded preview ({LibRawNative.Describe(rc)})");
            if (format is not (1 or 2) || length == 0)
                throw new RawDecodeException(path, $"the embedded preview has a format RawEngine cannot use (LibRaw format {format})");
            return new RawThumbnail((ThumbnailFormat)format, width, height, new ReadOnlySpan<byte>(data, (int)length).ToArray());
        }
    }

    private static void CheckReadable(string path)
    {
        if (Directory.Exists(path)) throw new RawDecodeException(path, "is a directory, not a raw file");
        if (!File.Exists(path)) throw new RawDecodeException(path, "no such file");
        try
        {
            using var probe = File.OpenRead(path);
            if (probe.Length == 0) throw new RawDecodeException(path, "the file is empty");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RawDecodeException(path, $"cannot be read ({e.Message})", e);
        }
    }

    /// <summary>The stage a LibRaw call failed in, so its error can be told in the user's terms.</summary>
    private enum Stage { Open, Unpack, Copy }

    private static void ThrowOnError(int rc, string source, Stage stage = Stage.Open)
    {
        if (rc == LibRawNative.CancelledByCallback) throw new OperationCanceledException();
        if (rc != LibRawNative.Success) throw new RawDecodeException(source, Explain(rc, stage));
    }

    /// <summary>LibRaw's error codes as sentences a user understands (its own strings say "Input/output error").</summary>
    private static string Explain(int rc, Stage stage) => rc switch
    {
        LibRawNative.FileUnsupported => "not a raw file LibRaw can read (an unknown, unsupported or damaged format)",
        LibRawNative.IoError when stage == Stage.Unpack => "the file is truncated or damaged: its sensor data ends before the image does",
        LibRawNative.IoError => "the file is truncated or damaged: its header points past its end",
        LibRawNative.DataError => "the sensor data is corrupt or the file is truncated",
        LibRawNative.OutOfMemory => "its header states an image too large to unpack (or memory ran out)",
        LibRawNative.TooBig => "its header states an image too large to unpack",
        LibRawNative.BadCrop => "its stated crop lies outside the sensor",
        _ => $"LibRaw cannot read it ({LibRawNative.Describe(rc)})",
    };

    private static RawImage Unpack(LibRawHandle handle, int openResult, string source, Func<DngFileTags?> readDngTags, CancellationToken cancellationToken)
    {
        ThrowOnError(openResult, source);
        cancellationToken.ThrowIfCancellationRequested();
        using (cancellationToken.Register(() => LibRawNative.Cancel(handle)))
            ThrowOnError(LibRawNative.Unpack(handle), source, Stage.Unpack);
        cancellationToken.ThrowIfCancellationRequested();

        LibRawNative.GetInfo(handle, out var info);
        var errors = LibRawNative.DataErrors(handle, out var offset);
        if (errors > 0)
            throw new RawDecodeException(source, info.DataSize > 0 && info.DataOffset + info.DataSize > info.FileSize
                ? $"the file is truncated: its sensor data needs {info.DataOffset + info.DataSize} bytes, the file has {info.FileSize}"
                : $"the sensor data is truncated or corrupt (first error near byte {offset})");
        var image = Build(handle, in info, source);
        if (info.DngVersion == 0) return image;
        try
        {
            if (readDngTags() is not { } tags) return image;
            if (tags.Raw.DataEnd > tags.FileLength)
                throw new RawDecodeException(source, $"the file is truncated: its sensor data needs {tags.Raw.DataEnd} bytes, the file has {tags.FileLength}");
            return DngOverlay.Apply(image, tags);
        }
        catch (TiffFormatException e)
        {
            throw new RawDecodeException(source, $"its DNG tags are damaged: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // Colour tags that parse but mean nothing: a singular matrix, one that maps white to no neutral.
            throw new RawDecodeException(source, $"its DNG colour tags are unusable: {e.Message}", e);
        }
    }

    private static RawImage Build(LibRawHandle handle, in LibRawInfo info, string source)
    {
        RefuseUnsupportedShapes(in info, source);
        var samples = info.SamplesPerPixel == 1 ? 1 : 3;
        var isCfa = info.Filters != 0;
        var visible = VisibleArea(in info, source);
        var cfa = isCfa ? ReadCfa(handle, visible, info, source) : null;

        var data = GC.AllocateUninitializedArray<ushort>(info.RawWidth * info.RawHeight * samples);
        int rc;
        fixed (ushort* destination = data) rc = LibRawNative.CopyRaw(handle, destination, (nuint)data.Length);
        ThrowOnError(rc, source, Stage.Copy);

        fixed (LibRawInfo* p = &info)
        {
            var dngLevels = info.DngVersion != 0 && info.DngWhite > 0;
            var dngMatrices = ReadDngMatrices(p);
            var camXyz = Matrix3.FromRows(new ReadOnlySpan<float>(p->CamXyz, 9));
            var xyzToCamera = camXyz.IsZero ? DaylightMatrix(dngMatrices) : camXyz;
            var dngNeutral = dngLevels ? MultipliersForNeutral(new ReadOnlySpan<float>(p->DngNeutral, 3)) : null;
            var cameraMultipliers = Multipliers(p->CamMul);
            var daylight = Multipliers(p->PreMul);
            var warnings = new List<string>();
            if (xyzToCamera is null)
                warnings.Add($"{source}: no colour matrix for this camera: developed in raw colour (camera RGB taken as sRGB), as LibRaw does");
            return new RawImage
            {
                Source = source,
                SensorWidth = info.RawWidth,
                SensorHeight = info.RawHeight,
                SamplesPerPixel = samples,
                Data = data,
                Visible = visible,
                Cfa = cfa,
                Black = dngLevels ? ReadDngBlack(p) : ReadBlack(p),
                White = dngLevels ? info.DngWhite : info.Maximum > 0 ? info.Maximum : 65535u,
                AsShotMultipliers = dngNeutral ?? cameraMultipliers ?? daylight ?? [1, 1, 1],
                WhiteBalanceSource = dngNeutral is not null ? "DNG AsShotNeutral"
                    : cameraMultipliers is not null ? "camera (as shot)"
                    : daylight is not null ? "LibRaw daylight (the file has no as-shot white balance)"
                    : "none (the file has no white balance)",
                DaylightMultipliers = daylight ?? [1, 1, 1],
                XyzToCamera = xyzToCamera,
                RawColorToSrgb = xyzToCamera is null ? RawColorMatrix(p->RgbCam) : Matrix3.Identity,
                ColorMatrixSource = DescribeMatrixSource(dngMatrices, camXyz),
                DngColorMatrices = dngMatrices,
                BaselineExposure = info.DngVersion != 0 && info.BaselineExposure > LibRawNative.AbsentBaselineExposure ? info.BaselineExposure : null,
                PixelAspect = info.PixelAspect > 0 && double.IsFinite(info.PixelAspect) ? info.PixelAspect : 1,
                Orientation = OrientationFromFlip(info.Flip),
                Capture = ReadCapture(p),
                Warnings = warnings,
            };
        }
    }

    /// <summary>Every shape LibRaw hands over that the pipe cannot develop, refused by name (engine/Raw/README.md has the table).</summary>
    private static void RefuseUnsupportedShapes(in LibRawInfo info, string source)
    {
        string letters;
        fixed (byte* text = info.ColorLetters) letters = LibRawNative.Text(text, 8);
        string? refusal =
            info.SamplesPerPixel == 0 || info.RawWidth <= 0 || info.RawHeight <= 0 ? "the file holds no sensor data LibRaw can unpack"
            : info.IsFoveon != 0 ? "Foveon X3 (layered) sensors are not supported"
            : info.FujiWidth != 0 ? "Fuji SuperCCD sensors (pixels on a 45-degree grid) are not supported"
            : info.Colors == 4 && letters != "RGBG" ? $"4-colour {FourColourName(letters)} sensors are not supported"
            : info.Colors is not (3 or 4) ? $"{(info.Colors == 1 ? "monochrome" : $"{info.Colors}-colour")} sensors are not supported"
            : info.SamplesPerPixel == 1 && info.Filters == 0 ? "single-channel data without a CFA pattern is not supported"
            : info.SamplesPerPixel != 1 && info.Filters != 0 ? $"{info.SamplesPerPixel} samples per pixel with a CFA pattern is not supported"
            : info.Filters is > 0 and < 1000 and not 9 ? $"the {(info.Filters == 1 ? "16x16 Leaf" : "8x8")} CFA layout (LibRaw filters {info.Filters}) is not supported"
            : null;
        if (refusal is not null) throw new RawDecodeException(source, refusal);
    }

    private static string FourColourName(string letters) =>
        letters.Contains('C') || letters.Contains('M') || letters.Contains('Y') ? "CMYG" : letters.Contains('E') ? "RGBE" : letters;

    /// <summary>LibRaw's rgb_cam (rows of 4, camera to sRGB) as a 3x3 matrix.</summary>
    private static Matrix3 RawColorMatrix(float* rgbCam)
    {
        Span<float> rows = stackalloc float[9];
        for (var r = 0; r < 3; r++)
            for (var c = 0; c < 3; c++) rows[r * 3 + c] = rgbCam[r * 4 + c];
        return rows.IndexOfAnyExcept(0f) < 0 ? Matrix3.Identity : Matrix3.FromRows(rows);
    }

    private static string DescribeMatrixSource(IReadOnlyList<DngColorMatrix> dngMatrices, Matrix3 camXyz) =>
        dngMatrices.Count > 0 ? string.Join(" + ", dngMatrices.Select((m, i) => $"DNG ColorMatrix{i + 1} ({m.Illuminant})"))
        : !camXyz.IsZero ? "LibRaw table"
        : "none: raw colour";

    /// <summary>
    /// LibRaw 0.20 leaves its own XYZ-to-camera matrix empty for DNGs it has no table entry for;
    /// then the DNG matrix nearest daylight serves.
    /// </summary>
    private static Matrix3? DaylightMatrix(IReadOnlyList<DngColorMatrix> matrices) =>
        matrices.OrderBy(m => m.Illuminant switch { Illuminant.D65 => 0, Illuminant.D55 or Illuminant.Daylight or Illuminant.D50 => 1, _ => 2 })
            .FirstOrDefault()?.XyzToCamera;

    /// <summary>LibRaw's margins (which include a DNG's ActiveArea and DefaultCrop).</summary>
    private static PixelRect VisibleArea(in LibRawInfo info, string source)
    {
        var area = new PixelRect(info.LeftMargin, info.TopMargin, info.Width, info.Height);
        if (area.Width <= 0 || area.Height <= 0 || area.Right > info.RawWidth || area.Bottom > info.RawHeight)
            throw new RawDecodeException(source, $"the visible area {area.Width}x{area.Height}+{area.X}+{area.Y} does not fit the {info.RawWidth}x{info.RawHeight} sensor");
        return area;
    }

    private static CfaPattern ReadCfa(LibRawHandle handle, PixelRect visible, in LibRawInfo info, string source)
    {
        var size = info.Filters == 9 ? 6 : 2;
        var colors = new byte[size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var color = LibRawNative.ColorAt(handle, y, x);
                colors[y * size + x] = (byte)(color == 3 ? 1 : color);
            }
        if (size == 2)
            for (var y = 0; y < 4; y++)
                for (var x = 0; x < 4; x++)
                {
                    var color = LibRawNative.ColorAt(handle, y, x);
                    if ((color == 3 ? 1 : color) != colors[(y % 2) * 2 + x % 2])
                        throw new RawDecodeException(source, $"unsupported CFA layout (filters 0x{info.Filters:X8} does not repeat every 2x2)");
                }
        try { return new CfaPattern(size, size, colors); }
        catch (ArgumentException e) { throw new RawDecodeException(source, $"unsupported CFA layout: {e.Message}", e); }
    }

    private static BlackLevels ReadBlack(LibRawInfo* info) =>
        Black(info->Black, info->ChannelBlack, info->BlackPatternRows, info->BlackPatternCols, info->BlackPattern);

    /// <summary>The DNG's BlackLevel as written (LibRaw 0.20 folds it differently for LinearRaw files).</summary>
    private static BlackLevels ReadDngBlack(LibRawInfo* info) =>
        Black(info->DngBlack, info->DngChannelBlack, info->DngChannelBlack[4], info->DngChannelBlack[5], info->DngChannelBlack + 6);

    /// <summary>LibRaw's black layout: a base, four per-colour offsets, and a repeating pattern of rows x cols.</summary>
    private static BlackLevels Black(uint black, uint* perColor, uint rows, uint cols, uint* pattern)
    {
        var perChannel = new float[] { perColor[0], perColor[1], perColor[2], perColor[3] };
        if (rows == 0 || cols == 0 || rows * cols > 36) return new BlackLevels(black, perChannel);
        var values = new float[rows * cols];
        for (var i = 0; i < values.Length; i++) values[i] = pattern[i];
        return new BlackLevels(black, perChannel, (int)cols, (int)rows, values);
    }

    /// <summary>White-balance multipliers from a camera neutral (1 / neutral, normalised so G = 1), or null when it is not set.</summary>
    internal static float[]? MultipliersForNeutral(ReadOnlySpan<float> neutral) =>
        neutral[0] > 0 && neutral[1] > 0 && neutral[2] > 0 ? [neutral[1] / neutral[0], 1f, neutral[1] / neutral[2]] : null;

    /// <summary>R, G, B multipliers normalised to G = 1, or null when LibRaw has none.</summary>
    private static float[]? Multipliers(float* m)
    {
        if (!(m[0] > 0 && m[1] > 0 && m[2] > 0) || float.IsNaN(m[0] + m[1] + m[2])) return null;
        return [m[0] / m[1], 1f, m[2] / m[1]];
    }

    private static IReadOnlyList<DngColorMatrix> ReadDngMatrices(LibRawInfo* info)
    {
        var list = new List<DngColorMatrix>(2);
        for (var m = 0; m < 2; m++)
        {
            var matrix = Matrix3.FromRows(new ReadOnlySpan<float>(info->DngMatrix + m * 9, 9));
            if (!matrix.IsZero) list.Add(new DngColorMatrix((Illuminant)info->DngIlluminant[m], matrix));
        }
        return list;
    }

    /// <summary>LibRaw's flip bits (1 mirror x, 2 mirror y, 4 transpose) as an EXIF orientation.</summary>
    internal static int OrientationFromFlip(int flip) => (flip & 7) switch
    {
        0 => 1, 1 => 2, 3 => 3, 2 => 4, 4 => 5, 6 => 6, 7 => 7, 5 => 8, _ => 1,
    };

    private static CaptureInfo ReadCapture(LibRawInfo* info) => new()
    {
        Make = LibRawNative.Text(info->Make, 128),
        Model = LibRawNative.Text(info->Model, 128),
        LensMake = LibRawNative.Text(info->LensMake, 128),
        Lens = LibRawNative.Text(info->Lens, 128),
        Artist = LibRawNative.Text(info->Artist, 128),
        Description = LibRawNative.Text(info->Description, 512),
        Iso = info->Iso,
        ExposureTime = info->Shutter,
        FNumber = info->Aperture,
        FocalLength = info->FocalLength,
        // LibRaw turns the EXIF wall-clock time into epoch seconds with the local time zone; undo that.
        Timestamp = info->Timestamp > 0 ? DateTimeOffset.FromUnixTimeSeconds(info->Timestamp).ToLocalTime().DateTime : null,
        Gps = info->GpsValid != 0 ? new GpsPosition(info->GpsLatitude, info->GpsLongitude, info->GpsAltitude) : null,
    };
}
