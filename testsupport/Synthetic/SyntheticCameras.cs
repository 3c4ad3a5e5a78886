using RawEngine.Engine.Color;
using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Synthetic;

/// <summary>XYZ (D65) to camera matrices for synthetic raws.</summary>
public static class SyntheticCameras
{
    /// <summary>
    /// The "identity" camera: its native space is linear sRGB, so white is (1, 1, 1), the as-shot
    /// neutral is 1, 1, 1 and a correct pipe reproduces the scene exactly.
    /// </summary>
    public static Matrix3 XyzToLinearSrgb { get; } = RgbColorSpace.Srgb.ToXyz.Inverse();

    /// <summary>
    /// A realistic DSLR: Adobe's D65 ColorMatrix for the Canon EOS 6D (as its DNGs carry it). White comes
    /// out near (0.45, 1, 0.70), so the as-shot multipliers are far from 1, as with real cameras.
    /// </summary>
    public static Matrix3 TypicalDslr { get; } = new(
        0.7034f, -0.0804f, -0.1014f,
        -0.4420f, 1.2564f, 0.2058f,
        -0.0851f, 0.1994f, 0.5758f);
}
