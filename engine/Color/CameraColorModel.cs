using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Color;

/// <summary>
/// How a camera's RGB maps to CIE XYZ, following the DNG specification (chapter 6): XYZ to camera =
/// AnalogBalance x CameraCalibration x ColorMatrix, with CameraCalibration and ColorMatrix interpolated
/// between the two calibration illuminants linearly in inverse colour temperature (mired) of the
/// scene's white; ForwardMatrix, when present, maps white-balanced camera RGB to XYZ D50 directly.
/// Non-DNG raws have one calibration: LibRaw's D65 matrix.
/// </summary>
public sealed class CameraColorModel
{
    private readonly IReadOnlyList<DngColorMatrix> _calibrations;
    private readonly Matrix3 _analogBalance;

    /// <param name="calibrations">One or two calibrations (ColorMatrix with its illuminant, CameraCalibration, ForwardMatrix).</param>
    /// <param name="analogBalance">The DNG's AnalogBalance (R, G, B), or null.</param>
    public CameraColorModel(IReadOnlyList<DngColorMatrix> calibrations, float[]? analogBalance)
    {
        if (calibrations.Count is < 1 or > 2) throw new ArgumentException($"A camera has one or two calibrations, not {calibrations.Count}.", nameof(calibrations));
        _calibrations = calibrations;
        _analogBalance = analogBalance is { Length: >= 3 } ab ? Matrix3.Diagonal(ab[0], ab[1], ab[2]) : Matrix3.Identity;
    }

    /// <summary>The image's colour model; null when it has no matrix at all (raw colour).</summary>
    public static CameraColorModel? Of(RawImage image)
    {
        if (image.DngColorMatrices.Count > 0) return new(image.DngColorMatrices, image.AnalogBalance);
        return image.XyzToCamera is { } matrix ? new([new DngColorMatrix(Illuminant.D65, matrix)], image.AnalogBalance) : null;
    }

    /// <summary>The camera's neutral (its RGB response to a white) for a white given as chromaticity, normalised to G = 1.</summary>
    public float[] NeutralFor(Chromaticity white)
    {
        var (x, y, z) = white.ToXyz();
        var (r, g, b) = XyzToCamera(WeightOfFirst(white)).Transform((float)x, (float)y, (float)z);
        if (!(r > 0 && g > 0 && b > 0)) throw new InvalidOperationException($"The camera matrix maps the white {white} to no valid neutral.");
        return [r / g, 1, b / g];
    }

    /// <summary>
    /// White-balanced camera RGB to XYZ adapted to D50 for a camera <paramref name="neutral"/>: white-balanced
    /// (1, 1, 1) lands on D50 white with Y = 1.
    /// </summary>
    public Matrix3 BalancedCameraToXyzD50(float[] neutral)
    {
        var weight = WeightOfFirst(WhiteOf(neutral));
        var balance = Matrix3.Diagonal(neutral[0], neutral[1], neutral[2]);
        Matrix3 toXyzD50;
        if (Interpolate(c => c.ForwardMatrix, weight) is { } forward)
        {
            // DNG: CameraToXYZ_D50 = FM x D x Inverse(AB x CC), D = Inverse(diag(ReferenceNeutral)), ReferenceNeutral = Inverse(AB x CC) x CameraNeutral.
            var analogToReference = (_analogBalance * (Interpolate(c => c.CameraCalibration, weight) ?? Matrix3.Identity)).Inverse();
            var (rr, rg, rb) = analogToReference.Transform(neutral[0], neutral[1], neutral[2]);
            toXyzD50 = forward * Matrix3.Diagonal(1 / rr, 1 / rg, 1 / rb) * analogToReference * balance;
        }
        else
        {
            var cameraToXyz = XyzToCamera(weight).Inverse() * balance;
            var (wx, wy, wz) = cameraToXyz.Transform(1, 1, 1);
            var sum = wx + wy + wz;
            if (!(wy > 0) || !(sum > 0)) throw new InvalidOperationException("The camera matrix maps the neutral to no valid white.");
            toXyzD50 = ChromaticAdaptation.Bradford(new Chromaticity(wx / sum, wy / sum), Chromaticity.D50) * cameraToXyz;
        }
        var (_, y, _) = toXyzD50.Transform(1, 1, 1);
        if (!(y > 0)) throw new InvalidOperationException("The camera matrix maps the neutral to no valid white.");
        return Matrix3.Diagonal(1 / y, 1 / y, 1 / y) * toXyzD50;
    }

    /// <summary>The white a camera neutral stands for: found by iterating matrix interpolation and white, as the DNG SDK does.</summary>
    public Chromaticity WhiteOf(float[] neutral)
    {
        var white = Chromaticity.D50;
        for (var iteration = 0; iteration < 6; iteration++)
        {
            var (x, y, z) = XyzToCamera(WeightOfFirst(white)).Inverse().Transform(neutral[0], neutral[1], neutral[2]);
            var sum = x + y + z;
            if (!(sum > 0) || !(y > 0)) throw new InvalidOperationException("The camera matrix maps the neutral to no valid white.");
            white = new Chromaticity(x / sum, y / sum);
            if (_calibrations.Count < 2) break;
        }
        return white;
    }

    private Matrix3 XyzToCamera(double weightOfFirst) =>
        _analogBalance * (Interpolate(c => c.CameraCalibration, weightOfFirst) ?? Matrix3.Identity) * Interpolate(c => c.XyzToCamera, weightOfFirst)!;

    /// <summary>The weight of the first calibration for a white, linear in mired between the two illuminants, clamped.</summary>
    private double WeightOfFirst(Chromaticity white)
    {
        if (_calibrations.Count < 2) return 1;
        double miredA = 1e6 / Kelvin(_calibrations[0].Illuminant), miredB = 1e6 / Kelvin(_calibrations[1].Illuminant);
        if (miredA == miredB) return 1;
        var mired = 1e6 / CorrelatedColorTemperature(white);
        return Math.Clamp((mired - miredB) / (miredA - miredB), 0, 1);
    }

    /// <summary>A per-calibration matrix mixed by weight; where only one calibration has it, that one; null when none has.</summary>
    private Matrix3? Interpolate(Func<DngColorMatrix, Matrix3?> pick, double weightOfFirst)
    {
        var first = pick(_calibrations[0]);
        var second = _calibrations.Count > 1 ? pick(_calibrations[1]) : null;
        if (first is null || second is null) return first ?? second;
        var (va, vb) = (first.ToArray(), second.ToArray());
        var mixed = new float[9];
        for (var i = 0; i < 9; i++) mixed[i] = (float)(weightOfFirst * va[i] + (1 - weightOfFirst) * vb[i]);
        return Matrix3.FromRows(mixed);
    }

    /// <summary>McCamy's approximation, good to a few kelvin between 2000 K and 12500 K.</summary>
    private static double CorrelatedColorTemperature(Chromaticity white)
    {
        var n = (white.X - 0.3320) / (0.1858 - white.Y);
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
