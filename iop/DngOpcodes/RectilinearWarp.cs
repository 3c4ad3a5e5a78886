using RawEngine.Engine.Buffers;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.DngOpcodes;

/// <summary>
/// WarpRectilinear on RGBA: each output pixel of plane p takes the input at the distorted position the
/// spec's model gives for p (one coefficient set for all planes, or one per plane, which also removes
/// lateral chromatic aberration), interpolated bicubically. The picture keeps its size.
/// </summary>
public sealed class RectilinearWarp(WarpRectilinearOpcode warp, OpcodeFrame frame, ImageSize size) : IPixelMover
{
    private readonly RadialFrame _radial = RadialFrame.Of(frame, warp.CenterX, warp.CenterY);
    /// <summary>Points per side of the grid that bounds a region's sources.</summary>
    private const int Samples = 17;

    /// <summary>Where output point (x, y) of plane 0..2 reads, both in the pipe's continuous scale-1 coordinates.</summary>
    public (double X, double Y) Source(int plane, double x, double y)
    {
        var k = warp.Planes[Math.Min(plane, warp.Planes.Length - 1)];
        var scale = _radial.InverseRadius;
        var dx = (x + frame.X - _radial.CenterX) * scale;
        var dy = (y + frame.Y - _radial.CenterY) * scale;
        var r2 = dx * dx + dy * dy;
        var radial = k.Kr0 + r2 * (k.Kr1 + r2 * (k.Kr2 + r2 * k.Kr3));
        var sx = dx * radial + k.Kt0 * 2 * dx * dy + k.Kt1 * (r2 + 2 * dx * dx);
        var sy = dy * radial + k.Kt1 * 2 * dx * dy + k.Kt0 * (r2 + 2 * dy * dy);
        return (_radial.CenterX + sx / scale - frame.X, _radial.CenterY + sy / scale - frame.Y);
    }

    /// <summary>The input region whose pixels the output region reads: the bounds of its sources over a grid and its edges, plus the interpolation's neighbour.</summary>
    public Roi InputFor(Roi roiOut)
    {
        var (minX, minY, maxX, maxY) = (double.MaxValue, double.MaxValue, double.MinValue, double.MinValue);
        var s = roiOut.Scale;
        for (var j = 0; j < Samples; j++)
            for (var i = 0; i < Samples; i++)
            {
                var x = (roiOut.X + roiOut.Width * (double)i / (Samples - 1)) / s;
                var y = (roiOut.Y + roiOut.Height * (double)j / (Samples - 1)) / s;
                for (var plane = 0; plane < 3; plane++)
                {
                    var (sx, sy) = Source(plane, x, y);
                    (minX, minY, maxX, maxY) = (Math.Min(minX, sx), Math.Min(minY, sy), Math.Max(maxX, sx), Math.Max(maxY, sy));
                }
            }
        // Between grid points the map is smooth and near the identity: a few pixels of margin cover its curvature.
        const int margin = 3;
        var x0 = (int)Math.Floor(minX * s) - margin;
        var y0 = (int)Math.Floor(minY * s) - margin;
        var x1 = (int)Math.Ceiling(maxX * s) + margin;
        var y1 = (int)Math.Ceiling(maxY * s) + margin;
        var clamped = new Roi(x0, y0, x1 - x0, y1 - y0, s).ClampTo(size);
        return clamped.IsEmpty ? Nearest(clamped, s) : clamped;
    }

    /// <summary>A region whose sources all lie outside the picture reads its nearest edge pixel.</summary>
    private Roi Nearest(Roi empty, double scale)
    {
        var full = size.Scaled(scale);
        return new Roi(Math.Min(empty.X, full.Width - 1), Math.Min(empty.Y, full.Height - 1), 1, 1, scale);
    }

    public void Process(ProcessContext context, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var s = roiOut.Scale;
        var full = size.Scaled(s);
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var target = output.Row(y);
                var centreY = (roiOut.Y + y + 0.5) / s;
                for (var x = 0; x < roiOut.Width; x++)
                {
                    var centreX = (roiOut.X + x + 0.5) / s;
                    for (var plane = 0; plane < 3; plane++)
                    {
                        var (sx, sy) = Source(plane, centreX, centreY);
                        target[x * 4 + plane] = Sample(input, roiIn, full, sx * s - 0.5, sy * s - 0.5, plane);
                        if (plane == 1) target[x * 4 + 3] = Sample(input, roiIn, full, sx * s - 0.5, sy * s - 0.5, 3);
                    }
                }
            }
        });
    }

    /// <summary>
    /// Catmull-Rom (bicubic) at sample coordinates of the whole picture at the render's scale, held at the
    /// picture's edge: sharper than bilinear, which blurs what it moves by a fraction of a pixel.
    /// </summary>
    private static float Sample(ImageBuffer input, Roi roiIn, ImageSize full, double x, double y, int channel)
    {
        x = Math.Clamp(x, 0, full.Width - 1) - roiIn.X;
        y = Math.Clamp(y, 0, full.Height - 1) - roiIn.Y;
        var (ix, iy) = ((int)Math.Floor(x), (int)Math.Floor(y));
        var (wx0, wx1, wx2, wx3) = CatmullRom((float)(x - ix));
        var (wy0, wy1, wy2, wy3) = CatmullRom((float)(y - iy));
        float Row(int dy)
        {
            var row = input.Row(Math.Clamp(iy + dy, 0, roiIn.Height - 1));
            var last = roiIn.Width - 1;
            return wx0 * row[Math.Clamp(ix - 1, 0, last) * 4 + channel] + wx1 * row[Math.Clamp(ix, 0, last) * 4 + channel]
                 + wx2 * row[Math.Clamp(ix + 1, 0, last) * 4 + channel] + wx3 * row[Math.Clamp(ix + 2, 0, last) * 4 + channel];
        }
        return wy0 * Row(-1) + wy1 * Row(0) + wy2 * Row(1) + wy3 * Row(2);
    }

    internal static (float, float, float, float) CatmullRom(float t) =>
        ((((-t + 2) * t - 1) * t) / 2, ((3 * t - 5) * t * t + 2) / 2, (((-3 * t + 4) * t + 1) * t) / 2, (t - 1) * t * t / 2);
}

/// <summary>An opcode that moves pixels: the input region an output region reads, and the resampling.</summary>
public interface IPixelMover
{
    Roi InputFor(Roi roiOut);

    void Process(ProcessContext context, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut);
}
