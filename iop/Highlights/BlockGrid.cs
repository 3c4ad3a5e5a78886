using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Highlights;

/// <summary>
/// The image cut into small blocks fixed to its origin (2x2 on Bayer, 3x3 on X-Trans, which both hold
/// every colour; one pixel on RGBA): each block's mean per colour and which colours clipped in it.
/// </summary>
internal sealed class BlockGrid
{
    private readonly int _size, _columns, _rows;
    private readonly CfaPattern? _pattern;
    private readonly float[] _means;
    private readonly byte[] _clipped;
    private readonly bool[] _rowHasClipping;

    private BlockGrid(int size, int columns, int rows, CfaPattern? pattern)
    {
        (_size, _columns, _rows, _pattern) = (size, columns, rows, pattern);
        _means = new float[columns * rows * 3];
        _clipped = new byte[columns * rows];
        _rowHasClipping = new bool[rows];
    }

    /// <summary>Measures the whole image, which <paramref name="input"/> covers (<paramref name="roi"/> at origin 0, 0).</summary>
    public static BlockGrid Measure(ProcessContext context, ImageBuffer input, Roi roi, ChannelLevels clipAt)
    {
        var pattern = context.Input.Cfa;
        var size = pattern is null ? 1 : pattern.Kind == CfaKind.Bayer ? 2 : 3;
        var grid = new BlockGrid(size, (roi.Width + size - 1) / size, (roi.Height + size - 1) / size, pattern);
        float[] clip = [clipAt.R, clipAt.G, clipAt.B];
        context.ForRows(grid._rows, (r0, r1) =>
        {
            // One block row at a time: sums and counts per block and colour, then means.
            var sums = new float[grid._columns * 3];
            var counts = new int[grid._columns * 3];
            var rowColors = new int[pattern?.Width ?? 1];
            for (var by = r0; by < r1; by++)
            {
                Array.Clear(sums);
                Array.Clear(counts);
                var blockRow = by * grid._columns;
                if (pattern is { Kind: CfaKind.Bayer } && roi.Width % 2 == 0 && 2 * by + 1 < roi.Height)
                {
                    grid.MeasureBayerBlocks(input.Row(2 * by), input.Row(2 * by + 1), 2 * by, blockRow, clip);
                    grid._rowHasClipping[by] = grid._clipped.AsSpan(blockRow, grid._columns).IndexOfAnyExcept((byte)0) >= 0;
                    continue;
                }
                for (var y = by * size; y < Math.Min(roi.Height, (by + 1) * size); y++)
                {
                    var row = input.Row(y);
                    if (pattern is null)
                    {
                        for (var x = 0; x < roi.Width; x++)
                            for (var c = 0; c < 3; c++) Add(grid, sums, counts, blockRow, x, c, row[x * 4 + c], clip[c]);
                        continue;
                    }
                    for (var i = 0; i < rowColors.Length; i++) rowColors[i] = pattern.ColorAt(y, i);
                    for (int x = 0, phase = 0; x < roi.Width; x++)
                    {
                        var c = rowColors[phase];
                        Add(grid, sums, counts, blockRow, x / size, c, row[x], clip[c]);
                        if (++phase == rowColors.Length) phase = 0;
                    }
                }
                for (var i = 0; i < sums.Length; i++) grid._means[blockRow * 3 + i] = counts[i] > 0 ? sums[i] / counts[i] : 0;
                grid._rowHasClipping[by] = grid._clipped.AsSpan(blockRow, grid._columns).IndexOfAnyExcept((byte)0) >= 0;
            }
        });
        return grid;
    }

    /// <summary>
    /// One row of whole 2x2 Bayer blocks, each holding its four sites' colours at fixed places: the same sums,
    /// means and clip bits as the general loop, without per-sample lookups.
    /// </summary>
    private void MeasureBayerBlocks(ReadOnlySpan<float> top, ReadOnlySpan<float> bottom, int y, int blockRow, float[] clip)
    {
        var pattern = _pattern!;
        int c00 = pattern.ColorAt(y, 0), c01 = pattern.ColorAt(y, 1), c10 = pattern.ColorAt(y + 1, 0), c11 = pattern.ColorAt(y + 1, 1);
        float k00 = clip[c00], k01 = clip[c01], k10 = clip[c10], k11 = clip[c11];
        int b00 = 1 << c00, b01 = 1 << c01, b10 = 1 << c10, b11 = 1 << c11;
        Span<float> inverse = stackalloc float[3];
        foreach (var c in (ReadOnlySpan<int>)[c00, c01, c10, c11]) inverse[c]++;
        for (var c = 0; c < 3; c++) inverse[c] = 1 / inverse[c];
        Span<float> sums = stackalloc float[3];
        var means = _means.AsSpan(blockRow * 3, _columns * 3);
        var clipped = _clipped.AsSpan(blockRow, _columns);
        for (var bx = 0; bx < clipped.Length; bx++)
        {
            float v00 = top[2 * bx], v01 = top[2 * bx + 1], v10 = bottom[2 * bx], v11 = bottom[2 * bx + 1];
            sums.Clear();
            sums[c00] += v00;
            sums[c01] += v01;
            sums[c10] += v10;
            sums[c11] += v11;
            means[3 * bx] = sums[0] * inverse[0];
            means[3 * bx + 1] = sums[1] * inverse[1];
            means[3 * bx + 2] = sums[2] * inverse[2];
            clipped[bx] = (byte)((v00 >= k00 ? b00 : 0) | (v01 >= k01 ? b01 : 0) | (v10 >= k10 ? b10 : 0) | (v11 >= k11 ? b11 : 0));
        }
    }

    private static void Add(BlockGrid grid, float[] sums, int[] counts, int blockRow, int column, int c, float value, float clip)
    {
        sums[column * 3 + c] += value;
        counts[column * 3 + c]++;
        if (value >= clip) grid._clipped[blockRow + column] |= (byte)(1 << c);
    }

    /// <summary>
    /// Ratios between channels (row c, column k: colour c over colour k) measured on unclipped blocks
    /// touching a clipped one; null when nothing clipped or no such block exists.
    /// </summary>
    public float[]? RatiosAroundClipping()
    {
        var sums = new double[3];
        var found = 0L;
        for (var by = 0; by < _rows; by++)
        {
            // Only rows next to a row with clipping can hold blocks touching it.
            if (!_rowHasClipping[Math.Max(0, by - 1)] && !_rowHasClipping[by] && !_rowHasClipping[Math.Min(_rows - 1, by + 1)]) continue;
            for (var bx = 0; bx < _columns; bx++)
            {
                var block = by * _columns + bx;
                if (_clipped[block] != 0 || !TouchesClipping(bx, by)) continue;
                if (!(_means[block * 3] > 0 && _means[block * 3 + 1] > 0 && _means[block * 3 + 2] > 0)) continue;
                for (var c = 0; c < 3; c++) sums[c] += _means[block * 3 + c];
                found++;
            }
        }
        if (found == 0) return null;
        var ratios = new float[9];
        for (var c = 0; c < 3; c++)
            for (var k = 0; k < 3; k++) ratios[c * 3 + k] = (float)(sums[c] / sums[k]);
        return ratios;
    }

    private bool TouchesClipping(int bx, int by)
    {
        for (var y = Math.Max(0, by - 1); y <= Math.Min(_rows - 1, by + 1); y++)
            for (var x = Math.Max(0, bx - 1); x <= Math.Min(_columns - 1, bx + 1); x++)
                if (_clipped[y * _columns + x] != 0) return true;
        return false;
    }

    /// <summary>
    /// Writes <paramref name="roiOut"/>: each clipped sample (at or above <paramref name="clipAt"/>) becomes at
    /// least the estimate from its block's unclipped colours and the ratios; where every colour clipped it is
    /// clamped to <paramref name="neutral"/>. Samples under the clip level are measurements and stay as they
    /// are, even where another sample of their colour clipped in the same block.
    /// </summary>
    public void Reconstruct(ProcessContext context, float[] ratios, ChannelLevels clipAt, float neutral, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var channels = input.Channels;
        float[] clip = [clipAt.R, clipAt.G, clipAt.B];
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            Span<float> estimates = stackalloc float[3];
            for (var y = y0; y < y1; y++)
            {
                var imageY = roiOut.Y + y;
                var source = input.Row(imageY - roiIn.Y).Slice((roiOut.X - roiIn.X) * channels, roiOut.Width * channels);
                var target = output.Row(y);
                if (!input.SharesPixelsWith(output) || roiIn != roiOut) source.CopyTo(target);
                if (!_rowHasClipping[imageY / _size]) continue;
                var blockRow = imageY / _size * _columns;
                for (var x = 0; x < roiOut.Width; x++)
                {
                    var imageX = roiOut.X + x;
                    var block = blockRow + imageX / _size;
                    var clipped = _clipped[block];
                    if (clipped == 0) continue;
                    if (_pattern is not null)
                    {
                        var c = _pattern.ColorAt(imageY, imageX);
                        if (target[x] < clip[c]) continue;
                        Estimate(block, clipped, ratios, neutral, estimates);
                        target[x] = Apply(target[x], estimates[c], clipped, neutral);
                        continue;
                    }
                    Estimate(block, clipped, ratios, neutral, estimates);
                    for (var c = 0; c < 3; c++)
                        if (target[x * 4 + c] >= clip[c]) target[x * 4 + c] = Apply(target[x * 4 + c], estimates[c], clipped, neutral);
                }
            }
        });
    }

    private static float Apply(float value, float estimate, int clipped, float neutral) =>
        clipped == 7 ? Math.Min(value, neutral) : Math.Max(value, estimate);

    private void Estimate(int block, int clipped, float[] ratios, float neutral, Span<float> estimates)
    {
        for (var c = 0; c < 3; c++)
        {
            if ((clipped & (1 << c)) == 0) continue;
            float sum = 0;
            var n = 0;
            for (var k = 0; k < 3; k++)
                if ((clipped & (1 << k)) == 0)
                {
                    sum += ratios[c * 3 + k] * _means[block * 3 + k];
                    n++;
                }
            estimates[c] = n > 0 ? sum / n : neutral;
        }
    }
}
