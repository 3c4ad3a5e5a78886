using System.Numerics;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Iop.Shared;

/// <summary>
/// A pointwise map <c>out = in * scale + offset</c> whose coefficients depend on where a sample sits:
/// on a CFA mosaic, on the sample's cell in a tile repeating from the image origin (a CFA period, or a
/// black-level pattern); on RGBA, on the channel (alpha kept). Black subtraction and white balance
/// are both this map.
/// </summary>
public sealed class CellAffine
{
    private readonly int _width, _height;
    private readonly float[] _scale, _offset;

    /// <param name="width">Tile width in pixels (CFA) — ignored for RGBA.</param>
    /// <param name="height">Tile height in pixels (CFA) — ignored for RGBA.</param>
    /// <param name="scale">Per cell, row by row (CFA), or R, G, B (RGBA).</param>
    /// <param name="offset">Same layout as <paramref name="scale"/>.</param>
    public CellAffine(int width, int height, float[] scale, float[] offset)
    {
        if (scale.Length != offset.Length) throw new ArgumentException("Scale and offset need the same number of cells.");
        (_width, _height, _scale, _offset) = (width, height, scale, offset);
    }

    public void Apply(ProcessContext context, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var dx = roiOut.X - roiIn.X;
        var dy = roiOut.Y - roiIn.Y;
        if (input.Channels == 4)
        {
            var scale = Engine.Compute.Simd.RepeatRgba(_scale[0], _scale[1], _scale[2], 1f);
            var offset = Engine.Compute.Simd.RepeatRgba(_offset[0], _offset[1], _offset[2], 0f);
            context.ForRows(roiOut.Height, (y0, y1) =>
            {
                for (var y = y0; y < y1; y++)
                    Engine.Compute.Simd.MultiplyAddRgba(input.Row(y + dy).Slice(dx * 4, roiOut.Width * 4), output.Row(y), scale, offset);
            });
            return;
        }
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            var lanes = Vector<float>.Count;
            // A tile whose width divides the vector length repeats within each vector: rows run a vector at a time.
            Span<float> pattern = stackalloc float[2 * lanes];
            for (var y = y0; y < y1; y++)
            {
                var source = input.Row(y + dy).Slice(dx, roiOut.Width);
                var target = output.Row(y);
                var cellRow = (roiOut.Y + y) % _height * _width;
                var column = roiOut.X % _width;
                var x = 0;
                if (lanes % _width == 0)
                {
                    for (var k = 0; k < lanes; k++)
                    {
                        var cell = cellRow + (column + k) % _width;
                        pattern[k] = _scale[cell];
                        pattern[lanes + k] = _offset[cell];
                    }
                    var scale = new Vector<float>(pattern[..lanes]);
                    var offset = new Vector<float>(pattern[lanes..]);
                    for (; x <= target.Length - lanes; x += lanes)
                        (new Vector<float>(source[x..]) * scale + offset).CopyTo(target[x..]);
                    column = (column + x) % _width;
                }
                for (; x < target.Length; x++)
                {
                    var cell = cellRow + column;
                    target[x] = source[x] * _scale[cell] + _offset[cell];
                    if (++column == _width) column = 0;
                }
            }
        });
    }
}
