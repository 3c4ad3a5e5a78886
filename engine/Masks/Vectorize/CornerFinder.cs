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
    private readonly List<(double Cos, int Index)> _sharp = [];
    private readonly Dictionary<int, double> _keptTurns = [];

    /// <summary>Writes the indices of the corners of the closed polyline, in order, into <paramref name="corners"/>.</summary>
    public void Find(ReadOnlySpan<PlanePoint> ring, double tolerance, double cornerAngleDegrees, List<int> corners)
    {
        corners.Clear();
        var n = ring.Length;
        if (n < 3) return;
        Simplify(ring, tolerance);
        if (_kept.Count < 3) return;

        // A kept vertex marks a corner where the outline turns sharply right there: the directions in and
        // out are measured over a few pixels either side, so a small circle (whose simplified polygon turns
        // as much) stays smooth while a polygon's vertex does not. Simplification keeps a vertex near the
        // corner, not always on it, so the sharpest turn among its neighbours is taken.
        var minimumCos = Math.Cos(cornerAngleDegrees * Math.PI / 180);
        var maxSteps = (n - 1) / 2;
        _sharp.Clear();
        foreach (var candidate in _kept)
        {
            var best = -1;
            var bestCos = minimumCos;
            for (var offset = -SearchSteps; offset <= SearchSteps; offset++)
            {
                var index = ((candidate + offset) % n + n) % n;
                var back = OutlineDirection.Away(ring, index, -1, maxSteps);
                var ahead = OutlineDirection.Away(ring, index, +1, maxSteps);
                if (back == default || ahead == default) continue;
                // The incoming direction is -back; the turn is the angle between it and the outgoing one.
                var cos = (-back).Dot(ahead);
                if (cos <= bestCos) { bestCos = cos; best = index; }
            }
            if (best >= 0) _sharp.Add((bestCos, best));
        }

        // Sharpest first. A corner near a sharper one is the same corner found twice, unless the outline
        // turns clearly more across the pair than at either alone (the two ends of a thin bar).
        _sharp.Sort();
        _keptTurns.Clear();
        var spacingSquared = CornerSpacing * CornerSpacing;
        var separateBy = cornerAngleDegrees / 2;
        foreach (var (cos, index) in _sharp)
        {
            var turn = Degrees(cos);
            var same = false;
            for (var offset = -NeighbourSteps; offset <= NeighbourSteps && !same; offset++)
            {
                var kept = ((index + offset) % n + n) % n;
                if (offset == 0 || !_keptTurns.TryGetValue(kept, out var keptTurn)) continue;
                if (ring[kept].DistanceSquared(ring[index]) >= spacingSquared) continue;
                var (earlier, later) = offset < 0 ? (kept, index) : (index, kept);
                var back = OutlineDirection.Away(ring, earlier, -1, maxSteps);
                var ahead = OutlineDirection.Away(ring, later, +1, maxSteps);
                same = back == default || ahead == default || Degrees((-back).Dot(ahead)) < Math.Max(turn, keptTurn) + separateBy;
            }
            if (!same) _keptTurns[index] = turn;
        }
        corners.AddRange(_keptTurns.Keys);
        corners.Sort();
    }

    private static double Degrees(double cos) => Math.Acos(Math.Clamp(cos, -1, 1)) * 180 / Math.PI;

    /// <summary>Corners closer than this (pixels) may be one corner found twice: a traced tip spans about this much.</summary>
    private const double CornerSpacing = 3;

    /// <summary>How many vertices either way along the outline are searched for a sharper corner nearby.</summary>
    private const int NeighbourSteps = 8;

    /// <summary>How many vertices either side of a simplified vertex are searched for the sharpest turn.</summary>
    private const int SearchSteps = 3;

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
