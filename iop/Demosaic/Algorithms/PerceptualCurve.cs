using System.Numerics;
using System.Runtime.CompilerServices;

namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>
/// The encoding the high-quality methods interpolate in: a pure power 1/<see cref="Gamma"/> with the sign kept,
/// so values above white and slightly negative ones pass through. Interpolating in a perceptual encoding
/// makes errors cost what they look like: on Kodak24, linear data costs the LMMSE method about 7 dB,
/// and among gammas 2.0 to 3.3 the best was 2.7 (sRGB's curve itself is worth about 0.25 dB less).
/// The power is evaluated as exp2(p log2 |v|) with two short near-minimax polynomials and no division (relative error
/// under 1e-5, float rounding included), several times cheaper than the general-purpose Vector.Exp / Vector.Log; the
/// demosaic evaluates it about 4.4 times per output pixel. Magnitudes below 1e-30 map to 0.
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

    /// <summary>log2 of a positive normal float: the exponent plus a degree-6 polynomial of t = m - 1, the mantissa m in [sqrt(1/2), sqrt(2)) (error 2.2e-6).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Log2(Vector<float> x)
    {
        var bits = Vector.AsVectorInt32(x);
        var exponent = Vector.ShiftRightArithmetic(bits, 23) - new Vector<int>(127);
        var mantissa = Vector.AsVectorSingle((bits & new Vector<int>(0x007FFFFF)) | new Vector<int>(0x3F800000));
        var large = Vector.GreaterThan(mantissa, new Vector<float>(1.41421356f));
        mantissa = Vector.ConditionalSelect(large, mantissa * new Vector<float>(0.5f), mantissa);
        exponent -= large; // a true comparison lane is -1
        var t = mantissa - Vector<float>.One;
        var p = new Vector<float>(-0.20658752f);
        p = Vector.MultiplyAddEstimate(p, t, new Vector<float>(0.32215369f));
        p = Vector.MultiplyAddEstimate(p, t, new Vector<float>(-0.36749059f));
        p = Vector.MultiplyAddEstimate(p, t, new Vector<float>(0.47934812f));
        p = Vector.MultiplyAddEstimate(p, t, new Vector<float>(-0.72113186f));
        p = Vector.MultiplyAddEstimate(p, t, new Vector<float>(1.44271350f));
        return Vector.MultiplyAddEstimate(p, t, Vector.ConvertToSingle(exponent));
    }

    /// <summary>2^y for y in about [-126, 127]: an integer power from the exponent bits times a degree-5 polynomial of the rest in [-1/2, 1/2] (error 2e-7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Exp2(Vector<float> y)
    {
        y = Vector.Min(Vector.Max(y, new Vector<float>(-126f)), new Vector<float>(127f));
        var whole = Vector.Round(y);
        var f = y - whole;
        var p = new Vector<float>(0.0013407251f);
        p = Vector.MultiplyAddEstimate(p, f, new Vector<float>(0.0096718753f));
        p = Vector.MultiplyAddEstimate(p, f, new Vector<float>(0.055503085f));
        p = Vector.MultiplyAddEstimate(p, f, new Vector<float>(0.24022235f));
        p = Vector.MultiplyAddEstimate(p, f, new Vector<float>(0.69314724f));
        p = Vector.MultiplyAddEstimate(p, f, Vector<float>.One);
        var scale = Vector.AsVectorSingle(Vector.ShiftLeft(Vector.ConvertToInt32(whole) + new Vector<int>(127), 23));
        return p * scale;
    }
}
