using System.Numerics;
using System.Runtime.InteropServices;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Highlights;

/// <summary>
/// The image cut into small blocks fixed to its origin (2x2 on Bayer, 3x3 on X-Trans, which both hold
/// every colour; one pixel on RGBA): which colours clipped in each block, and each block's mean per colour,
/// read from the image when asked (only blocks at or next to clipping ever are, so an image without clipping
/// costs one vectorised pass over its samples and a byte per block).
/// </summary>
internal sealed class BlockGrid
{
    private readonly int _size, _columns, _rows, _width, _height;
    private readonly CfaPattern? _pattern;
    private readonly ImageBuffer _image;
    private readonly byte[] _clipped;
    private readonly bool[] _rowHasClipping;
    /// <summary>
    /// The colour at each pixel of a block, for each block position within the pattern's period (one on Bayer, four on
    /// X-Trans): a block's colours by lookup rather than by the pattern's wrapped coordinates, pixel by pixel. Empty
    /// where blocks do not tile the pattern's period.
    /// </summary>
    private readonly byte[] _blockColors = [];
    private readonly int _blockPeriodX = 1, _blockPeriodY = 1;

    private BlockGrid(ImageBuffer image, Roi roi, int size, CfaPattern? pattern)
    {
        (_image, _width, _height, _size, _pattern) = (image, roi.Width, roi.Height, size, pattern);
        _columns = (roi.Width + size - 1) / size;
        _rows = (roi.Height + size - 1) / size;
        _clipped = new byte[_columns * _rows];
        _rowHasClipping = new bool[_rows];
        if (pattern is null || pattern.Width % size != 0 || pattern.Height % size != 0) return;
        (_blockPeriodX, _blockPeriodY) = (pattern.Width / size, pattern.Height / size);
        _blockColors = new byte[pattern.Width * pattern.Height];
        for (var y = 0; y < pattern.Height; y++)
            for (var x = 0; x < pattern.Width; x++)
                _blockColors[BlockColorIndex(x / size, y / size, x % size, y % size)] = (byte)pattern.ColorAt(y, x);
    }

    private int BlockColorIndex(int bx, int by, int dx, int dy) =>
        ((by % _blockPeriodY * _blockPeriodX + bx % _blockPeriodX) * _size + dy) * _size + dx;

    /// <summary>
    /// Finds the clipped colours of every block of the whole image, which <paramref name="input"/> covers
    /// (<paramref name="roi"/> at origin 0, 0). Block means are later read from <paramref name="input"/>: it must
    /// keep the samples of every colour that did not clip in a block (reconstruction, in place, changes only clipped ones).
    /// </summary>
    public static BlockGrid Measure(ProcessContext context, ImageBuffer input, Roi roi, ChannelLevels clipAt)
    {
        var pattern = context.Input.Cfa;
        var size = pattern is null ? 1 : pattern.Kind == CfaKind.Bayer ? 2 : 3;
        var grid = new BlockGrid(input, roi, size, pattern);
        float[] clip = [clipAt.R, clipAt.G, clipAt.B];
        var lowest = Math.Min(clip[0], Math.Min(clip[1], clip[2]));
        context.ForRows(grid._rows, (r0, r1) =>
        {
            for (var by = r0; by < r1; by++)
            {
                var y0 = by * size;
                var y1 = Math.Min(roi.Height, y0 + size);
                // RGBA rows hold alpha (1), at any clip level's reach: only mosaics take the quick test.
                var any = pattern is null;
                for (var y = y0; y < y1 && !any; y++) any = ReachesLevel(input.Row(y)[..(roi.Width * input.Channels)], lowest);
                if (!any) continue;
                var clipped = grid._clipped.AsSpan(by * grid._columns, grid._columns);
                for (var y = y0; y < y1; y++) grid.MarkClipped(input.Row(y), y, clipped, clip);
                grid._rowHasClipping[by] = clipped.IndexOfAnyExcept((byte)0) >= 0;
            }
        });
        return grid;
    }

    /// <summary>Whether any sample of a mosaic row is at or above <paramref name="level"/>.</summary>
    private static bool ReachesLevel(ReadOnlySpan<float> row, float level)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(row);
        var threshold = new Vector<float>(level);
        var reached = Vector<int>.Zero;
        foreach (var v in vectors) reached |= Vector.GreaterThanOrEqual(v, threshold);
        if (reached != Vector<int>.Zero) return true;
        for (var i = vectors.Length * Vector<float>.Count; i < row.Length; i++)
            if (row[i] >= level) return true;
        return false;
    }

    /// <summary>Sets, in each block of a row of blocks, the bit of every colour with a sample on image row <paramref name="y"/> at or above its clip level.</summary>
    private void MarkClipped(ReadOnlySpan<float> row, int y, Span<byte> clipped, float[] clip)
    {
        if (_pattern is null)
        {
            for (var x = 0; x < _width; x++)
                for (var c = 0; c < 3; c++)
                    if (row[x * 4 + c] >= clip[c]) clipped[x] |= (byte)(1 << c);
            return;
        }
        Span<int> rowColors = stackalloc int[_pattern.Width];
        for (var i = 0; i < rowColors.Length; i++) rowColors[i] = _pattern.ColorAt(y, i);
        var start = 0;
        var lanes = Vector<float>.Count;
        if (lanes % rowColors.Length == 0)
        {
            // A Bayer row's colours repeat within a vector: eight samples at a time against their colours' levels,
            // and only a vector with a sample at its level is looked at sample by sample.
            Span<float> levels = stackalloc float[lanes];
            for (var i = 0; i < lanes; i++) levels[i] = clip[rowColors[i % rowColors.Length]];
            var level = new Vector<float>(levels);
            for (; start + lanes <= _width; start += lanes)
                if (Vector.GreaterThanOrEqualAny(new Vector<float>(row[start..]), level))
                    Mark(row, start, start + lanes, rowColors, clipped, clip);
        }
        Mark(row, start, _width, rowColors, clipped, clip);
    }

    /// <summary>Samples [<paramref name="x0"/>, <paramref name="x1"/>) of a mosaic row: the bit of each one's colour where it is at or above its level.</summary>
    private void Mark(ReadOnlySpan<float> row, int x0, int x1, ReadOnlySpan<int> rowColors, Span<byte> clipped, float[] clip)
    {
        for (var x = x0; x < x1; x++)
        {
            var c = rowColors[x % rowColors.Length];
            if (row[x] >= clip[c]) clipped[x / _size] |= (byte)(1 << c);
        }
    }

    /// <summary>
    /// The block's mean per colour: each colour's samples summed in row order, divided by their count
    /// (a colour the block lacks, at a partial block on the image's edge, is 0).
    /// </summary>
    private void Means(int bx, int by, Span<float> means)
    {
        int left = bx * _size, top = by * _size;
        if (_size == 2 && _blockColors.Length == 4 && left + 1 < _width && top + 1 < _height)
        {
            BayerMeans(left, top, means);
            return;
        }
        Span<float> sums = stackalloc float[3];
        Span<int> counts = stackalloc int[3];
        int x1 = Math.Min(_width, left + _size), y1 = Math.Min(_height, top + _size);
        for (var y = top; y < y1; y++)
        {
            var row = _image.Row(y);
            for (var x = left; x < x1; x++)
            {
                if (_pattern is null)
                {
                    for (var c = 0; c < 3; c++) sums[c] += row[x * 4 + c];
                    counts[0]++;
                    counts[1]++;
                    counts[2]++;
                    continue;
                }
                var color = _blockColors.Length == 0 ? _pattern.ColorAt(y, x) : _blockColors[BlockColorIndex(bx, by, x - left, y - top)];
                sums[color] += row[x];
                counts[color]++;
            }
        }
        Divide(sums, counts, means);
    }

    /// <summary>The first index in [<paramref name="from"/>, <paramref name="end"/>) whose byte is not 0, or -1 (a vector search).</summary>
    private static int NextSet(ReadOnlySpan<byte> bytes, int from, int end)
    {
        var found = bytes[from..end].IndexOfAnyExcept((byte)0);
        return found < 0 ? -1 : from + found;
    }

    private static void Divide(ReadOnlySpan<float> sums, ReadOnlySpan<int> counts, Span<float> means)
    {
        for (var c = 0; c < 3; c++) means[c] = counts[c] > 0 ? sums[c] / counts[c] : 0;
    }

    /// <summary>
    /// <see cref="Means"/> of a whole Bayer block: one sample of red and blue, two of green, added in the same order
    /// (row by row, left to right) and so to the same floats.
    /// </summary>
    private void BayerMeans(int left, int top, Span<float> means)
    {
        var upper = _image.Row(top);
        var lower = _image.Row(top + 1);
        Span<float> sums = stackalloc float[3];
        Span<int> counts = stackalloc int[3];
        sums[_blockColors[0]] += upper[left];
        counts[_blockColors[0]]++;
        sums[_blockColors[1]] += upper[left + 1];
        counts[_blockColors[1]]++;
        sums[_blockColors[2]] += lower[left];
        counts[_blockColors[2]]++;
        sums[_blockColors[3]] += lower[left + 1];
        counts[_blockColors[3]]++;
        Divide(sums, counts, means);
    }

    /// <summary>
    /// Ratios between channels (row c, column k: colour c over colour k) measured on unclipped blocks
    /// touching a clipped one; null when nothing clipped or no such block exists. Block rows run in parallel, each
    /// summing its own blocks; the rows' sums are then added in row order, so the result does not depend on the threads.
    /// </summary>
    public float[]? RatiosAroundClipping(ProcessContext context)
    {
        var rowSums = new double[_rows * 3];
        var rowFound = new int[_rows];
        context.ForRows(_rows, (r0, r1) =>
        {
            Span<float> means = stackalloc float[3];
            var touching = new byte[_columns];
            var rows = new byte[_columns];
            for (var by = r0; by < r1; by++)
            {
                // Only rows next to a row with clipping can hold blocks touching it.
                int above = Math.Max(0, by - 1), below = Math.Min(_rows - 1, by + 1);
                if (!_rowHasClipping[above] && !_rowHasClipping[by] && !_rowHasClipping[below]) continue;
                Touching(above, below, rows, touching);
                var clipped = _clipped.AsSpan(by * _columns, _columns);
                var sums = rowSums.AsSpan(by * 3, 3);
                for (var bx = NextSet(touching, 0, _columns); bx >= 0; bx = NextSet(touching, bx + 1, _columns))
                {
                    if (clipped[bx] != 0) continue;
                    Means(bx, by, means);
                    if (!(means[0] > 0 && means[1] > 0 && means[2] > 0)) continue;
                    for (var c = 0; c < 3; c++) sums[c] += means[c];
                    rowFound[by]++;
                }
            }
        });
        var total = new double[3];
        var found = 0L;
        for (var by = 0; by < _rows; by++)
        {
            if (rowFound[by] == 0) continue;
            for (var c = 0; c < 3; c++) total[c] += rowSums[by * 3 + c];
            found += rowFound[by];
        }
        if (found == 0) return null;
        var ratios = new float[9];
        for (var c = 0; c < 3; c++)
            for (var k = 0; k < 3; k++) ratios[c * 3 + k] = (float)(total[c] / total[k]);
        return ratios;
    }

    /// <summary>
    /// Non-zero for each block column with a clipped block in block rows [<paramref name="above"/>, <paramref name="below"/>]
    /// within one column of it; <paramref name="rows"/> is scratch of the same length.
    /// </summary>
    private void Touching(int above, int below, byte[] rows, byte[] touching)
    {
        Array.Clear(rows);
        for (var y = above; y <= below; y++)
            if (_rowHasClipping[y]) Or(_clipped.AsSpan(y * _columns, _columns), rows);
        // Each column takes its own and both neighbours' bits.
        touching[0] = (byte)(rows[0] | (_columns > 1 ? rows[1] : 0));
        if (_columns == 1) return;
        touching[^1] = (byte)(rows[^1] | rows[^2]);
        var inner = touching.AsSpan(1, _columns - 2);
        rows.AsSpan(0, inner.Length).CopyTo(inner);
        Or(rows.AsSpan(1, inner.Length), inner);
        Or(rows.AsSpan(2, inner.Length), inner);
    }

    private static void Or(ReadOnlySpan<byte> source, Span<byte> target)
    {
        var x = 0;
        for (; x <= source.Length - Vector<byte>.Count; x += Vector<byte>.Count)
            (new Vector<byte>(source[x..]) | new Vector<byte>(target[x..])).CopyTo(target[x..]);
        for (; x < source.Length; x++) target[x] |= source[x];
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
        var copy = !input.SharesPixelsWith(output) || roiIn != roiOut;
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            Span<float> means = stackalloc float[3];
            Span<float> estimates = stackalloc float[3];
            for (var y = y0; y < y1; y++)
            {
                var imageY = roiOut.Y + y;
                var target = output.Row(y);
                if (copy) input.Row(imageY - roiIn.Y).Slice((roiOut.X - roiIn.X) * channels, roiOut.Width * channels).CopyTo(target);
                var by = imageY / _size;
                if (!_rowHasClipping[by]) continue;
                var clipped = _clipped.AsSpan(by * _columns, _columns);
                var end = (roiOut.Right - 1) / _size + 1;
                for (var bx = NextSet(clipped, roiOut.X / _size, end); bx >= 0; bx = NextSet(clipped, bx + 1, end))
                {
                    var bits = clipped[bx];
                    Means(bx, by, means);
                    Estimate(bits, means, ratios, neutral, estimates);
                    int x0 = Math.Max(roiOut.X, bx * _size), x1 = Math.Min(roiOut.Right, (bx + 1) * _size);
                    for (var imageX = x0; imageX < x1; imageX++)
                    {
                        var x = imageX - roiOut.X;
                        if (_pattern is not null)
                        {
                            var c = _pattern.ColorAt(imageY, imageX);
                            if (target[x] >= clip[c]) target[x] = Apply(target[x], estimates[c], bits, neutral);
                            continue;
                        }
                        for (var c = 0; c < 3; c++)
                            if (target[x * 4 + c] >= clip[c]) target[x * 4 + c] = Apply(target[x * 4 + c], estimates[c], bits, neutral);
                    }
                }
            }
        });
    }

    private static float Apply(float value, float estimate, int clipped, float neutral) =>
        clipped == 7 ? Math.Min(value, neutral) : Math.Max(value, estimate);

    private static void Estimate(int clipped, ReadOnlySpan<float> means, float[] ratios, float neutral, Span<float> estimates)
    {
        for (var c = 0; c < 3; c++)
        {
            if ((clipped & (1 << c)) == 0) continue;
            float sum = 0;
            var n = 0;
            for (var k = 0; k < 3; k++)
                if ((clipped & (1 << k)) == 0)
                {
                    sum += ratios[c * 3 + k] * means[k];
                    n++;
                }
            estimates[c] = n > 0 ? sum / n : neutral;
        }
    }
}
