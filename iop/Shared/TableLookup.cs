using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawEngine.Iop.Shared;

/// <summary>Linear interpolation in a float table, eight positions at a time (AVX2 gathers).</summary>
public static unsafe class TableLookup
{
    /// <summary>
    /// <c>table[i] + f * (table[i + 1] - table[i])</c> with <c>i + f = position</c>; every position must
    /// lie in [0, length - 2] of the table. Call only where <see cref="Avx2.IsSupported"/>.
    /// </summary>
    public static Vector256<float> Interpolate(float* table, Vector256<float> position)
    {
        var index = Avx.ConvertToVector256Int32WithTruncation(position);
        var fraction = Avx.Subtract(position, Avx.ConvertToVector256Single(index));
        var low = Avx2.GatherVector256(table, index, 4);
        var high = Avx2.GatherVector256(table + 1, index, 4);
        return Avx.Add(low, Avx.Multiply(fraction, Avx.Subtract(high, low)));
    }

    /// <summary>Lanes 3 and 7 set: the alpha channels of two RGBA pixels, for keeping them with a blend.</summary>
    public static Vector256<float> AlphaLanes { get; } = Vector256.Create(0, 0, 0, -1, 0, 0, 0, -1).AsSingle();
}
