using System.Buffers;
using System.Numerics;

namespace RawEngine.Engine.Masks.Vectorize;

/// <summary>
/// Marching squares at an iso level over a soft mask. Samples sit at pixel centres, so sample (x, y) is the
/// point (x + 0.5, y + 0.5) in pixel units; everything outside the image counts as background, so every
/// contour closes. Each vertex lies on a grid edge between two samples that straddle the level, placed by
/// linear interpolation of their values (sub-pixel). Saddle cells are resolved by the cell's mean value.
/// </summary>
/// <remarks>
/// Contours are found by scanning each sample row for horizontal edges that change state. The first edge
/// of a contour met by the scan is its leftmost one on its top row, and the crossing just left of it on the
/// same row belongs to a contour traced earlier; the face between the two tells the nesting (see
/// <see cref="ParentOf"/>), so the hierarchy costs no point-in-polygon tests.
/// </remarks>
internal static class IsoContourTracer
{
    private enum Side : byte { Top, Right, Bottom, Left }

    public static void Trace(ReadOnlySpan<float> mask, int width, int height, float level, TracedContours output)
    {
        // Horizontal edge (x, r) joins samples x and x + 1 of row r, for x = -1 .. width - 1; it holds the
        // 1-based id of the contour through it, 0 while none has been traced through it.
        var edgesPerRow = width + 1;
        var owners = ArrayPool<int>.Shared.Rent(edgesPerRow * height);
        try
        {
            Array.Clear(owners, 0, edgesPerRow * height);
            var grid = new SampleGrid(mask, width, height, level);
            for (var row = 0; row < height; row++)
            {
                // Walk the row from the background left of it, jumping over runs of unchanged samples; each
                // change of state is a crossing on the edge before sample x (edge x - 1), and the row ends
                // with one more if its last sample is inside.
                var samples = mask.Slice(row * width, width);
                var lastOwner = 0;
                var inside = false;
                for (var x = 0; x <= width; x++)
                {
                    x = NextChange(samples, x, inside, level);
                    if (x == width && !inside) break;
                    var edge = row * edgesPerRow + x;
                    if (owners[edge] == 0)
                    {
                        var id = output.Contours.Count + 1;
                        var start = output.VertexCount;
                        var area = Follow(grid, x - 1, row, inside, id, owners, output);
                        output.Contours.Add(new TracedContour(start, output.VertexCount - start,
                            ParentOf(output.Contours, lastOwner, inside), IsOuter: !inside, area));
                    }
                    lastOwner = owners[edge];
                    inside = !inside;
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(owners);
        }
    }

    /// <summary>
    /// The first sample from <paramref name="x"/> on whose state differs from <paramref name="inside"/>, or
    /// the row's length; whole vectors of unchanged samples are skipped at once (most of a mask is).
    /// </summary>
    private static int NextChange(ReadOnlySpan<float> samples, int x, bool inside, float level)
    {
        var lanes = Vector<float>.Count;
        var levels = new Vector<float>(level);
        while (true)
        {
            for (; x + lanes <= samples.Length; x += lanes)
            {
                var values = new Vector<float>(samples[x..]);
                if (!(inside ? Vector.GreaterThanOrEqualAll(values, levels) : Vector.LessThanAll(values, levels))) break;
            }
            // NaN counts as outside, here as in the tracing: it is not >= level.
            var end = Math.Min(samples.Length, x + lanes);
            for (; x < end; x++)
                if (samples[x] >= level != inside) return x;
            if (x >= samples.Length) return samples.Length;
        }
    }

    /// <summary>
    /// The parent of a contour first met at a crossing whose left sample is <paramref name="leftInside"/>,
    /// given the contour owning the nearest crossing to its left (1-based id, 0 if none). The samples between
    /// the two crossings lie in one face. If that face is the inside of the left contour (mask side of an
    /// outer boundary, background side of a hole), the left contour is the parent; otherwise both bound the
    /// face around the left contour, so they share its parent.
    /// </summary>
    private static int ParentOf(List<TracedContour> contours, int leftOwner, bool leftInside)
    {
        if (leftOwner == 0) return -1;
        var left = contours[leftOwner - 1];
        return leftInside == left.IsOuter ? leftOwner - 1 : left.Parent;
    }

    /// <summary>
    /// Walks one contour from horizontal edge (x, row), adding its vertices and marking every horizontal
    /// edge it crosses with <paramref name="id"/>. It leaves mask on one fixed hand, so outer boundaries and
    /// holes turn opposite ways. Returns the enclosed area in square pixels.
    /// </summary>
    private static double Follow(in SampleGrid grid, int x, int row, bool leftInside, int id, int[] owners, TracedContours output)
    {
        var edgesPerRow = grid.Width + 1;
        var startEdge = row * edgesPerRow + x + 1;
        owners[startEdge] = id;
        var first = grid.HorizontalCrossing(x, row);
        output.AddVertex(first);
        var firstIndex = output.VertexCount - 1;

        // Cell (cx, cy) has corners (cx, cy) .. (cx + 1, cy + 1).
        int cx = x, cy;
        Side entry;
        if (leftInside) { cy = row - 1; entry = Side.Bottom; }
        else { cy = row; entry = Side.Top; }

        var twiceArea = 0.0;
        var previous = first;
        var steps = 0;
        var maxSteps = 2 * (grid.Width + 2) * (grid.Height + 2);
        while (true)
        {
            var exit = grid.ExitSide(cx, cy, entry);
            if (exit is Side.Top or Side.Bottom)
            {
                var edgeRow = exit == Side.Top ? cy : cy + 1;
                var edge = edgeRow * edgesPerRow + cx + 1;
                if (edge == startEdge) break;
                owners[edge] = id;
            }
            var vertex = grid.Crossing(cx, cy, exit);
            if (vertex != previous)
            {
                twiceArea += previous.Cross(vertex);
                output.AddVertex(vertex);
                previous = vertex;
            }
            switch (exit)
            {
                case Side.Top: cy--; entry = Side.Bottom; break;
                case Side.Bottom: cy++; entry = Side.Top; break;
                case Side.Left: cx--; entry = Side.Right; break;
                default: cx++; entry = Side.Left; break;
            }
            if (++steps > maxSteps) throw new InvalidOperationException("Contour tracing did not close (internal error).");
        }
        if (output.VertexCount - firstIndex > 1 && output.LastVertex == first) output.TruncateVertices(output.VertexCount - 1);
        twiceArea += previous.Cross(first);
        return Math.Abs(twiceArea) / 2;
    }

    /// <summary>The mask seen as a grid of samples padded with background on every side.</summary>
    private readonly ref struct SampleGrid(ReadOnlySpan<float> mask, int width, int height, float level)
    {
        private readonly ReadOnlySpan<float> _mask = mask;

        public int Width { get; } = width;

        public int Height { get; } = height;

        private float Value(int x, int y) =>
            (uint)x < (uint)Width && (uint)y < (uint)Height ? _mask[y * Width + x] : 0f;

        private bool Inside(int x, int y) => Value(x, y) >= level;

        /// <summary>
        /// Where the contour leaves cell (cx, cy) after entering through <paramref name="entry"/>. A saddle
        /// (diagonal corners inside) joins its inside corners through the centre when the cell's mean is
        /// inside, so the contours cut off the two outside corners; otherwise they cut off the inside ones.
        /// </summary>
        public Side ExitSide(int cx, int cy, Side entry)
        {
            bool tl = Inside(cx, cy), tr = Inside(cx + 1, cy), br = Inside(cx + 1, cy + 1), bl = Inside(cx, cy + 1);
            bool top = tl != tr, right = tr != br, bottom = bl != br, left = tl != bl;
            if (top && right && bottom && left)
            {
                var meanInside = (Value(cx, cy) + Value(cx + 1, cy) + Value(cx + 1, cy + 1) + Value(cx, cy + 1)) * 0.25f >= level;
                var topPairsRight = tl == meanInside;
                return entry switch
                {
                    Side.Top => topPairsRight ? Side.Right : Side.Left,
                    Side.Right => topPairsRight ? Side.Top : Side.Bottom,
                    Side.Bottom => topPairsRight ? Side.Left : Side.Right,
                    _ => topPairsRight ? Side.Bottom : Side.Top,
                };
            }
            if (top && entry != Side.Top) return Side.Top;
            if (right && entry != Side.Right) return Side.Right;
            if (bottom && entry != Side.Bottom) return Side.Bottom;
            if (left && entry != Side.Left) return Side.Left;
            throw new InvalidOperationException($"Contour tracing entered cell ({cx}, {cy}) that it cannot leave (internal error).");
        }

        public PlanePoint Crossing(int cx, int cy, Side side) => side switch
        {
            Side.Top => HorizontalCrossing(cx, cy),
            Side.Bottom => HorizontalCrossing(cx, cy + 1),
            Side.Left => VerticalCrossing(cx, cy),
            _ => VerticalCrossing(cx + 1, cy),
        };

        /// <summary>The level crossing between samples (x, row) and (x + 1, row).</summary>
        public PlanePoint HorizontalCrossing(int x, int row) =>
            new(x + 0.5 + Fraction(Value(x, row), Value(x + 1, row)), row + 0.5);

        /// <summary>The level crossing between samples (column, y) and (column, y + 1).</summary>
        private PlanePoint VerticalCrossing(int column, int y) =>
            new(column + 0.5, y + 0.5 + Fraction(Value(column, y), Value(column, y + 1)));

        private double Fraction(float a, float b)
        {
            var t = (level - (double)a) / ((double)b - a);
            return t > 0 ? Math.Min(t, 1) : 0; // NaN or infinite samples land on the nearer sample
        }
    }
}
