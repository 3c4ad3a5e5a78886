using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Temperature;

/// <summary>
/// The automatic white balance LibRaw computes when asked (and when a camera's own is unusable):
/// the grey-world average of each colour over 8x8 blocks of the visible area, leaving out every block
/// that holds a sample within 25 DN of white, black subtracted. Only used when the user asks for it.
/// </summary>
public static class GreyWorld
{
    private const int Block = 8;

    /// <summary>R, G, B multipliers normalised to G = 1; null when no block is free of clipping.</summary>
    public static float[]? Multipliers(RawImage image)
    {
        var black = SensorBlack.Of(image);
        var visible = image.Visible;
        var samples = image.SamplesPerPixel;
        var clip = image.White - 25;
        var blockRows = (visible.Height + Block - 1) / Block;
        var totals = new double[blockRows, 6];
        Parallel.For(0, blockRows, blockRow =>
        {
            Span<double> sums = stackalloc double[6];
            Span<double> block = stackalloc double[6];
            var y0 = blockRow * Block;
            var y1 = Math.Min(y0 + Block, visible.Height);
            for (var x0 = 0; x0 < visible.Width; x0 += Block)
            {
                block.Clear();
                if (!SumBlock(image, black, y0, y1, x0, Math.Min(x0 + Block, visible.Width), samples, clip, block)) continue;
                for (var i = 0; i < 6; i++) sums[i] += block[i];
            }
            for (var i = 0; i < 6; i++) totals[blockRow, i] = sums[i];
        });
        var all = new double[6];
        for (var row = 0; row < blockRows; row++)
            for (var i = 0; i < 6; i++) all[i] += totals[row, i];
        if (!(all[0] > 0 && all[1] > 0 && all[2] > 0)) return null;
        var mean = new double[3];
        for (var c = 0; c < 3; c++) mean[c] = all[c] / all[c + 3];
        return [(float)(mean[1] / mean[0]), 1f, (float)(mean[1] / mean[2])];
    }

    /// <summary>Sums (R, G, B, then counts) of one block; false when the block holds a near-white sample.</summary>
    private static bool SumBlock(RawImage image, SensorBlack black, int y0, int y1, int x0, int x1, int samples, float clip, Span<double> sums)
    {
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++)
                for (var s = 0; s < samples; s++)
                {
                    var value = image.VisibleSample(y, x, s);
                    if (value > clip) return false;
                    var color = image.Cfa?.ColorAt(y, x) ?? s;
                    sums[color] += Math.Max(0, value - black.At(y, x, s));
                    sums[color + 3]++;
                }
        return true;
    }
}
