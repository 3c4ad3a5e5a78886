using System.Buffers;

namespace RawEngine.Engine.Masks.Vectorize;

/// <summary>
/// Fits one closed traced outline with cubic Bézier segments. Corners (<see cref="CornerFinder"/>) cut the
/// outline into runs; the pixel staircase is smoothed away between them; a straight run (a polygon's side)
/// becomes one line, and straight sides meeting at a corner are extended to where they cross, restoring
/// the tip that tracing rounds off; the thin end of a bar (a hairpin) gets a flat end; every other run is
/// fitted by <see cref="BezierFitter"/> with its own tangents at the corners, so they stay sharp. An
/// outline without corners is cut in two and fitted smoothly all round. Holds pooled buffers between
/// outlines; not thread-safe.
/// </summary>
internal sealed class OutlineFitter(VectorizeOptions options) : IDisposable
{
    private readonly CornerFinder _corners = new();
    private readonly BezierFitter _bezier = new(options.FitTolerance, options.CornerAngle / 2);
    private readonly List<int> _cornerIndices = [];
    private readonly List<Line?> _runLines = [];
    private readonly List<Join> _joins = [];
    private PlanePoint[] _run = [];
    private PlanePoint[] _smooth = [];

    /// <summary>
    /// Appends segments covering the closed polyline <paramref name="ring"/> to <paramref name="output"/>,
    /// each within the fit tolerance of the points it covers. The first segment starts where the last
    /// one ends.
    /// </summary>
    public void FitClosed(ReadOnlySpan<PlanePoint> ring, List<CubicSegment> output)
    {
        var n = ring.Length;
        EnsureCapacity(n + 1);
        _corners.Find(ring, options.CornerTolerance, options.CornerAngle, _cornerIndices);
        var traced = ring;
        ring = Smooth(ring);

        if (_cornerIndices.Count == 0)
        {
            // A smooth outline: cut it at vertex 0 and at the vertex farthest from it, and fit both halves
            // with the ring's own tangents at the cuts.
            var run = CopyRun(ring, 0, n);
            var far = 0;
            for (var i = 1; i < n; i++)
                if (ring[i].DistanceSquared(ring[0]) > ring[far].DistanceSquared(ring[0])) far = i;
            var startTangent = BezierFitter.CentreTangent(run, 0, wraps: true);
            var farTangent = BezierFitter.CentreTangent(run, far, wraps: true);
            _bezier.Fit(run[..(far + 1)], startTangent, -farTangent, output);
            _bezier.Fit(CopyRun(ring, far, n - far), farTangent, -startTangent, output);
            return;
        }

        // Runs between corners: a straight one (a polygon's side) becomes one line, and where two straight
        // runs meet, the corner moves to where their lines cross, restoring the tip that tracing rounds off.
        var corners = _cornerIndices.Count;
        _runLines.Clear();
        for (var k = 0; k < corners; k++)
            _runLines.Add(StraightLine(traced, ring, _cornerIndices[k], RunLength(k, n), options.FitTolerance));
        _joins.Clear();
        for (var k = 0; k < corners; k++) _joins.Add(CornerJoin(traced, k));

        for (var k = 0; k < corners; k++)
        {
            var join = _joins[k];
            var next = _joins[(k + 1) % corners];
            if (join.Arrive != join.Leave) output.Add(CubicSegment.Straight(join.Arrive, join.Leave));
            if (_runLines[k] is not null)
            {
                output.Add(CubicSegment.Straight(join.Leave, next.Arrive));
                continue;
            }
            // Next to a hairpin the run starts (ends) on the side's line, past the vertices of the rounded tip.
            var run = CopyRun(ring, _cornerIndices[k], RunLength(k, n));
            var skipStart = join.LeaveSide is { } leaveSide ? OffLine(run, leaveSide, options.FitTolerance, +1) : 0;
            var skipEnd = next.ArriveSide is { } arriveSide ? OffLine(run, arriveSide, options.FitTolerance, -1) : 0;
            if (skipStart + skipEnd > run.Length - 2) skipStart = skipEnd = 0;
            run = run[skipStart..(run.Length - skipEnd)];
            run[0] = join.Leave;
            run[^1] = next.Arrive;
            var startTangent = join.LeaveSide?.Direction ?? EndTangent(run, fromStart: true);
            var endTangent = next.ArriveSide?.Direction ?? EndTangent(run, fromStart: false);
            _bezier.Fit(run, startTangent, endTangent, output);
        }
    }

    /// <summary>
    /// How many vertices from the start (<paramref name="step"/> +1) or end (-1) of the run lie farther
    /// than the tolerance from <paramref name="side"/>: the rounded tip before the run settles on its side.
    /// At most half the run.
    /// </summary>
    private static int OffLine(ReadOnlySpan<PlanePoint> run, Line side, double tolerance, int step)
    {
        var count = 0;
        for (var i = step > 0 ? 0 : run.Length - 1; count < run.Length / 2; i += step, count++)
            if (Math.Abs(side.Direction.Cross(run[i] - side.Through)) <= tolerance) break;
        return count;
    }

    /// <summary>
    /// A copy of the ring with each vertex but the corners averaged with its neighbours (1-2-1) a few
    /// times: this flattens the pixel staircase a hard-edged mask traces to (which would otherwise cost a
    /// segment per step at sub-pixel tolerances) and moves a smooth outline by far less than a pixel
    /// (about 3 / (4 R) for radius R in pixels).
    /// </summary>
    private ReadOnlySpan<PlanePoint> Smooth(ReadOnlySpan<PlanePoint> ring)
    {
        var n = ring.Length;
        if (n < MinimumVerticesToSmooth) return ring;
        var smooth = _smooth.AsSpan(0, n);
        ring.CopyTo(smooth);
        for (var pass = 0; pass < SmoothingPasses; pass++)
        {
            var first = smooth[0];
            var previous = smooth[n - 1];
            var nextCorner = 0;
            for (var i = 0; i < n; i++)
            {
                var current = smooth[i];
                var next = i + 1 < n ? smooth[i + 1] : first;
                if (nextCorner < _cornerIndices.Count && _cornerIndices[nextCorner] == i) nextCorner++;
                else smooth[i] = (previous + current * 2 + next) * 0.25;
                previous = current;
            }
        }
        return smooth;
    }

    private const int SmoothingPasses = 3;

    /// <summary>Rings shorter than this (a few pixels across) would shrink visibly; they are fitted as traced.</summary>
    private const int MinimumVerticesToSmooth = 40;

    private int RunLength(int k, int n)
    {
        var from = _cornerIndices[k];
        var to = k + 1 < _cornerIndices.Count ? _cornerIndices[k + 1] : _cornerIndices[0] + n;
        return to - from;
    }

    /// <summary>
    /// The line through the run of <paramref name="length"/> steps from vertex <paramref name="from"/> if it
    /// goes straight there: every vertex away from its two ends within the tolerance of the line, and no
    /// doubling back (the run no longer than its chord, give or take). Vertices within
    /// <see cref="CapRadius"/> of a corner are left out (tracing rounds a sharp corner off). The line is
    /// fitted to the traced vertices, which a pixel staircase leaves unbiased, and straightness is judged
    /// on the smoothed ones, which it leaves flatter.
    /// </summary>
    private static Line? StraightLine(ReadOnlySpan<PlanePoint> traced, ReadOnlySpan<PlanePoint> smoothed, int from, int length, double tolerance)
    {
        var n = traced.Length;
        var first = traced[from % n];
        var last = traced[(from + length) % n];
        var chordSquared = first.DistanceSquared(last);
        if (chordSquared < 1) return null;
        var capSquared = CapRadius * CapRadius;
        bool InCap(PlanePoint p) => p.DistanceSquared(first) <= capSquared || p.DistanceSquared(last) <= capSquared;

        var inner = new LineAccumulator();
        var travelled = 0.0;
        for (var i = 1; i <= length; i++)
        {
            travelled += (smoothed[(from + i) % n] - smoothed[(from + i - 1) % n]).Length;
            if (i < length && !InCap(traced[(from + i) % n])) inner.Add(traced[(from + i) % n]);
        }
        if (travelled > MaxStraightDetour * Math.Sqrt(chordSquared) + 2 * CapRadius) return null;
        var line = inner.Count >= 2 ? new Line(inner.Centroid, inner.Axis()) : new Line(first, (last - first).Normalized(), Refines: false);

        var toleranceSquared = tolerance * tolerance;
        for (var i = 1; i < length; i++)
        {
            if (inner.Count >= 2 && InCap(traced[(from + i) % n])) continue;
            var off = line.Direction.Cross(smoothed[(from + i) % n] - line.Through);
            if (off * off > toleranceSquared) return null;
        }
        return line;
    }

    /// <summary>How much longer than its chord a straight run may be (what is left of a staircase).</summary>
    private const double MaxStraightDetour = 1.2;

    /// <summary>
    /// How the runs either side of corner <paramref name="k"/> meet. Two straight runs meet where their
    /// lines cross, if near the traced corner. At a hairpin (both sides leave the tip the same way: the
    /// end of a thin bar, a very acute tip) each side ends at the traced corner's foot on its line, a
    /// short flat end joins them, and a curved side starts along its line (the <c>Side</c> lines, directed
    /// away from the corner). Otherwise both runs meet at the traced corner.
    /// </summary>
    private Join CornerJoin(ReadOnlySpan<PlanePoint> traced, int k)
    {
        var corners = _cornerIndices.Count;
        var previous = (k + corners - 1) % corners;
        var index = _cornerIndices[k];
        var corner = traced[index];
        Line? before = _runLines[previous] is { Refines: true } b ? b : null;
        Line? after = _runLines[k] is { Refines: true } a ? a : null;
        if (before is { } straightBefore && after is { } straightAfter)
        {
            var denominator = straightBefore.Direction.Cross(straightAfter.Direction);
            if (Math.Abs(denominator) > 1e-9)
            {
                var along = (straightAfter.Through - straightBefore.Through).Cross(straightAfter.Direction) / denominator;
                var crossing = straightBefore.Through + straightBefore.Direction * along;
                if (crossing.DistanceSquared(corner) <= MaxCornerShift * MaxCornerShift) return new Join(crossing, crossing, null, null);
            }
        }

        var sideBefore = before ?? SideLine(traced, index, -1, RunLength(previous, traced.Length));
        var sideAfter = after ?? SideLine(traced, index, +1, RunLength(k, traced.Length));
        if (sideBefore is not { } p || sideAfter is not { } q) return new Join(corner, corner, null, null);
        var backward = Away(p, corner);
        var forward = Away(q, corner);
        if (before is null || after is null)
            if (backward.Direction.Dot(forward.Direction) < HairpinCos) return new Join(corner, corner, null, null);
        return new Join(Foot(corner, p), Foot(corner, q), before is null ? backward : null, after is null ? forward : null);
    }

    /// <summary>The line with its direction turned to point from <paramref name="corner"/> towards its points.</summary>
    private static Line Away(Line line, PlanePoint corner) =>
        line.Direction.Dot(line.Through - corner) >= 0 ? line : line with { Direction = -line.Direction };

    /// <summary>
    /// The line of the side leaving vertex <paramref name="index"/> (<paramref name="step"/> +1 forward,
    /// -1 backward): the principal axis of the vertices between <see cref="CapRadius"/> and
    /// <see cref="SideReach"/> pixels along it, within <paramref name="steps"/> vertices; null if too few.
    /// </summary>
    private static Line? SideLine(ReadOnlySpan<PlanePoint> ring, int index, int step, int steps)
    {
        var n = ring.Length;
        var corner = ring[index];
        var side = new LineAccumulator();
        var travelled = 0.0;
        var previous = corner;
        for (var k = 1; k < steps / 2; k++)
        {
            var point = ring[((index + step * k) % n + n) % n];
            travelled += (point - previous).Length;
            previous = point;
            if (travelled > SideReach) break;
            if (travelled >= CapRadius) side.Add(point);
        }
        return side.Count >= 3 ? new Line(side.Centroid, side.Axis()) : null;
    }

    /// <summary>How far along a curved side its line near a hairpin is measured, in pixels.</summary>
    private const double SideReach = 8;

    /// <summary>Sides leaving a corner within 60 degrees of each other make a hairpin.</summary>
    private static readonly double HairpinCos = Math.Cos(Math.PI / 3);

    /// <summary>Where the run before a corner ends, where the run after it starts, and the side lines next to a hairpin.</summary>
    private readonly record struct Join(PlanePoint Arrive, PlanePoint Leave, Line? ArriveSide, Line? LeaveSide);

    private static PlanePoint Foot(PlanePoint point, Line line) => line.Through + line.Direction * line.Direction.Dot(point - line.Through);

    /// <summary>How far from a corner tracing bends the outline (more for acute tips), in pixels.</summary>
    private const double CapRadius = 1.5;

    /// <summary>The farthest a corner moves to the crossing of its straight sides, in pixels.</summary>
    private const double MaxCornerShift = 4;

    /// <summary>A fitted line: a point on it and its unit direction; <c>Refines</c> if it came from the run's own points.</summary>
    private readonly record struct Line(PlanePoint Through, PlanePoint Direction, bool Refines = true);

    /// <summary>Copies ring points from..from+length (wrapping) plus the closing point into the run buffer.</summary>
    private Span<PlanePoint> CopyRun(ReadOnlySpan<PlanePoint> ring, int from, int length)
    {
        var n = ring.Length;
        for (var i = 0; i <= length; i++) _run[i] = ring[(from + i) % n];
        return _run.AsSpan(0, length + 1);
    }

    private void EnsureCapacity(int count)
    {
        if (_run.Length >= count) return;
        ReturnBuffers();
        _run = ArrayPool<PlanePoint>.Shared.Rent(count);
        _smooth = ArrayPool<PlanePoint>.Shared.Rent(count);
    }

    public void Dispose()
    {
        ReturnBuffers();
        _bezier.Dispose();
    }

    private void ReturnBuffers()
    {
        if (_run.Length > 0) ArrayPool<PlanePoint>.Shared.Return(_run);
        if (_smooth.Length > 0) ArrayPool<PlanePoint>.Shared.Return(_smooth);
        _run = [];
        _smooth = [];
    }

    /// <summary>
    /// The unit tangent along the run at its first point (pointing into the run) or its last point
    /// (pointing back into it), from the points a little way in (<see cref="OutlineDirection"/>).
    /// </summary>
    private static PlanePoint EndTangent(ReadOnlySpan<PlanePoint> points, bool fromStart)
    {
        var chord = (fromStart ? points[^1] - points[0] : points[0] - points[^1]).Normalized();
        var reach = Math.Min(OutlineDirection.Reach, ArcLength(points) / 3);
        var tangent = fromStart
            ? OutlineDirection.Away(points, 0, +1, points.Length - 2, reach)
            : OutlineDirection.Away(points, points.Length - 1, -1, points.Length - 2, reach);
        return tangent != default && tangent.Dot(chord) > -0.5 ? tangent : chord;
    }

    private static double ArcLength(ReadOnlySpan<PlanePoint> points)
    {
        var length = 0.0;
        for (var i = 1; i < points.Length; i++) length += (points[i] - points[i - 1]).Length;
        return length;
    }
}
