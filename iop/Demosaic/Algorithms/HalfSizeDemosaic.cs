namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>
/// Preview demosaic: each block of <see cref="Factor"/> x <see cref="Factor"/> CFA pixels (2 for Bayer,
/// 3 for X-Trans, whose every 3x3 window holds all three colours) becomes one pixel holding the mean
/// of each colour's samples. Linear light; no halo needed. A partial block at the right or bottom edge is dropped.
/// </summary>
internal static class HalfSizeDemosaic
{
    private const int BandRows = 16;

    public static int Factor(Engine.Raw.CfaPattern pattern) => pattern.Width == 2 ? 2 : 3;

    /// <summary>Output pixel (x, y) is block (<paramref name="left"/> + x, <paramref name="top"/> + y) of the input.</summary>
    public static void Run(CfaPlane input, RgbaPlane output, int left, int top, CancellationToken ct)
    {
        var factor = Factor(input.Pattern);
        var period = input.Pattern.Width;
        var colours = input.Pattern.Colors.ToArray();
        TileGrid.ForEach(output.Width, output.Height, output.Width, BandRows, ct, (_, band, _, rows) =>
        {
            var data = input.Data.Span;
            var pixels = output.Data.Span;
            Span<float> sums = stackalloc float[3];
            Span<int> counts = stackalloc int[3];
            Span<float> anchors = stackalloc float[3];
            for (var oy = band; oy < band + rows; oy++)
            {
                var row = pixels.Slice(oy * output.Stride, output.Width * 4);
                for (var ox = 0; ox < output.Width; ox++)
                {
                    sums.Clear();
                    counts.Clear();
                    // Sums are of differences from the block's first sample of each colour, so a flat block stays exact.
                    anchors.Clear();
                    for (var dy = 0; dy < factor; dy++)
                    {
                        var y = (top + oy) * factor + dy;
                        var source = data.Slice(y * input.Stride, input.Width);
                        var phaseRow = y % period * period;
                        for (var dx = 0; dx < factor; dx++)
                        {
                            var x = (left + ox) * factor + dx;
                            var c = colours[phaseRow + x % period];
                            if (counts[c]++ == 0) anchors[c] = source[x];
                            sums[c] += source[x] - anchors[c];
                        }
                    }
                    for (var c = 0; c < 3; c++) row[4 * ox + c] = anchors[c] + sums[c] / counts[c];
                }
            }
        });
    }
}
