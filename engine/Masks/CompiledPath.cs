namespace RawEngine.Engine.Masks;

/// <summary>
/// A closed Bézier path filled by scanlines. The curves are flattened in view pixels, as finely as
/// their curvature needs (chord error under <see cref="Tolerance"/> px), and the edges are bucketed by
/// row. Each row finds where the edges cross its centre line (non-zero winding gives inside and
/// outside at pixel centres), then pixels within half the edge ramp of an edge take their coverage
/// from the distance to the nearest edge.
/// </summary>
internal sealed class CompiledPath : CompiledMask
{
    private const double Tolerance = 0.05;
    private const int MaxSteps = 4096;
    private const int BucketShift = 3;

    private readonly double[] _x0, _y0, _x1, _y1;
    private readonly int _firstBucket;
    private readonly int[] _bucketStarts;
    private readonly int[] _bucketEdges;
    private readonly EdgeProfile _edge;
    private readonly float _opacity;

    public CompiledPath(PathForm form, MaskView view, string what)
    {
        what = $"{what} path";
        FormChecks.Common(form, what);
        if (form.Nodes is null || form.Nodes.Count < 2) throw new ArgumentException($"{what} has {form.Nodes?.Count ?? 0} nodes; a closed path needs at least 2.");
        var toPixel = view.PixelToImage.Inverse();
        var pixelsPerUnit = 1 / Math.Sqrt(Math.Abs(view.PixelToIsotropic.Determinant));
        _edge = new EdgeProfile(form.Feather * pixelsPerUnit);
        _opacity = (float)form.Opacity;

        var points = new List<(double X, double Y)>();
        var count = form.Nodes.Count;
        for (var i = 0; i < count; i++)
        {
            var node = form.Nodes[i];
            var next = form.Nodes[(i + 1) % count];
            FormChecks.Finite(node.Anchor, $"{what} node {i} anchor");
            FormChecks.Finite(node.ControlIn, $"{what} node {i} control in");
            FormChecks.Finite(node.ControlOut, $"{what} node {i} control out");
            Flatten(toPixel.Apply(node.Anchor.X, node.Anchor.Y), toPixel.Apply(node.ControlOut.X, node.ControlOut.Y),
                toPixel.Apply(next.ControlIn.X, next.ControlIn.Y), toPixel.Apply(next.Anchor.X, next.Anchor.Y), points);
        }

        var edges = points.Count;
        (_x0, _y0, _x1, _y1) = (new double[edges], new double[edges], new double[edges], new double[edges]);
        for (var e = 0; e < edges; e++)
            ((_x0[e], _y0[e]), (_x1[e], _y1[e])) = (points[e], points[(e + 1) % edges]);

        // Rows an edge touches (its crossings and its anti-aliasing band), limited to the view.
        var reach = _edge.HalfWidth;
        var firstRow = view.Top;
        var lastRow = view.Top + view.Height - 1;
        _firstBucket = firstRow >> BucketShift;
        var buckets = (lastRow >> BucketShift) - _firstBucket + 1;
        _bucketStarts = new int[buckets + 1];
        for (var pass = 0; pass < 2; pass++)
        {
            var fill = pass == 1 ? (int[])_bucketStarts.Clone() : null;
            if (pass == 1) _bucketEdges = new int[_bucketStarts[buckets]];
            for (var e = 0; e < edges; e++)
            {
                if (!RowSpan(e, reach, firstRow, lastRow, out var b0, out var b1)) continue;
                for (var b = b0; b <= b1; b++)
                    if (fill is null) _bucketStarts[b + 1]++;
                    else _bucketEdges![fill[b]++] = e;
            }
            if (pass == 0)
                for (var b = 0; b < buckets; b++) _bucketStarts[b + 1] += _bucketStarts[b];
        }
        _bucketEdges ??= [];
    }

    private bool RowSpan(int e, double reach, int firstRow, int lastRow, out int firstBucket, out int lastBucket)
    {
        var row0 = Math.Max(firstRow, (int)Math.Ceiling(Math.Min(_y0[e], _y1[e]) - reach - 0.5));
        var row1 = Math.Min(lastRow, (int)Math.Floor(Math.Max(_y0[e], _y1[e]) + reach - 0.5));
        firstBucket = (row0 >> BucketShift) - _firstBucket;
        lastBucket = (row1 >> BucketShift) - _firstBucket;
        return row0 <= row1;
    }

    /// <summary>Appends the cubic's points after its start, in steps small enough for <see cref="Tolerance"/>.</summary>
    private static void Flatten((double X, double Y) p0, (double X, double Y) p1, (double X, double Y) p2, (double X, double Y) p3, List<(double X, double Y)> points)
    {
        // A cubic split into n equal steps strays at most max|B''| / (8 n^2) from its chords, max|B''| <= 6 max|second differences|.
        var d1 = Math.Sqrt(Square(p0.X - 2 * p1.X + p2.X) + Square(p0.Y - 2 * p1.Y + p2.Y));
        var d2 = Math.Sqrt(Square(p1.X - 2 * p2.X + p3.X) + Square(p1.Y - 2 * p2.Y + p3.Y));
        var steps = (int)Math.Clamp(Math.Ceiling(Math.Sqrt(0.75 * Math.Max(d1, d2) / Tolerance)), 1, MaxSteps);
        points.Add(p0);
        for (var k = 1; k < steps; k++)
        {
            var t = (double)k / steps;
            var s = 1 - t;
            var (a, b, c, d) = (s * s * s, 3 * s * s * t, 3 * s * t * t, t * t * t);
            points.Add((a * p0.X + b * p1.X + c * p2.X + d * p3.X, a * p0.Y + b * p1.Y + c * p2.Y + d * p3.Y));
        }
    }

    private static double Square(double v) => v * v;

    public override void RenderRow(int row, int left, Span<float> target, RowScratch scratch, int level)
    {
        target.Clear();
        if (_opacity == 0) return;
        var bucket = (row >> BucketShift) - _firstBucket;
        if (bucket < 0 || bucket >= _bucketStarts.Length - 1) return;
        var edges = _bucketEdges.AsSpan(_bucketStarts[bucket], _bucketStarts[bucket + 1] - _bucketStarts[bucket]);
        if (edges.IsEmpty) return;
        var y = row + 0.5;
        var right = left + target.Length;

        // Inside or outside at each pixel centre, by the non-zero winding rule.
        var (crossings, directions) = scratch.Crossings(edges.Length);
        var count = 0;
        foreach (var e in edges)
        {
            var (y0, y1) = (_y0[e], _y1[e]);
            int direction;
            if (y0 <= y && y < y1) direction = 1;
            else if (y1 <= y && y < y0) direction = -1;
            else continue;
            crossings[count] = _x0[e] + (y - y0) * (_x1[e] - _x0[e]) / (y1 - y0);
            directions[count++] = direction;
        }
        crossings.AsSpan(0, count).Sort(directions.AsSpan(0, count));
        var winding = 0;
        var spanStart = 0.0;
        for (var k = 0; k < count; k++)
        {
            var before = winding;
            winding += directions[k];
            if (before == 0 && winding != 0) spanStart = crossings[k];
            else if (before != 0 && winding == 0)
            {
                var i0 = Math.Max(left, (int)Math.Ceiling(spanStart - 0.5));
                var i1 = Math.Min(right, (int)Math.Ceiling(crossings[k] - 0.5));
                if (i1 > i0) target.Slice(i0 - left, i1 - i0).Fill(_opacity);
            }
        }

        // Pixels near an edge: coverage from the distance to the nearest one. The scratch distances are
        // infinite outside [nearStart, nearEnd) and put back so after use.
        var reach = _edge.HalfWidth;
        var distances = scratch.Distances[..target.Length];
        var (nearStart, nearEnd) = (right, left);
        var (low, high) = (y - reach, y + reach);
        foreach (var e in edges)
        {
            var (x0, y0, x1, y1) = (_x0[e], _y0[e], _x1[e], _y1[e]);
            if (Math.Max(y0, y1) < low || Math.Min(y0, y1) > high) continue;
            // The part of the edge within reach of this row, widened by the reach.
            double xa, xb;
            if (y1 == y0) (xa, xb) = (Math.Min(x0, x1), Math.Max(x0, x1));
            else
            {
                var ta = Math.Clamp((low - y0) / (y1 - y0), 0, 1);
                var tb = Math.Clamp((high - y0) / (y1 - y0), 0, 1);
                var (xta, xtb) = (x0 + ta * (x1 - x0), x0 + tb * (x1 - x0));
                (xa, xb) = (Math.Min(xta, xtb), Math.Max(xta, xtb));
            }
            var first = Math.Max(left, (int)Math.Ceiling(xa - reach - 0.5));
            var last = Math.Min(right - 1, (int)Math.Floor(xb + reach - 0.5));
            if (first > last) continue;
            (nearStart, nearEnd) = (Math.Min(nearStart, first), Math.Max(nearEnd, last + 1));
            var (dx, dy) = (x1 - x0, y1 - y0);
            var length2 = dx * dx + dy * dy;
            var py = y - y0;
            for (var i = first; i <= last; i++)
            {
                var px = i + 0.5 - x0;
                var t = length2 > 0 ? Math.Clamp((px * dx + py * dy) / length2, 0, 1) : 0;
                var (ex, ey) = (px - t * dx, py - t * dy);
                var distance = (float)Math.Sqrt(ex * ex + ey * ey);
                if (distance < distances[i - left]) distances[i - left] = distance;
            }
        }
        for (var i = nearStart - left; i < nearEnd - left; i++)
        {
            var distance = distances[i];
            if (distance < reach) target[i] = _edge.Coverage(target[i] != 0 ? distance : -distance) * _opacity;
        }
        if (nearEnd > nearStart) distances[(nearStart - left)..(nearEnd - left)].Fill(float.PositiveInfinity);
    }
}
