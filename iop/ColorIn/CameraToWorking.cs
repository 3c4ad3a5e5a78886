using RawEngine.Engine.Color;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.ColorIn;

/// <summary>
/// The matrix from white-balanced camera RGB to the linear working space: the camera's colour model
/// (<see cref="CameraColorModel"/>: DNG matrices, calibrations and forward matrices, or LibRaw's table)
/// at the as-shot white, to XYZ D50, then to the working space; white-balanced (1, 1, 1) lands on
/// working white. A raw with no matrix at all is developed in raw colour: its white-balanced RGB is
/// taken as linear sRGB through LibRaw's rgb_cam, as LibRaw and dcraw do.
/// </summary>
public static class CameraToWorking
{
    public static Matrix3 For(RawImage image, RgbColorSpace working)
    {
        var fromXyzD50 = working.ToXyzD50.Inverse();
        if (CameraColorModel.Of(image) is not { } model) return fromXyzD50 * RgbColorSpace.Srgb.ToXyzD50 * image.RawColorToSrgb;
        var multipliers = image.AsShotMultipliers;
        return fromXyzD50 * model.BalancedCameraToXyzD50([1 / multipliers[0], 1 / multipliers[1], 1 / multipliers[2]]);
    }
}
