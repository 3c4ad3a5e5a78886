using RawEngine.Engine.Tiff;

namespace RawEngine.Tests.Tiff;

public class RationalTests
{
    [Theory]
    [InlineData(0.5, 1u, 2u)]
    [InlineData(1 / 3.0, 1u, 3u)]
    [InlineData(1 / 250.0, 1u, 250u)]
    [InlineData(16383.0, 16383u, 1u)]
    [InlineData(0.0, 0u, 1u)]
    public void SimpleValuesAreExactFractions(double value, uint numerator, uint denominator) =>
        Assert.Equal((numerator, denominator), Rational.ToUnsigned(value, "value"));

    [Theory]
    [InlineData(-1.5370000600814819)]
    [InlineData(3.2404541969299316)]
    [InlineData(0.041555999964475632)]
    [InlineData(-0.0001)]
    public void FloatsSurviveAsSignedRationals(double value)
    {
        var (n, d) = Rational.ToSigned(value, "value");
        Assert.Equal((float)value, (float)((double)n / d));
    }

    [Fact]
    public void OutOfRangeValuesAreRejectedByName()
    {
        Assert.Contains("exposure", Assert.Throws<ArgumentOutOfRangeException>(() => Rational.ToUnsigned(-1, "exposure")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Rational.ToUnsigned(double.NaN, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Rational.ToSigned(3e9, "x"));
    }
}
