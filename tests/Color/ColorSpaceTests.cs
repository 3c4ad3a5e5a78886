using System.Buffers.Binary;
using System.Text;
using RawEngine.Engine.Color;
using RawEngine.Engine.Raw;

namespace RawEngine.Tests.Color;

public class ColorSpaceTests
{
    private static void AssertMatrix(float[] expected, Matrix3 actual, float tolerance)
    {
        var values = actual.ToArray();
        for (var i = 0; i < 9; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {values[i]} in {actual}");
    }

    [Fact]
    public void SrgbMatrixMatchesTheStandard() =>
        AssertMatrix([0.4124f, 0.3576f, 0.1805f, 0.2126f, 0.7152f, 0.0722f, 0.0193f, 0.1192f, 0.9505f], RgbColorSpace.Srgb.ToXyz, 5e-4f);

    [Fact]
    public void BradfordD65ToD50MatchesTheStandard() =>
        AssertMatrix([1.0478f, 0.0229f, -0.0501f, 0.0295f, 0.9905f, -0.0171f, -0.0092f, 0.0151f, 0.7519f],
            ChromaticAdaptation.Bradford(Chromaticity.D65, Chromaticity.D50), 5e-4f);

    [Fact]
    public void SrgbAdaptedToD50MatchesTheIccColorants() =>
        AssertMatrix([0.4361f, 0.3851f, 0.1431f, 0.2225f, 0.7169f, 0.0606f, 0.0139f, 0.0971f, 0.7141f], RgbColorSpace.Srgb.ToXyzD50, 2e-3f);

    [Fact]
    public void WhiteMapsToTheWhitePoint()
    {
        foreach (var space in RgbColorSpace.Outputs)
        {
            var (x, y, z) = space.ToXyzD50.Transform(1, 1, 1);
            Assert.Equal(0.9642, x, 2e-3);
            Assert.Equal(1.0, y, 2e-3);
            Assert.Equal(0.8249, z, 2e-3);
        }
    }

    [Fact]
    public void MatrixInverseUndoesTheMatrix()
    {
        var m = RgbColorSpace.Rec2020.ToXyz;
        AssertMatrix(Matrix3.Identity.ToArray(), m * m.Inverse(), 1e-5f);
    }

    [Fact]
    public void TransferCurvesRoundTripAndMatchKnownValues()
    {
        Assert.Equal(0.4613, TransferFunction.Srgb.Encode(0.18), 1e-4);
        Assert.Equal(0.0031308 * 12.92, TransferFunction.Srgb.Encode(0.0031308), 1e-6);
        Assert.Equal(Math.Pow(0.5, 256.0 / 563.0), TransferFunction.AdobeRgb.Encode(0.5), 1e-9);
        Assert.Equal(16.0 / 1024.0, TransferFunction.ProPhoto.Encode(1.0 / 1024.0), 1e-9);
        Assert.Equal(-TransferFunction.Srgb.Encode(0.3), TransferFunction.Srgb.Encode(-0.3), 1e-12);
        foreach (var curve in new[] { TransferFunction.Srgb, TransferFunction.AdobeRgb, TransferFunction.ProPhoto, TransferFunction.Rec709, TransferFunction.Linear })
            for (var v = 0.0; v <= 1.0; v += 0.001)
                Assert.Equal(v, curve.Decode(curve.Encode(v)), 1e-9);
    }

    [Fact]
    public void SpacesAreFoundByIdIncludingLinearVariants()
    {
        Assert.Same(RgbColorSpace.Srgb, RgbColorSpace.Find("sRGB"));
        var linear = RgbColorSpace.Find("prophoto-linear");
        Assert.NotNull(linear);
        Assert.True(linear.Transfer.IsLinear);
        Assert.Equal(RgbColorSpace.ProPhoto.Red, linear.Red);
        Assert.Null(RgbColorSpace.Find("cmyk"));
    }

    [Fact]
    public void IccProfilesAreWellFormed()
    {
        foreach (var space in RgbColorSpace.Outputs.Concat(RgbColorSpace.Outputs.Select(s => s.AsLinear())))
        {
            var icc = IccProfile.For(space);
            Assert.Equal((uint)icc.Length, BinaryPrimitives.ReadUInt32BigEndian(icc));
            Assert.Equal("acsp", Encoding.ASCII.GetString(icc, 36, 4));
            Assert.Equal("mntr", Encoding.ASCII.GetString(icc, 12, 4));
            var count = BinaryPrimitives.ReadUInt32BigEndian(icc.AsSpan(128));
            Assert.Equal(10u, count);
            for (var i = 0; i < count; i++)
            {
                var offset = BinaryPrimitives.ReadUInt32BigEndian(icc.AsSpan(132 + 12 * i + 4));
                var size = BinaryPrimitives.ReadUInt32BigEndian(icc.AsSpan(132 + 12 * i + 8));
                Assert.Equal(0u, offset % 4);
                Assert.True(offset + size <= icc.Length);
            }
            // The red colorant is the first column of the D50 matrix.
            var red = Encoding.ASCII.GetString(icc, 128 + 4 + 12 * 4, 4);
            Assert.Equal("rXYZ", red);
            var redOffset = (int)BinaryPrimitives.ReadUInt32BigEndian(icc.AsSpan(128 + 4 + 12 * 4 + 4));
            Assert.Equal(space.ToXyzD50.M00, BinaryPrimitives.ReadInt32BigEndian(icc.AsSpan(redOffset + 8)) / 65536.0, 1e-4);
        }
        Assert.NotEqual(IccProfile.For(RgbColorSpace.Srgb), IccProfile.For(RgbColorSpace.AdobeRgb));
    }
}
