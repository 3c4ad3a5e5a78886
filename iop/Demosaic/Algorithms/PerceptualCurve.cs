using System.Numerics;
using System.Runtime.CompilerServices;

namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>
/// The encoding the high-quality methods interpolate in: a pure power 1/<see cref="Gamma"/> with the sign kept,
/// so values above white and slightly negative ones pass through. Interpolating in a perceptual encoding
/// makes errors cost what they look like: on Kodak24, linear data costs the LMMSE method about 7 dB,
/// and among gammas 2.0 to 3.3 the best was 2.7 (sRGB's curve itself is worth about 0.25 dB less).
/// The power is evaluated as exp2(p log2 |v|) with short polynomials (relative error about 1e-6, float rounding of the exponent included), which is
/// several times cheaper than the general-purpose Vector.Exp / Vector.Log; magnitudes below 1e-30 map to 0.
/// </summary>
internal static class PerceptualCurve
{
    public const float Gamma = 2.7f;
    private static readonly Vector<float> Inverse = new(1 / Gamma);
    private static readonly Vector<float> Power = new(Gamma);

    /// <summary>One value, through the same SIMD maths as whole rows, so a pixel encodes alike wherever it sits.</summary>
    public static float Encode(float linear) => Encode(new Vector<float>(linear))[0];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Encode(Vector<float> linear) => Raise(linear, Inverse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Decode(Vector<float> encoded) => Raise(encoded, Power);

    public static void Encode(ReadOnlySpan<float> linear, Span<float> encoded)
    {
        var i = 0;
        for (; i <= linear.Length - Vector<float>.Count; i += Vector<float>.Count)
            Encode(new Vector<float>(linear[i..])).CopyTo(encoded[i..]);
        for (; i < linear.Length; i++) encoded[i] = Encode(linear[i]);
    }

    /// <summary>sign(v) |v|^p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Raise(Vector<float> value, Vector<float> power)
    {
        var magnitude = Vector.Abs(value);
        var raised = Exp2(power * Log2(magnitude));
        raised = Vector.ConditionalSelect(Vector.LessThan(magnitude, new Vector<float>(1e-30f)), Vector<float>.Zero, raised);
        return Vector.ConditionalSelect(Vector.LessThan(value, Vector<float>.Zero), -raised, raised);
    }

    /// <summary>log2 of a positive normal float: exponent plus an atanh series of the mantissa in [sqrt(1/2), sqrt(2)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Log2(Vector<float> x)
    {
        var bits = Vector.AsVectorInt32(x);
        var exponent = Vector.ShiftRightArithmetic(bits, 23) - new Vector<int>(127);
        var mantissa = Vector.AsVectorSingle((bits & new Vector<int>(0x007FFFFF)) | new Vector<int>(0x3F800000));
        var large = Vector.GreaterThan(mantissa, new Vector<float>(1.41421356f));
        mantissa = Vector.ConditionalSelect(large, mantissa * new Vector<float>(0.5f), mantissa);
        exponent -= large; // a true comparison lane is -1
        var t = (mantissa - Vector<float>.One) / (mantissa + Vector<float>.One);
        var t2 = t * t;
        var series = new Vector<float>(1f / 7);
        series = series * t2 + new Vector<float>(1f / 5);
        series = series * t2 + new Vector<float>(1f / 3);
        series = series * t2 + Vector<float>.One;
        return Vector.ConvertToSingle(exponent) + new Vector<float>(2.88539008f) * t * series; // 2 / ln 2
    }

    /// <summary>2^y for y in about [-126, 127]: an integer power from the exponent bits times a polynomial of the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Exp2(Vector<float> y)
    {
        y = Vector.Min(Vector.Max(y, new Vector<float>(-126f)), new Vector<float>(127f));
        var whole = Vector.Floor(y + new Vector<float>(0.5f));
        var f = (y - whole) * new Vector<float>(0.693147181f); // |f| <= ln2 / 2
        var p = new Vector<float>(1f / 5040);
        p = p * f + new Vector<float>(1f / 720);
        p = p * f + new Vector<float>(1f / 120);
        p = p * f + new Vector<float>(1f / 24);
        p = p * f + new Vector<float>(1f / 6);
        p = p * f + new Vector<float>(0.5f);
        p = p * f + Vector<float>.One;
        p = p * f + Vector<float>.One;
        var scale = Vector.AsVectorSingle(Vector.ShiftLeft(Vector.ConvertToInt32(whole) + new Vector<int>(127), 23));
        return p * scale;
    }
}
