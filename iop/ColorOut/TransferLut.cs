using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RawEngine.Engine.Color;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.ColorOut;

/// <summary>
/// A transfer curve's encoding as a table sampled on sqrt(v), which spreads samples into the dark end
/// where curves bend most; linear interpolation keeps it within 1e-5 of the exact curve on [0, 1].
/// </summary>
public sealed class TransferLut
{
    private const int Size = 4096;
    private readonly float[] _table = new float[Size + 2];

    public TransferLut(TransferFunction function)
    {
        for (var i = 0; i <= Size; i++)
        {
            var u = (double)i / Size;
            _table[i] = (float)function.Encode(u * u);
        }
        _table[Size + 1] = _table[Size];
    }

    /// <summary>Encodes a linear value, clamped to [0, 1] (NaN counts as 0).</summary>
    public float Encode(float linear)
    {
        var u = MathF.Sqrt(linear > 0 ? MathF.Min(linear, 1f) : 0f) * Size;
        var index = (int)u;
        var fraction = u - index;
        return _table[index] + fraction * (_table[index + 1] - _table[index]);
    }

    /// <summary>
    /// <paramref name="matrix"/> then the encoding, from <paramref name="source"/> into <paramref name="target"/> (which may
    /// be the same memory), on whole groups of eight RGBA pixels held a vector per channel: the same floats as
    /// <see cref="PixelMatrix.RowMatrix"/> then <see cref="EncodeRgba"/>, in one pass. Call only where AVX2 is there;
    /// returns how many floats it did.
    /// </summary>
    internal unsafe int MatrixThenEncode(Matrix3 matrix, ReadOnlySpan<float> source, Span<float> target)
    {
        var i = 0;
        var size = Vector256.Create((float)Size);
        var (m00, m01, m02) = (Vector256.Create(matrix.M00), Vector256.Create(matrix.M01), Vector256.Create(matrix.M02));
        var (m10, m11, m12) = (Vector256.Create(matrix.M10), Vector256.Create(matrix.M11), Vector256.Create(matrix.M12));
        var (m20, m21, m22) = (Vector256.Create(matrix.M20), Vector256.Create(matrix.M21), Vector256.Create(matrix.M22));
        ref var from = ref MemoryMarshal.GetReference(source);
        ref var to = ref MemoryMarshal.GetReference(target);
        fixed (float* table = _table)
            for (; i <= source.Length - 32; i += 32)
            {
                var (r, g, b, a) = RgbaTranspose.Load(ref Unsafe.Add(ref from, i));
                var red = Avx.Add(Avx.Add(Avx.Multiply(m00, r), Avx.Multiply(m01, g)), Avx.Multiply(m02, b));
                var green = Avx.Add(Avx.Add(Avx.Multiply(m10, r), Avx.Multiply(m11, g)), Avx.Multiply(m12, b));
                var blue = Avx.Add(Avx.Add(Avx.Multiply(m20, r), Avx.Multiply(m21, g)), Avx.Multiply(m22, b));
                RgbaTranspose.Store(Encode(table, red, size), Encode(table, green, size), Encode(table, blue, size), a, ref Unsafe.Add(ref to, i));
            }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Encode(float* table, Vector256<float> x, Vector256<float> size) =>
        TableLookup.Interpolate(table, Avx.Multiply(Avx.Sqrt(Avx.Min(Avx.Max(x, Vector256<float>.Zero), Vector256<float>.One)), size));

    /// <summary>Encodes the colour channels of an RGBA row in place, eight values at a time where AVX2 gathers are there.</summary>
    public unsafe void EncodeRgba(Span<float> row)
    {
        var i = 0;
        if (Avx2.IsSupported)
        {
            var size = Vector256.Create((float)Size);
            fixed (float* table = _table)
            fixed (float* values = row)
                for (; i <= row.Length - 8; i += 8)
                {
                    var x = Avx.LoadVector256(values + i);
                    Avx.Store(values + i, Avx.BlendVariable(Encode(table, x, size), x, TableLookup.AlphaLanes));
                }
        }
        for (; i < row.Length; i++)
            if ((i & 3) != 3) row[i] = Encode(row[i]);
    }
}
