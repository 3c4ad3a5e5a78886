namespace RawEngine.Engine.Masks.Vectorize;

/// <summary>
/// Which way a traced outline runs next to one of its vertices, measured robustly: the principal axis of
/// the vertices between <see cref="Skip"/> and <see cref="Reach"/> pixels along the outline. Skipping the
/// first pixel ignores how tracing rounds a sharp corner; a few pixels of reach average out the pixel
/// staircase of a hard-edged mask.
/// </summary>
internal static class OutlineDirection
{
    public const double Skip = 1.0;
    public const double Reach = 5.0;

    /// <summary>
    /// The unit direction from vertex <paramref name="index"/> towards the outline <paramref name="step"/>
    /// (+1 forward, -1 backward; indices wrap round the ring) within <paramref name="reach"/> pixels and at
    /// most <paramref name="maxSteps"/> vertices; zero when too few vertices lie in that window.
    /// </summary>
    public static PlanePoint Away(ReadOnlySpan<PlanePoint> ring, int index, int step, int maxSteps, double reach = Reach)
    {
        var n = ring.Length;
        var origin = ring[index];
        var window = new LineAccumulator();
        var travelled = 0.0;
        var previous = origin;
        for (var k = 1; k <= maxSteps; k++)
        {
            var point = ring[((index + step * k) % n + n) % n];
            travelled += (point - previous).Length;
            previous = point;
            if (travelled > reach) break;
            if (travelled >= Skip) window.Add(point);
        }
        if (window.Count < 2) return default;
        var axis = window.Axis();
        return axis.Dot(window.Centroid - origin) >= 0 ? axis : -axis;
    }
}

/// <summary>Least-squares (principal axis) line through the points added.</summary>
internal struct LineAccumulator
{
    private double _sx, _sy, _sxx, _sxy, _syy;

    public int Count { get; private set; }

    public void Add(PlanePoint p)
    {
        Count++;
        _sx += p.X; _sy += p.Y;
        _sxx += p.X * p.X; _sxy += p.X * p.Y; _syy += p.Y * p.Y;
    }

    public readonly PlanePoint Centroid => new(_sx / Count, _sy / Count);

    /// <summary>The unit direction of largest spread (sign arbitrary).</summary>
    public readonly PlanePoint Axis()
    {
        var c = Centroid;
        double xx = _sxx / Count - c.X * c.X, xy = _sxy / Count - c.X * c.Y, yy = _syy / Count - c.Y * c.Y;
        var angle = 0.5 * Math.Atan2(2 * xy, xx - yy);
        return new PlanePoint(Math.Cos(angle), Math.Sin(angle));
    }
}
