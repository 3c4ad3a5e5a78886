using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Shared;

/// <summary>Applies a 3x3 colour matrix to RGBA pixels (alpha kept).</summary>
public static class PixelMatrix
{
    /// <summary>The whole region, rows in parallel.</summary>
    public static void Apply(ProcessContext context, Matrix3 m, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var dx = (roiOut.X - roiIn.X) * 4;
        var dy = roiOut.Y - roiIn.Y;
        var matrix = new RowMatrix(m);
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++) matrix.Apply(input.Row(y + dy).Slice(dx, roiOut.Width * 4), output.Row(y));
        });
    }

    /// <summary>A matrix applied to RGBA rows: two pixels a step with AVX, the rest one at a time, with the same floats either way.</summary>
    internal sealed class RowMatrix(Matrix3 m)
    {
        // The columns, each repeated for two RGBA pixels (alpha lanes 0).
        private readonly Vector256<float> _red = Vector256.Create(m.M00, m.M10, m.M20, 0, m.M00, m.M10, m.M20, 0);
        private readonly Vector256<float> _green = Vector256.Create(m.M01, m.M11, m.M21, 0, m.M01, m.M11, m.M21, 0);
        private readonly Vector256<float> _blue = Vector256.Create(m.M02, m.M12, m.M22, 0, m.M02, m.M12, m.M22, 0);

        public void Apply(ReadOnlySpan<float> source, Span<float> target)
        {
            var i = Avx.IsSupported ? Vectorised(source, target) : 0;
            for (; i < source.Length; i += 4)
            {
                float r = source[i], g = source[i + 1], b = source[i + 2];
                target[i] = m.M00 * r + m.M01 * g + m.M02 * b;
                target[i + 1] = m.M10 * r + m.M11 * g + m.M12 * b;
                target[i + 2] = m.M20 * r + m.M21 * g + m.M22 * b;
                target[i + 3] = source[i + 3];
            }
        }

        /// <summary>
        /// Each channel broadcast across its pixel, times its column, summed in the scalar loop's order (r, then g,
        /// then b; no fused multiply-add), so both give the same floats. Returns how many values it did.
        /// </summary>
        private int Vectorised(ReadOnlySpan<float> source, Span<float> target)
        {
            ref var from = ref MemoryMarshal.GetReference(source);
            ref var to = ref MemoryMarshal.GetReference(target);
            var i = 0;
            for (; i <= source.Length - 8; i += 8)
            {
                var x = Vector256.LoadUnsafe(ref from, (nuint)i);
                var sum = Avx.Add(Avx.Add(Avx.Multiply(_red, Avx.Permute(x, 0b00_00_00_00)), Avx.Multiply(_green, Avx.Permute(x, 0b01_01_01_01))),
                    Avx.Multiply(_blue, Avx.Permute(x, 0b10_10_10_10)));
                Avx.BlendVariable(sum, x, TableLookup.AlphaLanes).StoreUnsafe(ref to, (nuint)i);
            }
            return i;
        }
    }
}
