namespace RawEngine.Engine.Tiff;

/// <summary>
/// Nearest fractions for TIFF RATIONAL / SRATIONAL fields, by continued fractions, so that simple values
/// (0.5, 1/3, 1/125) are exact and any float survives a write and read unchanged.
/// </summary>
public static class Rational
{
    public static (uint Numerator, uint Denominator) ToUnsigned(double value, string what)
    {
        if (!double.IsFinite(value) || value < 0 || value > uint.MaxValue)
            throw new ArgumentOutOfRangeException(what, value, $"{what} must be a finite number in 0..{uint.MaxValue} to be written as a TIFF RATIONAL.");
        var (n, d) = Approximate(value, uint.MaxValue);
        return ((uint)n, (uint)d);
    }

    public static (int Numerator, int Denominator) ToSigned(double value, string what)
    {
        if (!double.IsFinite(value) || Math.Abs(value) > int.MaxValue)
            throw new ArgumentOutOfRangeException(what, value, $"{what} must be a finite number within +-{int.MaxValue} to be written as a TIFF SRATIONAL.");
        var (n, d) = Approximate(Math.Abs(value), int.MaxValue);
        return (value < 0 ? -(int)n : (int)n, (int)d);
    }

    /// <summary>The last convergent of x's continued fraction whose terms both stay within <paramref name="max"/>.</summary>
    private static (long Numerator, long Denominator) Approximate(double x, long max)
    {
        long h0 = 0, h1 = 1, k0 = 1, k1 = 0;
        var remainder = x;
        for (var i = 0; i < 64; i++)
        {
            var term = Math.Floor(remainder);
            if (term > max) break;
            var a = (long)term;
            var h2 = a * h1 + h0;
            var k2 = a * k1 + k0;
            if (h2 > max || k2 > max) break;
            (h0, h1, k0, k1) = (h1, h2, k1, k2);
            var fraction = remainder - term;
            if (fraction < 1e-15 || (double)h1 / k1 == x) break;
            remainder = 1 / fraction;
        }
        return k1 == 0 ? (0, 1) : (h1, k1);
    }
}
