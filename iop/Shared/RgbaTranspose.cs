using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawEngine.Iop.Shared;

/// <summary>
/// Eight interleaved RGBA pixels (32 floats) as one vector per channel and back, with AVX shuffles: pointwise colour
/// maths then runs on three vectors of eight colours rather than four of six colours and two alphas. The channel vectors
/// hold the pixels in the order 0 2 4 6 1 3 5 7, which <see cref="Store"/> undoes. Call only where <see cref="Avx.IsSupported"/>.
/// </summary>
public static class RgbaTranspose
{
    /// <summary>The channels of the eight pixels at <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<float> R, Vector256<float> G, Vector256<float> B, Vector256<float> A) Load(ref float source)
    {
        // Each vector holds two pixels (one per 128-bit half): a 4x4 transpose in each half.
        var v0 = Vector256.LoadUnsafe(ref source);
        var v1 = Vector256.LoadUnsafe(ref source, 8);
        var v2 = Vector256.LoadUnsafe(ref source, 16);
        var v3 = Vector256.LoadUnsafe(ref source, 24);
        var rg01 = Avx.UnpackLow(v0, v1).AsDouble();
        var ba01 = Avx.UnpackHigh(v0, v1).AsDouble();
        var rg23 = Avx.UnpackLow(v2, v3).AsDouble();
        var ba23 = Avx.UnpackHigh(v2, v3).AsDouble();
        return (Avx.UnpackLow(rg01, rg23).AsSingle(), Avx.UnpackHigh(rg01, rg23).AsSingle(),
            Avx.UnpackLow(ba01, ba23).AsSingle(), Avx.UnpackHigh(ba01, ba23).AsSingle());
    }

    /// <summary>Interleaves the channels back into eight RGBA pixels at <paramref name="target"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> r, Vector256<float> g, Vector256<float> b, Vector256<float> a, ref float target)
    {
        var rgLow = Avx.UnpackLow(r, g).AsDouble();
        var baLow = Avx.UnpackLow(b, a).AsDouble();
        var rgHigh = Avx.UnpackHigh(r, g).AsDouble();
        var baHigh = Avx.UnpackHigh(b, a).AsDouble();
        Avx.UnpackLow(rgLow, baLow).AsSingle().StoreUnsafe(ref target);
        Avx.UnpackHigh(rgLow, baLow).AsSingle().StoreUnsafe(ref target, 8);
        Avx.UnpackLow(rgHigh, baHigh).AsSingle().StoreUnsafe(ref target, 16);
        Avx.UnpackHigh(rgHigh, baHigh).AsSingle().StoreUnsafe(ref target, 24);
    }
}
