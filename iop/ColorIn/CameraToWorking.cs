using RawEngine.Engine.Color;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.ColorIn;

/// <summary>
/// The matrix from white-balanced camera RGB to the linear working space. The camera's neutral
/// (the as-shot white) is taken through the camera matrix to XYZ, adapted from that white to the
/// working space's white with Bradford, and scaled so white-balanced (1, 1, 1) lands on working white.
/// DNG files with two ColorMatrix tags get the matrix interpolated by the neutral's colour
/// temperature (in mired), as the DNG specification describes.
/// </summary>
public static class CameraToWorking
{
    public static Matrix3 For(RawImage image, RgbColorSpace working)
    {
        var neutral = new[] { 1 / image.AsShotMultipliers[0], 1 / image.AsShotMultipliers[1], 1 / image.AsShotMultipliers[2] };
        var xyzToCamera = XyzToCamera(image, neutral);
        var cameraToXyz = xyzToCamera.Inverse() * Matrix3.Diagonal(neutral[0], neutral[1], neutral[2]);
        var (wx, wy, wz) = cameraToXyz.Transform(1, 1, 1);
        var sum = wx + wy + wz;
        if (!(wy > 0) || !(sum > 0)) throw new InvalidOperationException("The camera matrix maps the neutral to no valid white.");
        var white = new Chromaticity(wx / sum, wy / sum);
        var adapted = ChromaticAdaptation.Bradford(white, working.White) * Matrix3.Diagonal(1 / wy, 1 / wy, 1 / wy) * cameraToXyz;
        return working.ToXyz.Inverse() * adapted;
    }

    /// <summary>XYZ to camera: the DNG matrices (interpolated when there are two), else LibRaw's D65 matrix.</summary>
    private static Matrix3 XyzToCamera(RawImage image, float[] neutral)
    {
        var matrices = image.DngColorMatrices;
        if (matrices.Count == 0) return image.XyzToCamera;
        if (matrices.Count == 1) return matrices[0].XyzToCamera;
        var (a, b) = (matrices[0], matrices[1]);
        double miredA = 1e6 / Kelvin(a.Illuminant), miredB = 1e6 / Kelvin(b.Illuminant);
        if (miredA == miredB) return a.XyzToCamera;
        var weight = 0.5;
        for (var iteration = 0; iteration < 4; iteration++)
        {
            var m = Mix(a.XyzToCamera, b.XyzToCamera, weight);
            var (x, y, z) = (m.Inverse() * Matrix3.Diagonal(neutral[0], neutral[1], neutral[2])).Transform(1, 1, 1);
            var mired = 1e6 / CorrelatedColorTemperature(x / (x + y + z), y / (x + y + z));
            weight = Math.Clamp((mired - miredB) / (miredA - miredB), 0, 1);
        }
        return Mix(a.XyzToCamera, b.XyzToCamera, weight);
    }

    private static Matrix3 Mix(Matrix3 a, Matrix3 b, double weightOfA)
    {
        var (va, vb) = (a.ToArray(), b.ToArray());
        var mixed = new float[9];
        for (var i = 0; i < 9; i++) mixed[i] = (float)(weightOfA * va[i] + (1 - weightOfA) * vb[i]);
        return Matrix3.FromRows(mixed);
    }

    /// <summary>McCamy's approximation, good to a few kelvin between 2000 K and 12500 K.</summary>
    private static double CorrelatedColorTemperature(double x, double y)
    {
        var n = (x - 0.3320) / (0.1858 - y);
        return Math.Clamp(449 * n * n * n + 3525 * n * n + 6823.3 * n + 5520.33, 1500, 25000);
    }

    /// <summary>Colour temperature of the EXIF light sources DNG calibrations use.</summary>
    private static double Kelvin(Illuminant illuminant) => illuminant switch
    {
        Illuminant.StandardA or Illuminant.Tungsten or Illuminant.IsoStudioTungsten => 2856,
        Illuminant.D50 => 5003,
        Illuminant.D55 or Illuminant.Daylight or Illuminant.FineWeather or Illuminant.Flash => 5503,
        Illuminant.D75 or Illuminant.Shade => 7504,
        Illuminant.CloudyWeather => 6504,
        Illuminant.Fluorescent => 4230,
        Illuminant.StandardB => 4874,
        Illuminant.StandardC => 6774,
        _ => 6504,
    };
}
