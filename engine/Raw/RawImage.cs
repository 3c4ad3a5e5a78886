namespace RawEngine.Engine.Raw;

/// <summary>A rectangle in sensor pixels.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;
}

/// <summary>A 3x3 row-major matrix, small and immutable.</summary>
public sealed record Matrix3(float M00, float M01, float M02, float M10, float M11, float M12, float M20, float M21, float M22)
{
    public static Matrix3 FromRows(ReadOnlySpan<float> m) =>
        m.Length == 9 ? new(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]) : throw new ArgumentException("A 3x3 matrix needs 9 values.");

    public static Matrix3 Identity { get; } = Diagonal(1, 1, 1);

    public static Matrix3 Diagonal(float a, float b, float c) => new(a, 0, 0, 0, b, 0, 0, 0, c);

    public float[] ToArray() => [M00, M01, M02, M10, M11, M12, M20, M21, M22];

    public bool IsZero => ToArray().All(v => v == 0f);

    public static Matrix3 operator *(Matrix3 a, Matrix3 b) => new(
        a.M00 * b.M00 + a.M01 * b.M10 + a.M02 * b.M20, a.M00 * b.M01 + a.M01 * b.M11 + a.M02 * b.M21, a.M00 * b.M02 + a.M01 * b.M12 + a.M02 * b.M22,
        a.M10 * b.M00 + a.M11 * b.M10 + a.M12 * b.M20, a.M10 * b.M01 + a.M11 * b.M11 + a.M12 * b.M21, a.M10 * b.M02 + a.M11 * b.M12 + a.M12 * b.M22,
        a.M20 * b.M00 + a.M21 * b.M10 + a.M22 * b.M20, a.M20 * b.M01 + a.M21 * b.M11 + a.M22 * b.M21, a.M20 * b.M02 + a.M21 * b.M12 + a.M22 * b.M22);

    public (float X, float Y, float Z) Transform(float x, float y, float z) =>
        (M00 * x + M01 * y + M02 * z, M10 * x + M11 * y + M12 * z, M20 * x + M21 * y + M22 * z);

    /// <summary>The inverse, computed in double precision; a singular matrix is an error.</summary>
    public Matrix3 Inverse()
    {
        double a = M00, b = M01, c = M02, d = M10, e = M11, f = M12, g = M20, h = M21, i = M22;
        var det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        if (Math.Abs(det) < 1e-12) throw new InvalidOperationException($"The matrix {this} is singular.");
        return new((float)((e * i - f * h) / det), (float)((c * h - b * i) / det), (float)((b * f - c * e) / det),
                   (float)((f * g - d * i) / det), (float)((a * i - c * g) / det), (float)((c * d - a * f) / det),
                   (float)((d * h - e * g) / det), (float)((b * g - a * h) / det), (float)((a * e - b * d) / det));
    }
}

/// <summary>EXIF light sources used as DNG calibration illuminants.</summary>
public enum Illuminant : ushort
{
    Unknown = 0, Daylight = 1, Fluorescent = 2, Tungsten = 3, Flash = 4, FineWeather = 9, CloudyWeather = 10,
    Shade = 11, D50 = 23, D55 = 20, D65 = 21, D75 = 22, StandardA = 17, StandardB = 18, StandardC = 19, IsoStudioTungsten = 24,
}

/// <summary>
/// One DNG calibration: ColorMatrix (XYZ to camera) measured under an illuminant, with that illuminant's
/// CameraCalibration (the individual camera's deviation from its model) and ForwardMatrix (white-balanced
/// camera to XYZ D50) when the file has them.
/// </summary>
public sealed record DngColorMatrix(Illuminant Illuminant, Matrix3 XyzToCamera, Matrix3? CameraCalibration = null, Matrix3? ForwardMatrix = null);

/// <summary>
/// Black level as LibRaw and DNG state it: a base value, one offset per CFA colour (R, G, B, G2),
/// and an optional repeating pattern (up to 6x6 for X-Trans) aligned to the visible area's origin.
/// </summary>
public sealed record BlackLevels(float Base, float[] PerChannel, int PatternWidth = 0, int PatternHeight = 0, float[]? Pattern = null)
{
    public static BlackLevels Uniform(float black) => new(black, [0, 0, 0, 0]);

    /// <summary>The black of a pixel with the given colour index (0..3) at visible-area (row, col).</summary>
    public float At(int row, int col, int colorIndex)
    {
        var value = Base + PerChannel[colorIndex];
        if (Pattern is not null && PatternWidth > 0 && PatternHeight > 0)
            value += Pattern[(row % PatternHeight) * PatternWidth + col % PatternWidth];
        return value;
    }

    /// <summary>The mean black over the colour channels, for summaries.</summary>
    public float Mean => Base + PerChannel.Take(3).Average() + (Pattern is { Length: > 0 } pattern ? pattern.Average() : 0);
}

/// <summary>Capture metadata carried from the raw to the export.</summary>
public sealed record CaptureInfo
{
    public string Make { get; init; } = "";
    public string Model { get; init; } = "";
    public string LensMake { get; init; } = "";
    public string Lens { get; init; } = "";
    public float Iso { get; init; }
    /// <summary>Exposure time in seconds.</summary>
    public float ExposureTime { get; init; }
    public float FNumber { get; init; }
    /// <summary>Focal length in mm.</summary>
    public float FocalLength { get; init; }
    /// <summary>Distance to the subject in metres (EXIF SubjectDistance); 0 when the file does not say, infinity for infinity.</summary>
    public float SubjectDistance { get; init; }
    public DateTime? Timestamp { get; init; }
    public string Artist { get; init; } = "";
    public string Copyright { get; init; } = "";
    public string Description { get; init; } = "";
    public GpsPosition? Gps { get; init; }
}

/// <summary>GPS position in decimal degrees (south and west negative) and metres.</summary>
public sealed record GpsPosition(double Latitude, double Longitude, double? Altitude);

/// <summary>
/// What a raw file holds, independent of LibRaw: the sensor samples with their layout and the
/// metadata the pipe needs. CFA data has one sample per pixel; LinearRaw data three (RGB, interleaved).
/// </summary>
public sealed record RawImage
{
    /// <summary>The file it came from, for messages (null for memory).</summary>
    public string? Source { get; init; }

    /// <summary>Full sensor array size, margins included.</summary>
    public required int SensorWidth { get; init; }
    public required int SensorHeight { get; init; }

    /// <summary>Samples per pixel: 1 for a CFA mosaic, 3 for linear RGB.</summary>
    public required int SamplesPerPixel { get; init; }

    /// <summary>Row-major sensor samples, <c>SensorWidth * SensorHeight * SamplesPerPixel</c> long.</summary>
    public required ushort[] Data { get; init; }

    /// <summary>The visible area within the sensor (after margins, a DNG's ActiveArea and DefaultCrop).</summary>
    public required PixelRect Visible { get; init; }

    /// <summary>CFA layout at the visible area's top-left; null for linear data.</summary>
    public CfaPattern? Cfa { get; init; }

    public required BlackLevels Black { get; init; }
    public required float White { get; init; }

    /// <summary>As-shot white balance multipliers (R, G, B), normalised so G = 1.</summary>
    public required float[] AsShotMultipliers { get; init; }

    /// <summary>Where <see cref="AsShotMultipliers"/> come from, for reports ("DNG AsShotNeutral", "camera", ...).</summary>
    public string WhiteBalanceSource { get; init; } = "";

    /// <summary>Daylight multipliers (R, G, B) derived from the camera matrix, normalised so G = 1.</summary>
    public float[] DaylightMultipliers { get; init; } = [1, 1, 1];

    /// <summary>
    /// XYZ (D65) to camera matrix as LibRaw states it (dcraw's cam_xyz); null when neither the file nor
    /// LibRaw knows one: the camera's white-balanced RGB is then taken through <see cref="RawColorToSrgb"/>
    /// ("raw colour", as LibRaw and dcraw develop such files).
    /// </summary>
    public required Matrix3? XyzToCamera { get; init; }

    /// <summary>LibRaw's camera-to-sRGB matrix for raw colour (its rgb_cam; identity for most cameras).</summary>
    public Matrix3 RawColorToSrgb { get; init; } = Matrix3.Identity;

    /// <summary>DNG ColorMatrix1/2 with their calibration illuminants, when the file has them.</summary>
    public IReadOnlyList<DngColorMatrix> DngColorMatrices { get; init; } = [];

    /// <summary>DNG AnalogBalance (R, G, B), when the file has it.</summary>
    public float[]? AnalogBalance { get; init; }

    /// <summary>Where the colour matrix comes from, for reports ("DNG ColorMatrix2 + CameraCalibration", "LibRaw table", "none: raw colour").</summary>
    public string ColorMatrixSource { get; init; } = "";

    /// <summary>DNG BaselineExposure in EV; null when the file has none (then nothing is compensated).</summary>
    public float? BaselineExposure { get; init; }

    /// <summary>DNG NoiseProfile (S, O) pairs, one for all colour planes or one per plane: noise variance = S * x + O with
    /// x the signal in [0, 1] of white above black; null when the file does not say.</summary>
    public double[]? NoiseProfile { get; init; }

    /// <summary>
    /// Width over height of one sensor pixel as the picture should be shown (1 for square pixels;
    /// Kodak DC120 and DNG DefaultScale files differ). Shown pictures stretch the shorter way, as LibRaw does.
    /// </summary>
    public double PixelAspect { get; init; } = 1;

    /// <summary>What the develop should tell the user about the file (e.g. no colour matrix), one sentence each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>EXIF orientation, 1..8.</summary>
    public int Orientation { get; init; } = 1;

    public CaptureInfo Capture { get; init; } = new();

    /// <summary>The DNG opcode lists the pipe applies in their stages; null when the file has none.</summary>
    public DngOpcodeStages? Opcodes { get; init; }

    /// <summary>
    /// The DNG opcodes in the file that correct the lens (WarpRectilinear, FixVignetteRadial, GainMap), by name;
    /// empty for other files. Profile-based lens correction steps aside when any is present, so no lens is corrected twice.
    /// </summary>
    public IReadOnlyList<string> LensOpcodes { get; init; } = [];

    public bool IsCfa => Cfa is not null;

    /// <summary>One sample of the visible area (channel 0 for CFA data).</summary>
    public ushort VisibleSample(int row, int col, int channel = 0) =>
        Data[((Visible.Y + row) * SensorWidth + Visible.X + col) * SamplesPerPixel + channel];
}
