using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>
/// Unchecked SIMD access to planes that share one pooled tile buffer. Tile rows carry slack past
/// their width, so a vector that starts inside a row may run past the row's last column harmlessly;
/// the lanes it computes there are never read as valid data.
/// </summary>
internal static class TilePlanes
{
    public static int Lanes => Vector<float>.Count;

    /// <summary>A row stride with room for a vector overrun plus a stencil reach of <paramref name="reach"/> px.</summary>
    public static int StrideFor(int width, int reach) => (width + 2 * Lanes + reach + Lanes - 1) / Lanes * Lanes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float At(float[] buffer, int offset) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buffer), offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Load(ref float plane, int index) => Vector.LoadUnsafe(ref plane, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector<float> value, ref float plane, int index) => value.StoreUnsafe(ref plane, (nuint)index);

    /// <summary>All-ones in the lanes whose column has parity <paramref name="parity"/> (vectors start at even columns).</summary>
    public static Vector<int> ParityMask(int parity) => parity == 0 ? EvenLanes : ~EvenLanes;

    private static readonly Vector<int> EvenLanes = CreateEvenLanes();

    private static Vector<int> CreateEvenLanes()
    {
        Span<int> lanes = stackalloc int[Vector<int>.Count];
        for (var i = 0; i < lanes.Length; i++) lanes[i] = i % 2 == 0 ? -1 : 0;
        return new Vector<int>(lanes);
    }
}
