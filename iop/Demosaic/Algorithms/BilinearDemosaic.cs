namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>
/// The reference: a missing colour is the tent-weighted (1 2 1 x 1 2 1) mean of that colour's samples in the
/// 3x3 neighbourhood, which for Bayer is exactly bilinear interpolation. Every 3x3 window of a Bayer or
/// X-Trans mosaic holds all three colours. Linear light in, linear light out; at the image edge the
/// weights are renormalised over the pixels that exist, so no border is less accurate than that.
/// </summary>
internal static class BilinearDemosaic
{
    public const int BorderPixels = 1;
    private const int BandRows = 32;

    private readonly record struct Tap(int Offset, float Weight);

    /// <summary>Demosaics the <paramref name="output"/>-sized region at (<paramref name="left"/>, <paramref name="top"/>) of the input.</summary>
    public static void Run(CfaPlane input, RgbaPlane output, int left, int top, CancellationToken ct)
    {
        var pattern = input.Pattern;
        var period = pattern.Width;
        // Per phase and colour: the taps (as offsets in the input plane) that make that colour there.
        var taps = new Tap[period * period * 3][];
        for (var py = 0; py < period; py++)
            for (var px = 0; px < period; px++)
                for (var c = 0; c < 3; c++)
                    taps[(py * period + px) * 3 + c] = TapsFor(pattern, py, px, c, input.Stride);
        TileGrid.ForEach(output.Width, output.Height, output.Width, BandRows, ct, (_, band, _, rows) =>
        {
            for (var y = band; y < band + rows; y++) Row(input, output, taps, left, top + y, y);
        });
    }

    private static Tap[] TapsFor(Engine.Raw.CfaPattern pattern, int py, int px, int colour, int stride)
    {
        if (pattern.ColorAt(py, px) == colour) return [new Tap(0, 1)];
        var list = new List<Tap>();
        for (var dy = -1; dy <= 1; dy++)
            for (var dx = -1; dx <= 1; dx++)
                if (pattern.ColorAt(py + dy, px + dx) == colour)
                    list.Add(new Tap(dy * stride + dx, (2 - Math.Abs(dy)) * (2 - Math.Abs(dx))));
        var sum = list.Sum(t => t.Weight);
        return list.Select(t => t with { Weight = t.Weight / sum }).ToArray();
    }

    /// <summary>Input row <paramref name="y"/> from column <paramref name="left"/> into output row <paramref name="outputRow"/>.</summary>
    private static void Row(in CfaPlane input, in RgbaPlane output, Tap[][] taps, int left, int y, int outputRow)
    {
        var data = input.Data.Span;
        var pixels = output.Data.Span.Slice(outputRow * output.Stride, output.Width * 4);
        var period = input.Pattern.Width;
        var phaseRow = y % period * period;
        var interior = y > 0 && y < input.Height - 1;
        for (var x = left; x < left + output.Width; x++)
        {
            var row = pixels[(4 * (x - left))..];
            if (!interior || x == 0 || x == input.Width - 1)
            {
                for (var c = 0; c < 3; c++) row[c] = AtEdge(input, y, x, c);
                continue;
            }
            var centre = y * input.Stride + x;
            var phase = (phaseRow + x % period) * 3;
            for (var c = 0; c < 3; c++)
            {
                // Measured from the first tap, so equal samples give exactly their value.
                var colourTaps = taps[phase + c];
                var anchor = data[centre + colourTaps[0].Offset];
                var sum = 0f;
                foreach (var tap in colourTaps) sum += tap.Weight * (data[centre + tap.Offset] - anchor);
                row[c] = anchor + sum;
            }
        }
    }

    /// <summary>The same tent over the neighbours that exist, widening the window if the colour is missing.</summary>
    private static float AtEdge(in CfaPlane input, int y, int x, int colour)
    {
        var data = input.Data.Span;
        for (var radius = 1; ; radius++)
        {
            float? anchor = null;
            float sum = 0, weights = 0;
            for (var dy = -radius; dy <= radius; dy++)
                for (var dx = -radius; dx <= radius; dx++)
                {
                    int sy = y + dy, sx = x + dx;
                    if (sy < 0 || sx < 0 || sy >= input.Height || sx >= input.Width || input.Pattern.ColorAt(sy, sx) != colour) continue;
                    var weight = (radius + 1f - Math.Abs(dy)) * (radius + 1f - Math.Abs(dx));
                    var value = data[sy * input.Stride + sx];
                    anchor ??= value;
                    sum += weight * (value - anchor.Value);
                    weights += weight;
                }
            if (anchor is { } first) return first + sum / weights;
        }
    }
}
