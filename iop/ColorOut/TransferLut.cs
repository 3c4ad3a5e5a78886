using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RawEngine.Engine.Color;
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

    /// <summary>Encodes the colour channels of an RGBA row in place, eight values at a time where AVX2 gathers are there.</summary>
    public unsafe void EncodeRgba(Span<float> row)
    {
        var i = 0;
        if (Avx2.IsSupported)
        {
            var zero = Vector256<float>.Zero;
            var one = Vector256.Create(1f);
            var size = Vector256.Create((float)Size);
            fixed (float* table = _table)
            fixed (float* values = row)
                for (; i <= row.Length - 8; i += 8)
                {
                    var x = Avx.LoadVector256(values + i);
                    var encoded = TableLookup.Interpolate(table, Avx.Multiply(Avx.Sqrt(Avx.Min(Avx.Max(x, zero), one)), size));
                    Avx.Store(values + i, Avx.BlendVariable(encoded, x, TableLookup.AlphaLanes));
                }
        }
        for (; i < row.Length; i++)
            if ((i & 3) != 3) row[i] = Encode(row[i]);
    }
}
