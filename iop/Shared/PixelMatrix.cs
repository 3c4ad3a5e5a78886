using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Shared;

/// <summary>A function applied to each channel after the matrix; a struct so the JIT inlines it.</summary>
public interface IValueMap
{
    float Map(float value);
}

/// <summary>Leaves values as the matrix made them.</summary>
public readonly struct IdentityMap : IValueMap
{
    public float Map(float value) => value;
}

/// <summary>Applies a 3x3 colour matrix, then a per-channel map, to every RGBA pixel (alpha kept).</summary>
public static class PixelMatrix
{
    public static void Apply(ProcessContext context, Matrix3 m, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        Apply(context, m, default(IdentityMap), input, roiIn, output, roiOut);

    public static void Apply<TMap>(ProcessContext context, Matrix3 m, TMap map, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
        where TMap : struct, IValueMap
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
                    target[i] = map.Map(m00 * r + m01 * g + m02 * b);
                    target[i + 1] = map.Map(m10 * r + m11 * g + m12 * b);
                    target[i + 2] = map.Map(m20 * r + m21 * g + m22 * b);
                    target[i + 3] = source[i + 3];
                }
            }
        });
    }
}
