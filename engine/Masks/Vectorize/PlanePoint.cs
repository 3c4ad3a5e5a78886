namespace RawEngine.Engine.Masks.Vectorize;

/// <summary>A point or direction in pixel units (x right, y down; pixel i spans [i, i + 1]).</summary>
internal readonly record struct PlanePoint(double X, double Y)
{
    public static PlanePoint operator +(PlanePoint a, PlanePoint b) => new(a.X + b.X, a.Y + b.Y);
    public static PlanePoint operator -(PlanePoint a, PlanePoint b) => new(a.X - b.X, a.Y - b.Y);
    public static PlanePoint operator -(PlanePoint a) => new(-a.X, -a.Y);
    public static PlanePoint operator *(PlanePoint a, double s) => new(a.X * s, a.Y * s);

    public double Dot(PlanePoint other) => X * other.X + Y * other.Y;

    public double Cross(PlanePoint other) => X * other.Y - Y * other.X;

    public double Length => Math.Sqrt(X * X + Y * Y);

    public double DistanceSquared(PlanePoint other) => (this - other).Dot(this - other);

    /// <summary>The unit vector along this one, or zero for a zero vector (callers fall back to a chord).</summary>
    public PlanePoint Normalized()
    {
        var length = Length;
        return length > 1e-12 ? new PlanePoint(X / length, Y / length) : default;
    }
}

/// <summary>One cubic Bézier segment in pixel units: from <see cref="Start"/> to <see cref="End"/>.</summary>
internal readonly record struct CubicSegment(PlanePoint Start, PlanePoint Control1, PlanePoint Control2, PlanePoint End)
{
    public PlanePoint At(double t)
    {
        var s = 1 - t;
        return Start * (s * s * s) + Control1 * (3 * s * s * t) + Control2 * (3 * s * t * t) + End * (t * t * t);
    }

    /// <summary>The two halves of this segment, split at t = 0.5 (de Casteljau).</summary>
    public (CubicSegment First, CubicSegment Second) Halves()
    {
        var a = (Start + Control1) * 0.5;
        var b = (Control1 + Control2) * 0.5;
        var c = (Control2 + End) * 0.5;
        var ab = (a + b) * 0.5;
        var bc = (b + c) * 0.5;
        var middle = (ab + bc) * 0.5;
        return (new CubicSegment(Start, a, ab, middle), new CubicSegment(middle, bc, c, End));
    }

    public PlanePoint FirstDerivative(double t)
    {
        var s = 1 - t;
        return (Control1 - Start) * (3 * s * s) + (Control2 - Control1) * (6 * s * t) + (End - Control2) * (3 * t * t);
    }

    public PlanePoint SecondDerivative(double t) =>
        (Control2 - Control1 * 2 + Start) * (6 * (1 - t)) + (End - Control2 * 2 + Control1) * (6 * t);
}
