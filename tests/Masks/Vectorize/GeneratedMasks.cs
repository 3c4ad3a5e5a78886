namespace RawEngine.Tests.Masks.Vectorize;

/// <summary>
/// Soft masks drawn from exact shapes, the kind a segmenter hands over: each shape's edge is a one-pixel
/// ramp around its outline (coverage 0.5 on it), and shapes combine by max (added) or min(a, 1 - b) (cut
/// out), so rings, holes and islands inside holes come out right. <see cref="Hard"/> thresholds a mask to
/// 0/1 for the staircase-edged case.
/// </summary>
internal static class GeneratedMasks
{
    /// <summary>A signed distance in pixels from a shape's outline, positive inside.</summary>
    internal abstract class Shape
    {
        public abstract double SignedDistance(double x, double y);

        /// <summary>Bounds (pixels) beyond which the shape is certainly background.</summary>
        public abstract (double X0, double Y0, double X1, double Y1) Bounds { get; }
    }

    internal sealed class Ellipse(double cx, double cy, double rx, double ry, double angleDegrees) : Shape
    {
        private readonly double _cos = Math.Cos(angleDegrees * Math.PI / 180), _sin = Math.Sin(angleDegrees * Math.PI / 180);

        public override double SignedDistance(double x, double y)
        {
            double dx = x - cx, dy = y - cy;
            double u = dx * _cos + dy * _sin, v = -dx * _sin + dy * _cos;
            // First-order distance to the level set F = 0 of F = (u/rx)^2 + (v/ry)^2 - 1: exact enough within a pixel.
            var f = u * u / (rx * rx) + v * v / (ry * ry) - 1;
            double gu = 2 * u / (rx * rx), gv = 2 * v / (ry * ry);
            var g = Math.Sqrt(gu * gu + gv * gv);
            return g < 1e-12 ? Math.Min(rx, ry) : -f / g;
        }

        public override (double X0, double Y0, double X1, double Y1) Bounds
        {
            get { var r = Math.Max(rx, ry) + 2; return (cx - r, cy - r, cx + r, cy + r); }
        }
    }

    /// <summary>A simple polygon (any orientation) with exact distances to its edges.</summary>
    internal sealed class Polygon(params (double X, double Y)[] vertices) : Shape
    {
        public override double SignedDistance(double x, double y)
        {
            var inside = false;
            var best = double.MaxValue;
            for (int i = 0, j = vertices.Length - 1; i < vertices.Length; j = i++)
            {
                var (ax, ay) = vertices[j];
                var (bx, by) = vertices[i];
                if ((ay > y) != (by > y) && x < ax + (y - ay) * (bx - ax) / (by - ay)) inside = !inside;
                double ex = bx - ax, ey = by - ay;
                var t = Math.Clamp(((x - ax) * ex + (y - ay) * ey) / (ex * ex + ey * ey), 0, 1);
                double px = ax + t * ex - x, py = ay + t * ey - y;
                best = Math.Min(best, px * px + py * py);
            }
            var distance = Math.Sqrt(best);
            return inside ? distance : -distance;
        }

        public override (double X0, double Y0, double X1, double Y1) Bounds =>
            (vertices.Min(v => v.X) - 2, vertices.Min(v => v.Y) - 2, vertices.Max(v => v.X) + 2, vertices.Max(v => v.Y) + 2);

        public static Polygon Regular(double cx, double cy, double radius, int sides, double phase) =>
            new(Enumerable.Range(0, sides).Select(k => (cx + radius * Math.Cos(phase + 2 * Math.PI * k / sides), cy + radius * Math.Sin(phase + 2 * Math.PI * k / sides))).ToArray());

        public static Polygon Star(double cx, double cy, double outer, double inner, int points, double phase) =>
            new(Enumerable.Range(0, 2 * points).Select(k =>
            {
                var r = k % 2 == 0 ? outer : inner;
                var a = phase + Math.PI * k / points;
                return (cx + r * Math.Cos(a), cy + r * Math.Sin(a));
            }).ToArray());

        public static Polygon Bar(double x0, double y0, double x1, double y1, double thickness)
        {
            double dx = x1 - x0, dy = y1 - y0, length = Math.Sqrt(dx * dx + dy * dy);
            double nx = -dy / length * thickness / 2, ny = dx / length * thickness / 2;
            return new Polygon((x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny));
        }
    }

    /// <summary>A star-shaped blob: radius r(θ) = r0 (1 + Σ a_k sin(kθ + φ_k)) around a centre.</summary>
    internal sealed class Blob : Shape
    {
        private readonly double _cx, _cy, _radius;
        private readonly (int K, double Amplitude, double Phase)[] _harmonics;

        public Blob(double cx, double cy, double radius, Random random)
        {
            (_cx, _cy, _radius) = (cx, cy, radius);
            _harmonics = Enumerable.Range(2, 4).Select(k => (k, random.NextDouble() * 0.25 / (k - 1), random.NextDouble() * 2 * Math.PI)).ToArray();
        }

        private double RadiusAt(double angle)
        {
            var r = 1.0;
            foreach (var (k, amplitude, phase) in _harmonics) r += amplitude * Math.Sin(k * angle + phase);
            return _radius * r;
        }

        public override double SignedDistance(double x, double y)
        {
            double dx = x - _cx, dy = y - _cy;
            var rho = Math.Sqrt(dx * dx + dy * dy);
            var angle = Math.Atan2(dy, dx);
            var r = RadiusAt(angle);
            // Radial gap scaled by the outline's slope: d ≈ (r - ρ) / sqrt(1 + (r'/r)^2).
            var slope = (RadiusAt(angle + 1e-4) - RadiusAt(angle - 1e-4)) / 2e-4 / r;
            return (r - rho) / Math.Sqrt(1 + slope * slope);
        }

        public override (double X0, double Y0, double X1, double Y1) Bounds
        {
            get { var r = _radius * 1.6 + 2; return (_cx - r, _cy - r, _cx + r, _cy + r); }
        }
    }

    private const int Block = 4;

    /// <summary>Draws the shapes in order into a new soft mask: <c>cut</c> shapes remove, the others add.</summary>
    public static float[] Draw(int width, int height, params (Shape Shape, bool Cut)[] layers)
    {
        var mask = new float[width * height];
        foreach (var (shape, cut) in layers)
        {
            var (x0, y0, x1, y1) = shape.Bounds;
            int left = Math.Max(0, (int)Math.Floor(x0)), right = Math.Min(width, (int)Math.Ceiling(x1) + 1);
            int top = Math.Max(0, (int)Math.Floor(y0)), bottom = Math.Min(height, (int)Math.Ceiling(y1) + 1);
            // Blocks of 4x4 pixels whose centre lies more than 4 px from the outline are all inside or all
            // outside (the distances change by at most a pixel per pixel), so only the band is evaluated.
            Parallel.For(top / Block, (bottom + Block - 1) / Block, by =>
            {
                for (var bx = left / Block; bx * Block < right; bx++)
                {
                    var centre = shape.SignedDistance(bx * Block + Block / 2.0, by * Block + Block / 2.0);
                    for (var y = Math.Max(top, by * Block); y < Math.Min(bottom, (by + 1) * Block); y++)
                        for (var x = Math.Max(left, bx * Block); x < Math.Min(right, (bx + 1) * Block); x++)
                        {
                            var distance = Math.Abs(centre) > Block ? centre : shape.SignedDistance(x + 0.5, y + 0.5);
                            var coverage = (float)Math.Clamp(0.5 + distance, 0, 1);
                            ref var value = ref mask[y * width + x];
                            value = cut ? Math.Min(value, 1 - coverage) : Math.Max(value, coverage);
                        }
                }
            });
        }
        return mask;
    }

    public static float[] Hard(float[] mask) => mask.Select(v => v >= 0.5f ? 1f : 0f).ToArray();

    /// <summary>One named mask of the test set.</summary>
    public sealed record Case(string Name, int Width, int Height, float[] Mask)
    {
        public override string ToString() => Name;
    }

    /// <summary>The test set (drawn once): every kind of outline the vectoriser must handle, from fixed seeds.</summary>
    public static Lazy<IReadOnlyList<Case>> TestSet { get; } = new(() => Cases().ToList());

    private static IEnumerable<Case> Cases()
    {
        for (var seed = 0; seed < 6; seed++)
        {
            var random = new Random(1000 + seed);
            var size = 256 + 128 * seed;
            double R() => random.NextDouble();
            yield return new Case($"ellipse-{seed}", size, size * 3 / 4, Draw(size, size * 3 / 4,
                (new Ellipse(size * (0.4 + 0.2 * R()), size * 0.375, size * (0.15 + 0.2 * R()), size * (0.1 + 0.15 * R()), 180 * R()), false)));
            yield return new Case($"polygon-{seed}", size, size, Draw(size, size,
                (Polygon.Regular(size * 0.5, size * 0.5, size * (0.2 + 0.2 * R()), 3 + seed, R()), false)));
            yield return new Case($"star-{seed}", size, size, Draw(size, size,
                (Polygon.Star(size * 0.5, size * 0.5, size * 0.4, size * (0.15 + 0.1 * R()), 4 + seed, R()), false)));
            yield return new Case($"blob-{seed}", size, size, Draw(size, size,
                (new Blob(size * 0.5, size * 0.5, size * (0.2 + 0.1 * R()), random), false)));
            yield return new Case($"ring-island-{seed}", size, size, Draw(size, size,
                (new Blob(size * 0.5, size * 0.5, size * 0.3, random), false),
                (new Ellipse(size * 0.5, size * 0.5, size * 0.17, size * 0.13, 180 * R()), true),
                (Polygon.Star(size * 0.5, size * 0.5, size * 0.1, size * 0.05, 5, R()), false),
                (new Ellipse(size * 0.5, size * 0.5, size * 0.025, size * 0.025, 0), true)));
            yield return new Case($"components-thin-{seed}", size, size / 2, Hardened(seed, Draw(size, size / 2,
                (new Ellipse(size * 0.2, size * 0.25, size * 0.12, size * 0.08, 30 * seed), false),
                (Polygon.Bar(size * 0.2, size * 0.25, size * 0.55, size * 0.1, 2.5 + seed % 3), false),
                (Polygon.Regular(size * 0.55, size * 0.3, size * 0.1, 4, R()), false),
                (new Blob(size * 0.85, size * 0.25, size * 0.08, random), false),
                (Polygon.Bar(size * 0.7, size * 0.45, size * 0.95, size * 0.05, 3), false),
                (new Ellipse(size * 0.2, size * 0.25, size * 0.04, size * 0.03, 0), true))));
        }
    }

    /// <summary>Every other case with hard 0/1 edges, as a thresholded mask would come.</summary>
    private static float[] Hardened(int seed, float[] mask) => seed % 2 == 0 ? Hard(mask) : mask;
}
