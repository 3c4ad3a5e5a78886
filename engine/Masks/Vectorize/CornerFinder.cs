namespace RawEngine.Engine.Masks.Vectorize;

/// <summary>
/// Finds the corners of a closed polyline: Ramer–Douglas–Peucker simplification to a pixel tolerance
/// keeps the vertices where the outline really turns (the candidates), and a candidate where the outline's
/// direction just before and just after it differ by at least the corner angle is a corner.
/// </summary>
internal sealed class CornerFinder
{
    private readonly Stack<(int First, int Last)> _pending = new();
    private readonly List<int> _kept = [];

    /// <summary>Writes the indices of the corners of the closed polyline, in order, into <paramref name="corners"/>.</summary>
    public void Find(ReadOnlySpan<PlanePoint> ring, double tolerance, double cornerAngleDegrees, List<int> corners)
    {
        corners.Clear();
        var n = ring.Length;
        if (n < 3) return;
        Simplify(ring, tolerance);
        if (_kept.Count < 3) return;

        // A kept vertex is a corner where the outline turns sharply right there: the directions in and out
        // are measured over a few pixels either side, so a small circle (whose simplified polygon turns
        // as much) stays smooth while a polygon's vertex does not.
        var minimumCos = Math.Cos(cornerAngleDegrees * Math.PI / 180);
        for (var k = 0; k < _kept.Count; k++)
        {
            var index = _kept[k];
            var maxSteps = (n - 1) / 2;
            var back = OutlineDirection.Away(ring, index, -1, maxSteps);
            var ahead = OutlineDirection.Away(ring, index, +1, maxSteps);
            if (back == default || ahead == default) continue;
            // Incoming direction is -back; the turn is the angle between it and the outgoing one.
            if ((-back).Dot(ahead) <= minimumCos) corners.Add(index);
        }
    }

    /// <summary>
    /// Closed RDP: the ring is cut at vertex 0 and the vertex farthest from it, and each half is simplified
    /// as an open chain. Fills <see cref="_kept"/> with the kept indices in ring order.
    /// </summary>
    private void Simplify(ReadOnlySpan<PlanePoint> ring, double tolerance)
    {
        var n = ring.Length;
        var far = 0;
        var farthest = -1.0;
        for (var i = 1; i < n; i++)
        {
            var d = ring[i].DistanceSquared(ring[0]);
            if (d > farthest) { farthest = d; far = i; }
        }

        _kept.Clear();
        _kept.Add(0);
        SimplifyChain(ring, 0, far, tolerance);
        _kept.Add(far);
        SimplifyChain(ring, far, n, tolerance);
        _kept.Sort();
    }

    /// <summary>Adds the kept vertices strictly between <paramref name="first"/> and <paramref name="last"/> (index n means 0).</summary>
    private void SimplifyChain(ReadOnlySpan<PlanePoint> ring, int first, int last, double tolerance)
    {
        var n = ring.Length;
        var toleranceSquared = tolerance * tolerance;
        _pending.Clear();
        _pending.Push((first, last));
        while (_pending.Count > 0)
        {
            var (a, b) = _pending.Pop();
            if (b - a < 2) continue;
            var start = ring[a];
            var chord = ring[b % n] - start;
            var chordSquared = chord.Dot(chord);
            var worst = -1;
            var worstDistance = toleranceSquared;
            for (var i = a + 1; i < b; i++)
            {
                var offset = ring[i] - start;
                double distanceSquared;
                if (chordSquared < 1e-12) distanceSquared = offset.Dot(offset);
                else
                {
                    var cross = chord.Cross(offset);
                    distanceSquared = cross * cross / chordSquared;
                }
                if (distanceSquared > worstDistance) { worstDistance = distanceSquared; worst = i; }
            }
            if (worst < 0) continue;
            _kept.Add(worst);
            _pending.Push((a, worst));
            _pending.Push((worst, b));
        }
    }
}
