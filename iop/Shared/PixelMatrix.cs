using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Shared;

/// <summary>Applies a 3x3 colour matrix to RGBA pixels (alpha kept).</summary>
public static class PixelMatrix
{
    /// <summary>The whole region, rows in parallel.</summary>
    public static void Apply(ProcessContext context, Matrix3 m, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        Apply(context, m, input, roiIn, output, roiOut, afterRow: null);

    /// <summary>
    /// The whole region, then <paramref name="afterRow"/> on each output row while it is still in cache
    /// (one pass over memory for a matrix and a curve).
    /// </summary>
    public static void Apply(ProcessContext context, Matrix3 m, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut, SpanAction? afterRow)
    {
        var dx = (roiOut.X - roiIn.X) * 4;
        var dy = roiOut.Y - roiIn.Y;
        float m00 = m.M00, m01 = m.M01, m02 = m.M02, m10 = m.M10, m11 = m.M11, m12 = m.M12, m20 = m.M20, m21 = m.M21, m22 = m.M22;
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var source = input.Row(y + dy).Slice(dx, roiOut.Width * 4);
                var target = output.Row(y);
                for (var i = 0; i < source.Length; i += 4)
                {
                    float r = source[i], g = source[i + 1], b = source[i + 2];
                    target[i] = m00 * r + m01 * g + m02 * b;
                    target[i + 1] = m10 * r + m11 * g + m12 * b;
                    target[i + 2] = m20 * r + m21 * g + m22 * b;
                    target[i + 3] = source[i + 3];
                }
                afterRow?.Invoke(target);
            }
        });
    }

    public delegate void SpanAction(Span<float> row);
}
