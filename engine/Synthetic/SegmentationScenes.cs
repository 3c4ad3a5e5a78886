using RawEngine.Engine.Imaging;

namespace RawEngine.Engine.Synthetic;

/// <summary>One object painted into a scene: its shape kind and the pixels of it that stay visible.</summary>
public sealed record SceneObject(SceneShape Shape, byte[] Visible, int VisibleArea);

public enum SceneShape { Ellipse, Polygon, Star, Blob }

/// <summary>
/// A generated segmentation scene: a square display-referred RGBA picture (0..1, alpha 1), the objects
/// in paint order with their visible pixels (coverage at least 0.5 after later objects occlude earlier
/// ones), and which of them are large enough to be click targets.
/// </summary>
public sealed record SegmentationScene(int Size, float[] Rgba, IReadOnlyList<SceneObject> Objects, IReadOnlyList<int> Targets)
{
    /// <summary>Floats from one RGBA row to the next.</summary>
    public int Stride => Size * 4;
}

/// <summary>A click on a scene: pixel coordinates and whether it marks the object (positive) or not.</summary>
public readonly record struct SceneClick(int X, int Y, bool Positive);

/// <summary>
/// Scenes for training and testing promptable segmenters, generated from a seed (the same generator the
/// project's small SAM model is trained on, tools/README.md): a textured background (a random colour
/// modulated by two or three sinusoid gratings and smooth value noise), 2-5 objects (rotated ellipses,
/// polygons, stars, blobs; outer radius 8-30 % of the side) with flat, gradient or textured fills painted
/// in order, anti-aliased, so later ones occlude earlier ones, and a little Gaussian noise. Click
/// placement follows the usual interactive-segmentation protocol: the first click deep inside the target,
/// each further one at the deepest pixel of the largest error region.
/// </summary>
public static class SegmentationScenes
{
    public const int DefaultSize = 256;

    /// <summary>Objects whose visible area is below this fraction of the canvas are not targets.</summary>
    public const double MinTargetFraction = 0.015;

    /// <summary>The first click's least distance from the target's boundary, pixels.</summary>
    public const float MinClickDepth = 3f;

    private const int Supersampling = 4;

    /// <summary>The scene of <paramref name="seed"/>: the same picture and masks on every run.</summary>
    public static SegmentationScene Generate(int seed, int size = DefaultSize)
    {
        if (size < 32) throw new ArgumentOutOfRangeException(nameof(size), $"A scene needs at least 32x32 pixels, not {size}.");
        var random = new Random(seed);
        var pixels = size * size;
        var rgb = new float[pixels * 3];
        PaintBackground(random, size, rgb);

        var count = random.Next(2, 6);
        var coverages = new float[count][];
        var shapes = new SceneShape[count];
        for (var i = 0; i < count; i++)
        {
            var shape = Shape.Random(random, size);
            shapes[i] = shape.Kind;
            coverages[i] = shape.Coverage(size);
            var fill = Fill.Random(random, shape, size);
            for (var p = 0; p < pixels; p++)
            {
                var c = coverages[i][p];
                if (c <= 0) continue;
                var (r, g, b) = fill.At(p % size + 0.5, p / size + 0.5);
                rgb[3 * p] += c * ((float)r - rgb[3 * p]);
                rgb[3 * p + 1] += c * ((float)g - rgb[3 * p + 1]);
                rgb[3 * p + 2] += c * ((float)b - rgb[3 * p + 2]);
            }
        }

        var sigma = random.NextDouble() * 0.02;
        var rgba = new float[pixels * 4];
        for (var p = 0; p < pixels; p++)
        {
            for (var c = 0; c < 3; c++)
                rgba[4 * p + c] = (float)Math.Clamp(rgb[3 * p + c] + sigma * Gaussian(random), 0, 1);
            rgba[4 * p + 3] = 1f;
        }

        // Each pixel belongs to the object most visible there (the later one on a tie), if at least half visible.
        var visible = new byte[count][];
        var areas = new int[count];
        for (var i = 0; i < count; i++) visible[i] = new byte[pixels];
        for (var p = 0; p < pixels; p++)
        {
            int owner = -1;
            float best = 0, hidden = 1;
            for (var i = count - 1; i >= 0; i--)
            {
                var v = coverages[i][p] * hidden;
                hidden *= 1f - coverages[i][p];
                if (v > best) (owner, best) = (i, v);
            }
            if (owner < 0 || best < 0.5f) continue;
            visible[owner][p] = 1;
            areas[owner]++;
        }
        var objects = new SceneObject[count];
        var targets = new List<int>();
        for (var i = 0; i < count; i++)
        {
            objects[i] = new SceneObject(shapes[i], visible[i], areas[i]);
            if (areas[i] >= MinTargetFraction * pixels) targets.Add(i);
        }
        return new SegmentationScene(size, rgba, objects, targets);
    }

    /// <summary>
    /// The first click on <paramref name="truth"/>: a random pixel at least <see cref="MinClickDepth"/>
    /// from its boundary (the deepest pixel when none is that deep).
    /// </summary>
    public static SceneClick FirstClick(ReadOnlySpan<byte> truth, int size, Random random)
    {
        var depth = new float[size * size];
        BinaryRegions.DistanceToOutside(truth, size, size, depth);
        var candidates = new List<int>();
        var deepest = 0;
        for (var p = 0; p < depth.Length; p++)
        {
            if (depth[p] >= MinClickDepth) candidates.Add(p);
            if (depth[p] > depth[deepest]) deepest = p;
        }
        if (depth[deepest] <= 0) throw new ArgumentException("The target has no pixels to click.", nameof(truth));
        var chosen = candidates.Count > 0 ? candidates[random.Next(candidates.Count)] : deepest;
        return new SceneClick(chosen % size, chosen / size, Positive: true);
    }

    /// <summary>
    /// The next click after a prediction: at the deepest pixel of the largest error region, positive
    /// where the prediction missed the target, negative where it spilled over; null when nothing is wrong.
    /// </summary>
    public static SceneClick? RefinementClick(ReadOnlySpan<byte> truth, ReadOnlySpan<byte> predicted, int size)
    {
        var pixels = size * size;
        var missed = new byte[pixels];
        var spilled = new byte[pixels];
        for (var p = 0; p < pixels; p++)
        {
            var inTruth = truth[p] != 0;
            if (inTruth != (predicted[p] != 0)) (inTruth ? missed : spilled)[p] = 1;
        }
        var labels = new int[pixels];
        var best = (Area: 0, Positive: true, Region: (byte[]?)null);
        foreach (var (errors, positive) in new[] { (missed, true), (spilled, false) })
        {
            var areas = BinaryRegions.Label(errors, size, size, labels);
            for (var label = 1; label < areas.Length; label++)
            {
                if (areas[label] <= best.Area) continue;
                var region = new byte[pixels];
                for (var p = 0; p < pixels; p++) region[p] = labels[p] == label ? (byte)1 : (byte)0;
                best = (areas[label], positive, region);
            }
        }
        if (best.Region is null) return null;
        var (x, y, _) = BinaryRegions.Deepest(best.Region, size, size);
        return new SceneClick(x, y, best.Positive);
    }

    /// <summary>Intersection over union of two binary masks (1 when both are empty).</summary>
    public static double IoU(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Masks of {a.Length} and {b.Length} pixels cannot be compared.", nameof(b));
        long both = 0, either = 0;
        for (var i = 0; i < a.Length; i++)
        {
            bool x = a[i] != 0, y = b[i] != 0;
            if (x && y) both++;
            if (x || y) either++;
        }
        return either == 0 ? 1.0 : (double)both / either;
    }

    private static void PaintBackground(Random random, int size, float[] rgb)
    {
        var baseColour = RandomColour(random);
        var gratings = new (double Fx, double Fy, double Phase, double Amplitude)[random.Next(2, 4)];
        for (var i = 0; i < gratings.Length; i++)
        {
            var angle = random.NextDouble() * Math.PI;
            var cycles = 1 + random.NextDouble() * 15; // periods across the canvas
            gratings[i] = (Math.Cos(angle) * cycles / size, Math.Sin(angle) * cycles / size, random.NextDouble() * 2 * Math.PI, 0.05 + random.NextDouble() * 0.15);
        }
        var noise = new ValueNoise(random, cells: random.Next(3, 9));
        var noiseAmplitude = 0.1 + random.NextDouble() * 0.2;
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var m = 1.0 + noiseAmplitude * (2 * noise.At((x + 0.5) / size, (y + 0.5) / size) - 1);
                foreach (var (fx, fy, phase, amplitude) in gratings)
                    m += amplitude * Math.Sin(2 * Math.PI * (fx * x + fy * y) + phase);
                var p = 3 * (y * size + x);
                for (var c = 0; c < 3; c++) rgb[p + c] = (float)Math.Clamp(baseColour[c] * m, 0, 1);
            }
    }

    private static double[] RandomColour(Random random) => [random.NextDouble(), random.NextDouble(), random.NextDouble()];

    private static double Gaussian(Random random)
    {
        var u = 1.0 - random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }

    /// <summary>An object outline: centre, outer radius, rotation and an inside test in its own frame.</summary>
    private sealed class Shape
    {
        private double[] _polygon = [];
        private double[] _harmonics = [];
        private double _ellipseRatio;

        public SceneShape Kind { get; private init; }
        public double Cx { get; private init; }
        public double Cy { get; private init; }
        public double Radius { get; private init; }
        public double Angle { get; private init; }

        public static Shape Random(Random random, int size)
        {
            var kind = (SceneShape)random.Next(4);
            var radius = size * (0.08 + random.NextDouble() * 0.22);
            var shape = new Shape
            {
                Kind = kind,
                Radius = radius,
                Cx = random.NextDouble() * size,
                Cy = random.NextDouble() * size,
                Angle = random.NextDouble() * 2 * Math.PI,
            };
            switch (kind)
            {
                case SceneShape.Ellipse:
                    shape._ellipseRatio = 0.4 + random.NextDouble() * 0.6;
                    break;
                case SceneShape.Polygon:
                {
                    var n = random.Next(5, 10);
                    shape._polygon = new double[2 * n];
                    for (var i = 0; i < n; i++)
                    {
                        var theta = 2 * Math.PI * (i + (random.NextDouble() - 0.5) * 0.6) / n;
                        var r = radius * (0.6 + random.NextDouble() * 0.4);
                        shape._polygon[2 * i] = r * Math.Cos(theta);
                        shape._polygon[2 * i + 1] = r * Math.Sin(theta);
                    }
                    break;
                }
                case SceneShape.Star:
                {
                    var points = random.Next(5, 9);
                    var inner = 0.4 + random.NextDouble() * 0.3;
                    shape._polygon = new double[4 * points];
                    for (var i = 0; i < 2 * points; i++)
                    {
                        var theta = Math.PI * i / points;
                        var r = radius * (i % 2 == 0 ? 1 : inner);
                        shape._polygon[2 * i] = r * Math.Cos(theta);
                        shape._polygon[2 * i + 1] = r * Math.Sin(theta);
                    }
                    break;
                }
                default:
                {
                    // r(θ) = r0 (1 + Σ a_k sin(kθ + φ_k)), k = 2..4: scaled so the outer radius stays within Radius.
                    shape._harmonics = new double[6];
                    var sum = 0.0;
                    for (var k = 0; k < 3; k++)
                    {
                        shape._harmonics[2 * k] = random.NextDouble() * 0.25;
                        shape._harmonics[2 * k + 1] = random.NextDouble() * 2 * Math.PI;
                        sum += shape._harmonics[2 * k];
                    }
                    shape._ellipseRatio = 1 / (1 + sum); // r0 as a fraction of Radius
                    break;
                }
            }
            return shape;
        }

        /// <summary>Coverage of every pixel (4x4 samples each), within the shape's bounding box.</summary>
        public float[] Coverage(int size)
        {
            var coverage = new float[size * size];
            int x0 = Math.Max(0, (int)(Cx - Radius) - 1), x1 = Math.Min(size - 1, (int)(Cx + Radius) + 1);
            int y0 = Math.Max(0, (int)(Cy - Radius) - 1), y1 = Math.Min(size - 1, (int)(Cy + Radius) + 1);
            double cos = Math.Cos(Angle), sin = Math.Sin(Angle);
            const double weight = 1.0 / (Supersampling * Supersampling);
            for (var y = y0; y <= y1; y++)
                for (var x = x0; x <= x1; x++)
                {
                    var hits = 0;
                    for (var sy = 0; sy < Supersampling; sy++)
                        for (var sx = 0; sx < Supersampling; sx++)
                        {
                            double dx = x + (sx + 0.5) / Supersampling - Cx, dy = y + (sy + 0.5) / Supersampling - Cy;
                            if (Contains(cos * dx + sin * dy, -sin * dx + cos * dy)) hits++;
                        }
                    coverage[y * size + x] = (float)(hits * weight);
                }
            return coverage;
        }

        private bool Contains(double u, double v)
        {
            switch (Kind)
            {
                case SceneShape.Ellipse:
                {
                    double a = u / Radius, b = v / (Radius * _ellipseRatio);
                    return a * a + b * b <= 1;
                }
                case SceneShape.Blob:
                {
                    var d = Math.Sqrt(u * u + v * v);
                    if (d > Radius) return false;
                    var theta = Math.Atan2(v, u);
                    var r = 1.0;
                    for (var k = 0; k < 3; k++) r += _harmonics[2 * k] * Math.Sin((k + 2) * theta + _harmonics[2 * k + 1]);
                    return d <= Radius * _ellipseRatio * r;
                }
                default:
                {
                    // Even-odd rule over the polygon's edges.
                    var inside = false;
                    var n = _polygon.Length / 2;
                    for (int i = 0, j = n - 1; i < n; j = i++)
                    {
                        double xi = _polygon[2 * i], yi = _polygon[2 * i + 1], xj = _polygon[2 * j], yj = _polygon[2 * j + 1];
                        if ((yi > v) != (yj > v) && u < (xj - xi) * (v - yi) / (yj - yi) + xi) inside = !inside;
                    }
                    return inside;
                }
            }
        }
    }

    /// <summary>An object's paint: flat, a linear gradient across it, or a grating or checker modulating a colour.</summary>
    private sealed class Fill
    {
        private enum Kind { Flat, Gradient, Grating, Checker }

        private Kind _kind;
        private double[] _a = [], _b = [];
        private double _cx, _cy, _dx, _dy, _extent, _period, _phase;

        public static Fill Random(Random random, Shape shape, int size)
        {
            var angle = random.NextDouble() * 2 * Math.PI;
            var fill = new Fill
            {
                _kind = (Kind)random.Next(4),
                _a = RandomColour(random),
                _b = RandomColour(random),
                _cx = shape.Cx,
                _cy = shape.Cy,
                _dx = Math.Cos(angle),
                _dy = Math.Sin(angle),
                _extent = shape.Radius,
                _period = 4 + random.NextDouble() * size / 16.0,
                _phase = random.NextDouble() * 2 * Math.PI,
            };
            return fill;
        }

        public (double R, double G, double B) At(double x, double y)
        {
            double u = (x - _cx) * _dx + (y - _cy) * _dy, v = -(x - _cx) * _dy + (y - _cy) * _dx;
            var t = _kind switch
            {
                Kind.Flat => 0.0,
                Kind.Gradient => Math.Clamp(0.5 + 0.5 * u / _extent, 0, 1),
                Kind.Grating => 0.5 + 0.5 * Math.Sin(2 * Math.PI * u / _period + _phase),
                _ => (Math.Floor(u / _period) + Math.Floor(v / _period)) % 2 == 0 ? 0.0 : 1.0,
            };
            return (_a[0] + t * (_b[0] - _a[0]), _a[1] + t * (_b[1] - _a[1]), _a[2] + t * (_b[2] - _a[2]));
        }
    }

    /// <summary>Smooth value noise: random values on a coarse grid, interpolated with a smoothstep.</summary>
    private sealed class ValueNoise
    {
        private readonly int _cells;
        private readonly double[] _grid;

        public ValueNoise(Random random, int cells)
        {
            _cells = cells;
            _grid = new double[(cells + 1) * (cells + 1)];
            for (var i = 0; i < _grid.Length; i++) _grid[i] = random.NextDouble();
        }

        /// <summary>The noise at (u, v) in 0..1, in 0..1.</summary>
        public double At(double u, double v)
        {
            double gx = u * _cells, gy = v * _cells;
            int ix = Math.Min((int)gx, _cells - 1), iy = Math.Min((int)gy, _cells - 1);
            double fx = Smooth(gx - ix), fy = Smooth(gy - iy);
            var row = _cells + 1;
            double top = _grid[iy * row + ix] + fx * (_grid[iy * row + ix + 1] - _grid[iy * row + ix]);
            double bottom = _grid[(iy + 1) * row + ix] + fx * (_grid[(iy + 1) * row + ix + 1] - _grid[(iy + 1) * row + ix]);
            return top + fy * (bottom - top);
        }

        private static double Smooth(double t) => t * t * (3 - 2 * t);
    }
}
