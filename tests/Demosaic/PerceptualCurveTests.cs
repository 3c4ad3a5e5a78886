using RawEngine.Iop.Demosaic.Algorithms;

namespace RawEngine.Tests.Demosaic;

public class PerceptualCurveTests
{
    [Fact]
    public void FastPowerMatchesTheExactCurveAndInvertsItself()
    {
        for (var exponent = -7.0; exponent <= 1.0; exponent += 0.01)
            foreach (var sign in new[] { 1f, -1f })
            {
                var linear = sign * (float)Math.Pow(10, exponent);
                var encoded = PerceptualCurve.Encode(linear);
                var exact = Math.CopySign(Math.Pow(Math.Abs(linear), 1 / PerceptualCurve.Gamma), linear);
                Assert.True(Math.Abs(encoded - exact) <= 2e-6 * Math.Abs(exact), $"encode({linear}) = {encoded}, exactly {exact}");
                var back = PerceptualCurve.Decode(new System.Numerics.Vector<float>(encoded))[0];
                Assert.True(Math.Abs(back - linear) <= 1e-5 * Math.Abs(linear), $"decode(encode({linear})) = {back}");
            }
        Assert.Equal(0f, PerceptualCurve.Encode(0f));
        Assert.Equal(0f, PerceptualCurve.Decode(System.Numerics.Vector<float>.Zero)[0]);
    }
}
