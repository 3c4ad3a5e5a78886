using System.Numerics;
using System.Runtime.InteropServices;

namespace RawEngine.Engine.Compute;

/// <summary>Vector helpers for interleaved RGBA rows.</summary>
public static class Simd
{
    /// <summary>A vector repeating the four values (r, g, b, a), lane-aligned to an RGBA row.</summary>
    public static Vector<float> RepeatRgba(float r, float g, float b, float a)
    {
        Span<float> lanes = stackalloc float[Vector<float>.Count];
        for (var i = 0; i < lanes.Length; i += 4)
        {
            lanes[i] = r;
            if (i + 1 < lanes.Length) lanes[i + 1] = g;
            if (i + 2 < lanes.Length) lanes[i + 2] = b;
            if (i + 3 < lanes.Length) lanes[i + 3] = a;
        }
        return new Vector<float>(lanes);
    }

    /// <summary>
    /// <c>target[i] = source[i] * gains[i % 4] + offsets[i % 4]</c> over a row, with lane patterns from
    /// <see cref="RepeatRgba"/> (or uniform vectors for one-channel rows).
    /// </summary>
    public static void MultiplyAddRgba(ReadOnlySpan<float> source, Span<float> target, Vector<float> gains, Vector<float> offsets)
    {
        var sourceVectors = MemoryMarshal.Cast<float, Vector<float>>(source);
        var targetVectors = MemoryMarshal.Cast<float, Vector<float>>(target);
        for (var i = 0; i < sourceVectors.Length; i++) targetVectors[i] = sourceVectors[i] * gains + offsets;
        for (var i = sourceVectors.Length * Vector<float>.Count; i < source.Length; i++)
            target[i] = source[i] * gains[i % Vector<float>.Count] + offsets[i % Vector<float>.Count];
    }

    /// <summary><c>target[i] = source[i]</c>: sensor samples to floats.</summary>
    public static void Widen(ReadOnlySpan<ushort> source, Span<float> target)
    {
        var i = 0;
        for (; i <= source.Length - Vector<ushort>.Count; i += Vector<ushort>.Count)
        {
            Vector.Widen(new Vector<ushort>(source[i..]), out var low, out var high);
            Vector.ConvertToSingle(low).CopyTo(target[i..]);
            Vector.ConvertToSingle(high).CopyTo(target[(i + Vector<uint>.Count)..]);
        }
        for (; i < source.Length; i++) target[i] = source[i];
    }
}
