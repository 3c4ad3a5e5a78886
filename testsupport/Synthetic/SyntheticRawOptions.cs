using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Synthetic;

/// <summary>
/// The camera a synthetic raw is shot with. The defaults are the "identity" camera: ColorMatrix1 =
/// XYZ to linear sRGB under D65, as-shot neutral 1, 1, 1, RGGB, 14 bits with black 512 and white 16383,
/// no noise.
/// </summary>
public sealed record SyntheticRawOptions
{
    /// <summary>CFA at the visible area's top-left (any Bayer phase or X-Trans); null makes LinearRaw (3 samples per pixel).</summary>
    public CfaPattern? Cfa { get; init; } = CfaPattern.Rggb;

    /// <summary>XYZ (D65) to camera RGB; written as ColorMatrix1. The scene's white gives the as-shot neutral.</summary>
    public Matrix3 XyzToCamera { get; init; } = SyntheticCameras.XyzToLinearSrgb;

    /// <summary>Illuminant the matrix is calibrated for (CalibrationIlluminant1).</summary>
    public Illuminant MatrixIlluminant { get; init; } = Illuminant.D65;

    /// <summary>Scene value that reaches the white level in the camera's most sensitive channel (1 = diffuse white clips exactly).</summary>
    public double Exposure { get; init; } = 1.0;

    /// <summary>ADC bit depth; the white level is 2^BitDepth - 1.</summary>
    public int BitDepth { get; init; } = 14;

    public int BlackLevel { get; init; } = 512;

    /// <summary>Per-channel offsets added to <see cref="BlackLevel"/>, R, G, B, G2 as LibRaw numbers them (G2: the Bayer green on blue rows); null for none.</summary>
    public float[]? ChannelBlack { get; init; }

    /// <summary>Noise added before quantisation; null for none.</summary>
    public SensorNoise? Noise { get; init; }

    /// <summary>Seed of the noise (same seed, same raw).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Sensor border (pixels at black plus noise) around the visible area on every side; the DNG states the visible area as ActiveArea. Even for Bayer.</summary>
    public int Margin { get; init; }

    /// <summary>EXIF orientation 1..8 to record (the pixels are not rotated).</summary>
    public int Orientation { get; init; } = 1;

    public CaptureInfo Capture { get; init; } = new()
    {
        Make = "RawEngine",
        Model = "Synthetic",
        LensMake = "RawEngine",
        Lens = "Synthetic 50mm F2",
        Iso = 100,
        ExposureTime = 1 / 125f,
        FNumber = 5.6f,
        FocalLength = 50,
        Timestamp = new DateTime(2024, 6, 1, 12, 0, 0),
    };

    public int WhiteLevel => (1 << BitDepth) - 1;
}
