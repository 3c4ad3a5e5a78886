namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>
/// Copies a rectangle of a mosaic into a tile buffer, reaching outside the image by taking the
/// nearest pixel of the same CFA colour phase (a mirror for Bayer, the neighbouring period for X-Trans),
/// so a tile's halo always holds a plausible mosaic.
/// </summary>
internal static class CfaTile
{
    public static void Load(in CfaPlane source, int left, int top, int width, int height, Span<float> tile, int tileStride, bool encode)
    {
        var data = source.Data.Span;
        var period = source.Pattern.Width;
        var insideStart = Math.Clamp(-left, 0, width);
        var insideEnd = Math.Clamp(source.Width - left, insideStart, width);
        for (var y = 0; y < height; y++)
        {
            var row = data.Slice(SamePhaseIndex(top + y, source.Height, period) * source.Stride, source.Width);
            var output = tile.Slice(y * tileStride, width);
            var inside = row.Slice(left + insideStart, insideEnd - insideStart);
            if (encode) PerceptualCurve.Encode(inside, output[insideStart..]);
            else inside.CopyTo(output[insideStart..]);
            for (var x = 0; x < insideStart; x++) output[x] = Sample(row, SamePhaseIndex(left + x, source.Width, period), encode);
            for (var x = insideEnd; x < width; x++) output[x] = Sample(row, SamePhaseIndex(left + x, source.Width, period), encode);
        }
    }

    private static float Sample(ReadOnlySpan<float> row, int x, bool encode) => encode ? PerceptualCurve.Encode(row[x]) : row[x];

    /// <summary>An index inside [0, size) with the same CFA phase as <paramref name="index"/>.</summary>
    public static int SamePhaseIndex(int index, int size, int period)
    {
        if (period == 2)
        {
            // A mirror about the edge pixel keeps the parity and continues the image smoothly.
            while (index < 0 || index >= size) index = index < 0 ? -index : 2 * (size - 1) - index;
            return index;
        }
        if (index < 0) return index + (-index + period - 1) / period * period;
        if (index >= size) return index - (index - size + period) / period * period;
        return index;
    }
}
