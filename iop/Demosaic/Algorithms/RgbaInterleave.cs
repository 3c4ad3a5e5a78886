using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>
/// Writes eight pixels' red, green and blue planes as interleaved RGBA with AVX shuffles, keeping the alpha already
/// there (the kernels leave alpha alone). Needs 8-lane <see cref="Vector{T}"/>; callers fall back to lane-by-lane stores.
/// </summary>
internal static class RgbaInterleave
{
    public static bool IsSupported => Avx.IsSupported && Vector<float>.Count == 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector<float> red, Vector<float> green, Vector<float> blue, ref float rgba)
    {
        var r = red.AsVector256();
        var g = green.AsVector256();
        var b = blue.AsVector256();
        var rgLow = Avx.UnpackLow(r, g);   // r0 g0 r1 g1 | r4 g4 r5 g5
        var rgHigh = Avx.UnpackHigh(r, g); // r2 g2 r3 g3 | r6 g6 r7 g7
        var bbLow = Avx.UnpackLow(b, b);   // b0 b0 b1 b1 | b4 b4 b5 b5
        var bbHigh = Avx.UnpackHigh(b, b); // b2 b2 b3 b3 | b6 b6 b7 b7
        var p04 = Avx.UnpackLow(rgLow.AsDouble(), bbLow.AsDouble()).AsSingle();   // r0 g0 b0 b0 | r4 g4 b4 b4
        var p15 = Avx.UnpackHigh(rgLow.AsDouble(), bbLow.AsDouble()).AsSingle();  // pixels 1 and 5
        var p26 = Avx.UnpackLow(rgHigh.AsDouble(), bbHigh.AsDouble()).AsSingle(); // pixels 2 and 6
        var p37 = Avx.UnpackHigh(rgHigh.AsDouble(), bbHigh.AsDouble()).AsSingle(); // pixels 3 and 7
        StoreKeepingAlpha(Avx.Permute2x128(p04, p15, 0x20), ref rgba, 0);
        StoreKeepingAlpha(Avx.Permute2x128(p26, p37, 0x20), ref rgba, 8);
        StoreKeepingAlpha(Avx.Permute2x128(p04, p15, 0x31), ref rgba, 16);
        StoreKeepingAlpha(Avx.Permute2x128(p26, p37, 0x31), ref rgba, 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreKeepingAlpha(Vector256<float> pixels, ref float rgba, int offset)
    {
        var existing = Vector256.LoadUnsafe(ref rgba, (nuint)offset);
        Avx.Blend(pixels, existing, 0b1000_1000).StoreUnsafe(ref rgba, (nuint)offset);
    }
}
