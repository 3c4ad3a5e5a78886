using System.Numerics;

namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>
/// The encoding the high-quality methods interpolate in: a square root (sign kept), close to how
/// the eye weighs errors, so that interpolation errors in shadows cost what they look like. Exactly
/// invertible and cheap in SIMD.
/// </summary>
internal static class PerceptualCurve
{
    public static float Encode(float linear) => MathF.CopySign(MathF.Sqrt(MathF.Abs(linear)), linear);

    public static float Decode(float encoded) => encoded * MathF.Abs(encoded);

    public static Vector<float> Encode(Vector<float> linear)
    {
        var root = Vector.SquareRoot(Vector.Abs(linear));
        return Vector.ConditionalSelect(Vector.LessThan(linear, Vector<float>.Zero), -root, root);
    }

    public static void Encode(ReadOnlySpan<float> linear, Span<float> encoded)
    {
        var i = 0;
        for (; i <= linear.Length - Vector<float>.Count; i += Vector<float>.Count)
            Encode(new Vector<float>(linear[i..])).CopyTo(encoded[i..]);
        for (; i < linear.Length; i++) encoded[i] = Encode(linear[i]);
    }
}
