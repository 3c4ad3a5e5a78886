using RawEngine.Engine.Color;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;

namespace RawEngine.Tests.Color;

/// <summary>The DNG colour equations (DNG spec chapter 6) as <see cref="CameraColorModel"/> computes them.</summary>
public class CameraColorModelTests
{
    private static readonly Matrix3 StandardAMatrix = new(0.7546f, -0.1435f, -0.0929f, -0.3846f, 1.1488f, 0.2692f, -0.0332f, 0.1209f, 0.6370f);
    private static readonly Matrix3 Calibration = Matrix3.Diagonal(1.06f, 1f, 0.93f);
    private static readonly float[] Analog = [1.1f, 1f, 0.9f];

    private static void AssertClose(Matrix3 expected, Matrix3 actual, float tolerance)
    {
        var (e, a) = (expected.ToArray(), actual.ToArray());
        for (var i = 0; i < 9; i++) Assert.True(Math.Abs(e[i] - a[i]) <= tolerance, $"element {i}: {e[i]} vs {a[i]}\n{expected}\n{actual}");
    }

    private static (double X, double Y, double Z) Xyz(Matrix3 m, float[] rgb) => m.Transform(rgb[0], rgb[1], rgb[2]);

    [Fact]
    public void AnalogBalanceAndCalibrationComposeInTheSpecsOrder()
    {
        // XYZ-to-camera = AnalogBalance x CameraCalibration x ColorMatrix: a model given the three must act as one given their product.
        var parts = new CameraColorModel([new DngColorMatrix(Illuminant.D65, SyntheticCameras.TypicalDslr, Calibration)], Analog);
        var product = new CameraColorModel([new DngColorMatrix(Illuminant.D65, Matrix3.Diagonal(Analog[0], Analog[1], Analog[2]) * Calibration * SyntheticCameras.TypicalDslr)], null);
        var neutral = parts.NeutralFor(Chromaticity.D65);
        Assert.Equal(product.NeutralFor(Chromaticity.D65), neutral);
        AssertClose(product.BalancedCameraToXyzD50(neutral), parts.BalancedCameraToXyzD50(neutral), 1e-5f);
        // The other order gives another neutral: the test can tell.
        var reversed = new CameraColorModel([new DngColorMatrix(Illuminant.D65, SyntheticCameras.TypicalDslr * Calibration * Matrix3.Diagonal(Analog[0], Analog[1], Analog[2]))], null);
        Assert.NotEqual(reversed.NeutralFor(Chromaticity.D65)[0], neutral[0], 3);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BalancedWhiteLandsOnD50(bool forwardMatrix)
    {
        var forward = forwardMatrix ? RgbColorSpace.Srgb.ToXyzD50 : null;
        var model = new CameraColorModel([new DngColorMatrix(Illuminant.D65, SyntheticCameras.XyzToLinearSrgb, null, forward)], null);
        var toXyz = model.BalancedCameraToXyzD50(model.NeutralFor(Chromaticity.D65));
        var (x, y, z) = Xyz(toXyz, [1, 1, 1]);
        Assert.Equal(1, y, 5);
        Assert.Equal(Chromaticity.D50.X, x / (x + y + z), 4);
        Assert.Equal(Chromaticity.D50.Y, y / (x + y + z), 4);
    }

    [Fact]
    public void ForwardMatrixAgreesWithTheColorMatrixForAConsistentProfile()
    {
        // An identity camera (camera RGB = linear sRGB): its ColorMatrix and a ForwardMatrix of sRGB to XYZ D50 say the same thing.
        var neutral = new float[] { 1, 1, 1 };
        var byColorMatrix = new CameraColorModel([new DngColorMatrix(Illuminant.D65, SyntheticCameras.XyzToLinearSrgb)], null);
        var byForward = new CameraColorModel([new DngColorMatrix(Illuminant.D65, SyntheticCameras.XyzToLinearSrgb, null, RgbColorSpace.Srgb.ToXyzD50)], null);
        AssertClose(byColorMatrix.BalancedCameraToXyzD50(neutral), byForward.BalancedCameraToXyzD50(neutral), 2e-3f);
    }

    [Fact]
    public void ForwardMatrixIsUsedWhenPresent()
    {
        var swapped = new Matrix3(0, 1, 0, 1, 0, 0, 0, 0, 1) * RgbColorSpace.Srgb.ToXyzD50;
        var plain = new CameraColorModel([new DngColorMatrix(Illuminant.D65, SyntheticCameras.XyzToLinearSrgb)], null);
        var forward = new CameraColorModel([new DngColorMatrix(Illuminant.D65, SyntheticCameras.XyzToLinearSrgb, null, swapped)], null);
        var (rx, _, _) = Xyz(plain.BalancedCameraToXyzD50([1, 1, 1]), [1, 0, 0]);
        var (fx, _, _) = Xyz(forward.BalancedCameraToXyzD50([1, 1, 1]), [1, 0, 0]);
        Assert.True(Math.Abs(rx - fx) > 0.05, $"{rx} vs {fx}");
    }

    [Theory]
    [InlineData(0.4476, 0.4074)] // illuminant A
    [InlineData(0.3457, 0.3585)] // D50
    [InlineData(0.3127, 0.3290)] // D65
    public void AWhiteSurvivesTheRoundTripThroughTheInterpolatedMatrices(double x, double y)
    {
        var model = new CameraColorModel(
            [new DngColorMatrix(Illuminant.StandardA, StandardAMatrix, Calibration), new DngColorMatrix(Illuminant.D65, SyntheticCameras.TypicalDslr, Calibration)], Analog);
        var white = model.WhiteOf(model.NeutralFor(new Chromaticity(x, y)));
        Assert.Equal(x, white.X, 1e-3);
        Assert.Equal(y, white.Y, 1e-3);
    }

    [Fact]
    public void TheMatrixFollowsTheWhiteBetweenTheIlluminants()
    {
        // Under A the A matrix rules, under D65 the D65 one: each neutral is what its own matrix alone gives.
        var model = new CameraColorModel([new DngColorMatrix(Illuminant.StandardA, StandardAMatrix), new DngColorMatrix(Illuminant.D65, SyntheticCameras.TypicalDslr)], null);
        var a = new CameraColorModel([new DngColorMatrix(Illuminant.StandardA, StandardAMatrix)], null);
        var d65 = new CameraColorModel([new DngColorMatrix(Illuminant.D65, SyntheticCameras.TypicalDslr)], null);
        var tungsten = new Chromaticity(0.4476, 0.4074);
        Assert.Equal(a.NeutralFor(tungsten)[0], model.NeutralFor(tungsten)[0], 3);
        Assert.Equal(d65.NeutralFor(Chromaticity.D65)[0], model.NeutralFor(Chromaticity.D65)[0], 3);
        Assert.NotEqual(d65.NeutralFor(tungsten)[0], model.NeutralFor(tungsten)[0], 2);
    }
}
