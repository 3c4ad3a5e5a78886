using System.Buffers;

namespace RawEngine.Engine.Masks.Vectorize;

/// <summary>
/// Fits cubic Bézier segments to a closed polyline (Schneider, "An algorithm for automatically fitting
/// digitized curves", Graphics Gems 1990): least squares for the control-point distances along fixed end
/// tangents, Newton–Raphson reparameterisation, and a split at the worst point while the error exceeds the
/// tolerance. Splits share one tangent, so the outline stays smooth (G1) there; at corners each side gets
/// its own tangent and the corner stays sharp.
/// </summary>
internal sealed class BezierFitter : IDisposable
{
    private const int ReparameterisePasses = 4;

    private readonly CornerFinder _corners = new();
    private readonly List<int> _cornerIndices = [];
    private readonly List<Line?> _runLines = [];
    private readonly List<PlanePoint> _anchors = [];
    private PlanePoint[] _run = [];
    private PlanePoint[] _smooth = [];
    private double[] _parameters = [];
    private double _splitCornerCos;

    /// <summary>
    /// Appends segments covering the closed polyline <paramref name="ring"/> to <paramref name="output"/>,
    /// each within <paramref name="tolerance"/> pixels of the points it covers. The first segment starts
    /// where the last one ends.
    /// </summary>
    public void FitClosed(ReadOnlySpan<PlanePoint> ring, double tolerance, double cornerTolerance, double cornerAngleDegrees,
                          List<CubicSegment> output)
    {
        var n = ring.Length;
        EnsureCapacity(n + 1);
        _splitCornerCos = Math.Cos(cornerAngleDegrees / 2 * Math.PI / 180);
        _corners.Find(ring, cornerTolerance, cornerAngleDegrees, _cornerIndices);
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
            var startTangent = CentreTangent(run, 0, wraps: true);
            var farTangent = CentreTangent(run, far, wraps: true);
            FitRun(run[..(far + 1)], startTangent, -farTangent, tolerance, output);
            FitRun(CopyRun(ring, far, n - far), farTangent, -startTangent, tolerance, output);
            return;
        }

        // Runs between corners: a straight one (a polygon's side) becomes one line, and where two straight
        // runs meet, the corner moves to where their lines cross, restoring the tip that tracing rounds off.
        var corners = _cornerIndices.Count;
        _runLines.Clear();
        for (var k = 0; k < corners; k++)
            _runLines.Add(StraightLine(traced, ring, _cornerIndices[k], RunLength(k, n), tolerance));
        _anchors.Clear();
        for (var k = 0; k < corners; k++)
            _anchors.Add(SharpCorner(ring[_cornerIndices[k]], _runLines[(k + corners - 1) % corners], _runLines[k]));

        for (var k = 0; k < corners; k++)
        {
            var start = _anchors[k];
            var end = _anchors[(k + 1) % corners];
            if (_runLines[k] is not null)
            {
                var third = (end - start) * (1.0 / 3);
                output.Add(new CubicSegment(start, start + third, end - third, end));
                continue;
            }
            var run = CopyRun(ring, _cornerIndices[k], RunLength(k, n));
            run[0] = start;
            run[^1] = end;
            FitRun(run, EndTangent(run, fromStart: true), EndTangent(run, fromStart: false), tolerance, output);
        }
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
    /// The line through the run of <paramref name="length"/> steps from vertex <paramref name="from"/> if
    /// every vertex away from its two ends lies within half the tolerance of it, else null. Vertices within
    /// <see cref="CapRadius"/> of a corner are left out (tracing rounds a sharp corner off). The line is
    /// fitted to the traced vertices, which a pixel staircase leaves unbiased, and straightness is judged
    /// on the smoothed ones, which it leaves flat. (Half the tolerance, so that a sliver a pixel wide is not
    /// flattened into a line of no width.)
    /// </summary>
    private static Line? StraightLine(ReadOnlySpan<PlanePoint> traced, ReadOnlySpan<PlanePoint> smoothed, int from, int length, double tolerance)
    {
        var n = traced.Length;
        var first = traced[from % n];
        var last = traced[(from + length) % n];
        if (first.DistanceSquared(last) < 1) return null;
        var capSquared = CapRadius * CapRadius;
        bool InCap(PlanePoint p) => p.DistanceSquared(first) <= capSquared || p.DistanceSquared(last) <= capSquared;

        var inner = new LineAccumulator();
        for (var i = 1; i < length; i++)
            if (!InCap(traced[(from + i) % n])) inner.Add(traced[(from + i) % n]);
        var line = inner.Count >= 2 ? new Line(inner.Centroid, inner.Axis()) : new Line(first, (last - first).Normalized(), Refines: false);

        var limitSquared = tolerance * tolerance / 4;
        for (var i = 1; i < length; i++)
        {
            if (inner.Count >= 2 && InCap(traced[(from + i) % n])) continue;
            var off = line.Direction.Cross(smoothed[(from + i) % n] - line.Through);
            if (off * off > limitSquared) return null;
        }
        return line;
    }

    /// <summary>
    /// The corner between two runs: where their lines cross if both are straight and the crossing lies near
    /// the traced corner (a very acute tip is left as traced), else the traced corner itself.
    /// </summary>
    private static PlanePoint SharpCorner(PlanePoint traced, Line? before, Line? after)
    {
        if (before is not { Refines: true } a || after is not { Refines: true } b) return traced;
        var denominator = a.Direction.Cross(b.Direction);
        if (Math.Abs(denominator) < 1e-9) return traced;
        var along = (b.Through - a.Through).Cross(b.Direction) / denominator;
        var crossing = a.Through + a.Direction * along;
        return crossing.DistanceSquared(traced) <= MaxCornerShift * MaxCornerShift ? crossing : traced;
    }

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
        _parameters = ArrayPool<double>.Shared.Rent(count);
    }

    public void Dispose() => ReturnBuffers();

    private void ReturnBuffers()
    {
        if (_run.Length > 0) ArrayPool<PlanePoint>.Shared.Return(_run);
        if (_smooth.Length > 0) ArrayPool<PlanePoint>.Shared.Return(_smooth);
        if (_parameters.Length > 0) ArrayPool<double>.Shared.Return(_parameters);
        _run = [];
        _smooth = [];
        _parameters = [];
    }

    /// <summary>
    /// Fits points[0..^1] with the curve leaving the first point along <paramref name="startTangent"/> and
    /// arriving at the last point from <paramref name="endTangent"/> (which points back into the curve).
    /// </summary>
    private void FitRun(Span<PlanePoint> points, PlanePoint startTangent, PlanePoint endTangent, double tolerance, List<CubicSegment> output)
    {
        var first = points[0];
        var last = points[^1];
        if (points.Length == 2)
        {
            var third = (last - first) * (1.0 / 3);
            output.Add(new CubicSegment(first, first + third, last - third, last));
            return;
        }

        var parameters = _parameters.AsSpan(0, points.Length);
        var arcLength = ChordLengthParameters(points, parameters);
        var segment = LeastSquares(points, parameters, startTangent, endTangent, arcLength);
        var toleranceSquared = tolerance * tolerance;
        var (error, split) = MaxError(points, parameters, segment);
        if (error > toleranceSquared && error < 16 * toleranceSquared)
        {
            for (var pass = 0; pass < ReparameterisePasses && error > toleranceSquared; pass++)
            {
                Reparameterise(points, parameters, segment);
                segment = LeastSquares(points, parameters, startTangent, endTangent, arcLength);
                (error, split) = MaxError(points, parameters, segment);
            }
        }
        if (error <= toleranceSquared)
        {
            output.Add(segment);
            return;
        }

        // A split where the outline bends sharply (a corner milder than the corner angle, which a smooth
        // joint would round off with many short segments) keeps its two one-sided tangents.
        var before = OutlineDirection.Away(points, split, -1, split);
        var after = OutlineDirection.Away(points, split, +1, points.Length - 1 - split);
        if (before != default && after != default && (-before).Dot(after) <= _splitCornerCos)
        {
            FitRun(points[..(split + 1)], startTangent, before, tolerance, output);
            FitRun(points[split..], after, endTangent, tolerance, output);
            return;
        }
        var splitTangent = CentreTangent(points, split, wraps: false);
        FitRun(points[..(split + 1)], startTangent, -splitTangent, tolerance, output);
        FitRun(points[split..], splitTangent, endTangent, tolerance, output);
    }

    /// <summary>Parameters proportional to the distance travelled along the points; returns the arc length.</summary>
    private static double ChordLengthParameters(ReadOnlySpan<PlanePoint> points, Span<double> parameters)
    {
        parameters[0] = 0;
        for (var i = 1; i < points.Length; i++) parameters[i] = parameters[i - 1] + (points[i] - points[i - 1]).Length;
        var total = parameters[^1];
        if (total <= 0)
        {
            for (var i = 1; i < points.Length; i++) parameters[i] = (double)i / (points.Length - 1);
            return 0;
        }
        for (var i = 1; i < points.Length; i++) parameters[i] /= total;
        return total;
    }

    /// <summary>
    /// The control points along the fixed tangents that minimise the squared distance of the points from
    /// the curve at their parameters. Degenerate or runaway solutions (handles reaching further than the
    /// points travel) fall back to a third of the chord.
    /// </summary>
    private static CubicSegment LeastSquares(ReadOnlySpan<PlanePoint> points, ReadOnlySpan<double> parameters,
                                             PlanePoint startTangent, PlanePoint endTangent, double arcLength)
    {
        var first = points[0];
        var last = points[^1];
        double c00 = 0, c01 = 0, c11 = 0, x0 = 0, x1 = 0;
        for (var i = 0; i < points.Length; i++)
        {
            var t = parameters[i];
            var s = 1 - t;
            double b0 = s * s * s, b1 = 3 * s * s * t, b2 = 3 * s * t * t, b3 = t * t * t;
            var a1 = startTangent * b1;
            var a2 = endTangent * b2;
            c00 += a1.Dot(a1);
            c01 += a1.Dot(a2);
            c11 += a2.Dot(a2);
            var rest = points[i] - (first * (b0 + b1) + last * (b2 + b3));
            x0 += a1.Dot(rest);
            x1 += a2.Dot(rest);
        }

        var chord = (last - first).Length;
        var determinant = c00 * c11 - c01 * c01;
        double alphaStart = 0, alphaEnd = 0;
        if (Math.Abs(determinant) > 1e-12)
        {
            alphaStart = (x0 * c11 - x1 * c01) / determinant;
            alphaEnd = (c00 * x1 - c01 * x0) / determinant;
        }
        var epsilon = 1e-6 * chord;
        if (!(alphaStart > epsilon && alphaEnd > epsilon && alphaStart < arcLength && alphaEnd < arcLength))
            alphaStart = alphaEnd = chord / 3;
        return new CubicSegment(first, first + startTangent * alphaStart, last + endTangent * alphaEnd, last);
    }

    /// <summary>The largest squared distance of an interior point from its place on the curve, and its index.</summary>
    private static (double Error, int Index) MaxError(ReadOnlySpan<PlanePoint> points, ReadOnlySpan<double> parameters, in CubicSegment segment)
    {
        var worst = 0.0;
        var index = points.Length / 2;
        for (var i = 1; i < points.Length - 1; i++)
        {
            var d = segment.At(parameters[i]).DistanceSquared(points[i]);
            if (d > worst) { worst = d; index = i; }
        }
        return (worst, index);
    }

    /// <summary>One Newton–Raphson step per point towards the parameter of its nearest point on the curve.</summary>
    private static void Reparameterise(ReadOnlySpan<PlanePoint> points, Span<double> parameters, in CubicSegment segment)
    {
        for (var i = 1; i < points.Length - 1; i++)
        {
            var t = parameters[i];
            var offset = segment.At(t) - points[i];
            var d1 = segment.FirstDerivative(t);
            var d2 = segment.SecondDerivative(t);
            var denominator = d1.Dot(d1) + offset.Dot(d2);
            if (Math.Abs(denominator) < 1e-12) continue;
            parameters[i] = Math.Clamp(t - offset.Dot(d1) / denominator, 0, 1);
        }
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

    /// <summary>
    /// The unit tangent at point <paramref name="index"/> pointing forward along the run, from the points
    /// symmetrically around it within the tangent reach (wrapping round when the run is a closed ring).
    /// </summary>
    private static PlanePoint CentreTangent(ReadOnlySpan<PlanePoint> points, int index, bool wraps)
    {
        // A closed ring copied as a run repeats its first point at the end.
        var n = wraps ? points.Length - 1 : points.Length;
        var sum = default(PlanePoint);
        var reachSquared = TangentReach * TangentReach;
        for (var k = 1; k < n / 2; k++)
        {
            int ahead = index + k, behind = index - k;
            if (wraps) { ahead %= n; behind = (behind + n) % n; }
            else if (behind < 0 || ahead >= n) break;
            sum += points[ahead] - points[behind];
            if (points[ahead].DistanceSquared(points[index]) >= reachSquared) break;
        }
        var tangent = sum.Normalized();
        if (tangent != default) return tangent;
        var next = points[Math.Min(index + 1, points.Length - 1)];
        var before = points[Math.Max(index - 1, 0)];
        return (next - before).Normalized();
    }

    private const double TangentReach = 2.5;

    private static double ArcLength(ReadOnlySpan<PlanePoint> points)
    {
        var length = 0.0;
        for (var i = 1; i < points.Length; i++) length += (points[i] - points[i - 1]).Length;
        return length;
    }
}
