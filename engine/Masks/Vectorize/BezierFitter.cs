using System.Buffers;

namespace RawEngine.Engine.Masks.Vectorize;

/// <summary>
/// Fits cubic Bézier segments to an open run of points between fixed end tangents (Schneider, "An
/// algorithm for automatically fitting digitized curves", Graphics Gems 1990): least squares for the
/// control-point distances along the tangents, Newton–Raphson reparameterisation, and a split at the worst
/// point while the error exceeds the tolerance. A split shares one tangent, so the curve stays smooth (G1)
/// there, unless the points bend sharply there: then each side keeps its own tangent.
/// </summary>
internal sealed class BezierFitter(double tolerance, double splitCornerDegrees) : IDisposable
{
    private const int ReparameterisePasses = 4;

    private readonly double _toleranceSquared = tolerance * tolerance;
    private readonly double _splitCornerCos = Math.Cos(splitCornerDegrees * Math.PI / 180);
    private double[] _parameters = [];

    public void Dispose()
    {
        if (_parameters.Length > 0) ArrayPool<double>.Shared.Return(_parameters);
        _parameters = [];
    }

    /// <summary>
    /// Appends segments from the first point to the last, leaving the first along
    /// <paramref name="startTangent"/> and arriving at the last from <paramref name="endTangent"/> (which
    /// points back into the curve), each within the tolerance of the points it covers.
    /// </summary>
    public void Fit(Span<PlanePoint> points, PlanePoint startTangent, PlanePoint endTangent, List<CubicSegment> output)
    {
        if (_parameters.Length < points.Length)
        {
            Dispose();
            _parameters = ArrayPool<double>.Shared.Rent(points.Length);
        }
        FitRun(points, startTangent, endTangent, output);
    }

    private void FitRun(Span<PlanePoint> points, PlanePoint startTangent, PlanePoint endTangent, List<CubicSegment> output)
    {
        var first = points[0];
        var last = points[^1];
        if (points.Length == 2)
        {
            output.Add(CubicSegment.Straight(first, last));
            return;
        }

        var parameters = _parameters.AsSpan(0, points.Length);
        var arcLength = ChordLengthParameters(points, parameters);
        var segment = LeastSquares(points, parameters, startTangent, endTangent, arcLength);
        var (error, split) = MaxError(points, parameters, segment);
        if (error > _toleranceSquared && error < 16 * _toleranceSquared)
        {
            for (var pass = 0; pass < ReparameterisePasses && error > _toleranceSquared; pass++)
            {
                Reparameterise(points, parameters, segment);
                segment = LeastSquares(points, parameters, startTangent, endTangent, arcLength);
                (error, split) = MaxError(points, parameters, segment);
            }
        }
        if (error <= _toleranceSquared)
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
            FitRun(points[..(split + 1)], startTangent, before, output);
            FitRun(points[split..], after, endTangent, output);
            return;
        }
        var splitTangent = CentreTangent(points, split, wraps: false);
        FitRun(points[..(split + 1)], startTangent, -splitTangent, output);
        FitRun(points[split..], splitTangent, endTangent, output);
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
    /// The unit tangent at point <paramref name="index"/> pointing forward along the run, from the points
    /// symmetrically around it within a couple of pixels (wrapping round when the run is a closed ring
    /// copied with its first point repeated at the end).
    /// </summary>
    public static PlanePoint CentreTangent(ReadOnlySpan<PlanePoint> points, int index, bool wraps)
    {
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
}
