using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Iop.Shared;

/// <summary>Copies pixels (RGBA or CFA) from an input region to an output region at the same scale.</summary>
public static class RegionCopy
{
    /// <summary>Output pixel (x, y) of <paramref name="roiOut"/> takes input pixel (x + shiftX, y + shiftY).</summary>
    public static void Run(ProcessContext context, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut, int shiftX = 0, int shiftY = 0)
    {
        if (roiIn == roiOut && shiftX == 0 && shiftY == 0 && input.SharesPixelsWith(output)) return; // in place: already there
        var channels = input.Channels;
        var dx = (roiOut.X + shiftX - roiIn.X) * channels;
        var dy = roiOut.Y + shiftY - roiIn.Y;
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++) input.Row(y + dy).Slice(dx, roiOut.Width * channels).CopyTo(output.Row(y));
        });
    }
}
