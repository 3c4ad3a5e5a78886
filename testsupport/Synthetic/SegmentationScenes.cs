using RawEngine.Engine.Imaging;

using static RawEngine.Engine.Synthetic.SceneRandom;

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
/// project's small SAM model is trained on, tools/scenes.py, with its parameters but its own random
/// stream): a textured background (a random colour modulated by two or three sinusoid gratings and smooth
/// value noise), 2-5 objects (rotated ellipses, polygons, stars, blobs; outer radius 8-30 % of the side)
/// with flat, gradient or textured fills painted in order at 2x2 samples per pixel, so later ones occlude
/// earlier ones and edges are anti-aliased, and a little Gaussian noise (sigma up to 0.02). Click
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

    private const int Supersampling = 2;

    /// <summary>The scene of <paramref name="seed"/>: the same picture and masks on every run.</summary>
    public static SegmentationScene Generate(int seed, int size = DefaultSize)
    {
        if (size < 32) throw new ArgumentOutOfRangeException(nameof(size), $"A scene needs at least 32x32 pixels, not {size}.");
        var random = new Random(seed);
        // Painted at 2x2 samples per pixel, each sample wholly one object or the background, then averaged.
        var n = size * Supersampling;
        var colour = new float[n * n * 3];
        var owner = new sbyte[n * n];
        Array.Fill(owner, (sbyte)-1);
        PaintBackground(random, size, colour);

        var count = random.Next(2, 6);
        var shapes = new SceneShape[count];
        for (var i = 0; i < count; i++)
        {
            var shape = Shape.Random(random, size);
            shapes[i] = shape.Kind;
            var fill = Fill.Random(random, shape.Radius);
            int x0 = Math.Max(0, (int)((shape.Cx - shape.Radius) * Supersampling) - 1), x1 = Math.Min(n, (int)((shape.Cx + shape.Radius) * Supersampling) + 2);
            int y0 = Math.Max(0, (int)((shape.Cy - shape.Radius) * Supersampling) - 1), y1 = Math.Min(n, (int)((shape.Cy + shape.Radius) * Supersampling) + 2);
            for (var sy = y0; sy < y1; sy++)
                for (var sx = x0; sx < x1; sx++)
                {
                    double dx = (sx + 0.5) / Supersampling - shape.Cx, dy = (sy + 0.5) / Supersampling - shape.Cy;
                    if (!shape.Contains(dx, dy)) continue;
                    var (r, g, b) = fill.At(dx, dy);
                    var q = sy * n + sx;
                    (colour[3 * q], colour[3 * q + 1], colour[3 * q + 2]) = ((float)r, (float)g, (float)b);
                    owner[q] = (sbyte)i;
                }
        }

        var pixels = size * size;
        var sigma = random.NextDouble() * 0.02;
        var rgba = new float[pixels * 4];
        var visible = new byte[count][];
        var areas = new int[count];
        for (var i = 0; i < count; i++) visible[i] = new byte[pixels];
        Span<int> samplesOf = stackalloc int[count];
        const float share = 1f / (Supersampling * Supersampling);
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var p = y * size + x;
                samplesOf.Clear();
                float r = 0, g = 0, b = 0;
                for (var v = 0; v < Supersampling; v++)
                    for (var u = 0; u < Supersampling; u++)
                    {
                        var q = (y * Supersampling + v) * n + x * Supersampling + u;
                        r += colour[3 * q];
                        g += colour[3 * q + 1];
                        b += colour[3 * q + 2];
                        if (owner[q] >= 0) samplesOf[owner[q]]++;
                    }
                rgba[4 * p] = Noisy(r * share);
                rgba[4 * p + 1] = Noisy(g * share);
                rgba[4 * p + 2] = Noisy(b * share);
                rgba[4 * p + 3] = 1f;
                // Visible: at least half the pixel's samples show the object.
                for (var i = 0; i < count; i++)
                    if (samplesOf[i] * share >= 0.5f)
                    {
                        visible[i][p] = 1;
                        areas[i]++;
                    }
            }

        var objects = new SceneObject[count];
        var targets = new List<int>();
        for (var i = 0; i < count; i++)
        {
            objects[i] = new SceneObject(shapes[i], visible[i], areas[i]);
            if (areas[i] >= MinTargetFraction * pixels) targets.Add(i);
        }
        return new SegmentationScene(size, rgba, objects, targets);

        float Noisy(float value) => (float)Math.Clamp(value + sigma * Gaussian(random), 0, 1);
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

    /// <summary>A random base colour modulated by 2-3 sinusoid gratings (periods 6-48 px) and smooth value noise (32 px cells), at every sample.</summary>
    private static void PaintBackground(Random random, int size, float[] colour)
    {
        double[] baseColour = [Uniform(random, 0.1, 0.9), Uniform(random, 0.1, 0.9), Uniform(random, 0.1, 0.9)];
        var gratings = new (double Cos, double Sin, double Period, double Phase, double Amplitude)[random.Next(2, 4)];
        for (var i = 0; i < gratings.Length; i++)
        {
            var angle = Uniform(random, 0, Math.PI);
            gratings[i] = (Math.Cos(angle), Math.Sin(angle), Uniform(random, 6, 48), Uniform(random, 0, 2 * Math.PI), Uniform(random, 0.03, 0.12));
        }
        var noiseAmplitude = Uniform(random, 0.05, 0.2);
        var noise = new ValueNoise(random, cell: 32, latticeSide: size / 32 + 2);
        var n = size * Supersampling;
        for (var sy = 0; sy < n; sy++)
            for (var sx = 0; sx < n; sx++)
            {
                double x = (sx + 0.5) / Supersampling, y = (sy + 0.5) / Supersampling;
                var m = 1.0 + noiseAmplitude * noise.At(x, y);
                foreach (var (cos, sin, period, phase, amplitude) in gratings)
                    m += amplitude * Math.Sin(2 * Math.PI * (x * cos + y * sin) / period + phase);
                var q = 3 * (sy * n + sx);
                for (var c = 0; c < 3; c++) colour[q + c] = (float)Math.Clamp(baseColour[c] * m, 0, 1);
            }
    }

    private static double[] RandomColour(Random random) => [random.NextDouble(), random.NextDouble(), random.NextDouble()];

    /// <summary>An object outline: centre, outer radius and an inside test for offsets from the centre.</summary>
    private sealed class Shape
    {
        private double[] _polygon = [];
        private double[] _harmonics = [];
        private double _minor, _cos, _sin, _r0;

        public SceneShape Kind { get; private init; }
        public double Cx { get; private init; }
        public double Cy { get; private init; }
        public double Radius { get; private init; }

        public static Shape Random(Random random, int size)
        {
            var kind = (SceneShape)random.Next(4);
            var radius = Uniform(random, 0.08, 0.30) * size;
            var shape = new Shape { Kind = kind, Radius = radius, Cx = Uniform(random, 0, size), Cy = Uniform(random, 0, size) };
            switch (kind)
            {
                case SceneShape.Ellipse:
                {
                    shape._minor = radius * Uniform(random, 0.4, 1.0);
                    var angle = Uniform(random, 0, Math.PI);
                    (shape._cos, shape._sin) = (Math.Cos(angle), Math.Sin(angle));
                    break;
                }
                case SceneShape.Polygon:
                {
                    // 5-9 vertices at jittered, evenly spread angles, radii 0.6-1.0 of the outer radius.
                    var m = random.Next(5, 10);
                    var rotation = Uniform(random, 0, 2 * Math.PI);
                    shape._polygon = new double[2 * m];
                    for (var i = 0; i < m; i++)
                    {
                        var theta = rotation + 2 * Math.PI * (i + Uniform(random, -0.3, 0.3)) / m;
                        var r = radius * Uniform(random, 0.6, 1.0);
                        (shape._polygon[2 * i], shape._polygon[2 * i + 1]) = (r * Math.Cos(theta), r * Math.Sin(theta));
                    }
                    break;
                }
                case SceneShape.Star:
                {
                    var points = random.Next(5, 9);
                    var inner = Uniform(random, 0.4, 0.7);
                    var rotation = Uniform(random, 0, 2 * Math.PI);
                    shape._polygon = new double[4 * points];
                    for (var i = 0; i < 2 * points; i++)
                    {
                        var theta = rotation + Math.PI * i / points;
                        var r = radius * (i % 2 == 0 ? 1 : inner);
                        (shape._polygon[2 * i], shape._polygon[2 * i + 1]) = (r * Math.Cos(theta), r * Math.Sin(theta));
                    }
                    break;
                }
                default:
                {
                    // r(θ) = r0 (1 + Σ a_k sin(kθ + φ_k)), k = 2..4, a_k <= 0.25, r0 so the outer radius stays within Radius.
                    shape._harmonics = new double[6];
                    for (var k = 0; k < 3; k++) shape._harmonics[2 * k] = Uniform(random, 0, 0.25);
                    for (var k = 0; k < 3; k++) shape._harmonics[2 * k + 1] = Uniform(random, 0, 2 * Math.PI);
                    shape._r0 = radius / (1 + shape._harmonics[0] + shape._harmonics[2] + shape._harmonics[4]);
                    break;
                }
            }
            return shape;
        }

        /// <summary>Whether the offset (dx, dy) from the centre is inside.</summary>
        public bool Contains(double dx, double dy)
        {
            switch (Kind)
            {
                case SceneShape.Ellipse:
                {
                    double a = (dx * _cos + dy * _sin) / Radius, b = (-dx * _sin + dy * _cos) / _minor;
                    return a * a + b * b <= 1;
                }
                case SceneShape.Blob:
                {
                    var theta = Math.Atan2(dy, dx);
                    var r = 1.0;
                    for (var k = 0; k < 3; k++) r += _harmonics[2 * k] * Math.Sin((k + 2) * theta + _harmonics[2 * k + 1]);
                    return dx * dx + dy * dy <= _r0 * r * _r0 * r;
                }
                default:
                {
                    // Even-odd rule over the polygon's edges.
                    var inside = false;
                    var n = _polygon.Length / 2;
                    for (int i = 0, j = n - 1; i < n; j = i++)
                    {
                        double xi = _polygon[2 * i], yi = _polygon[2 * i + 1], xj = _polygon[2 * j], yj = _polygon[2 * j + 1];
                        if ((yi > dy) != (yj > dy) && dx < (xj - xi) * (dy - yi) / (yj - yi) + xi) inside = !inside;
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
        private double _cos, _sin, _extent, _period, _phase, _depth;

        public static Fill Random(Random random, double radius)
        {
            var fill = new Fill { _extent = 2 * radius };
            switch (random.Next(3))
            {
                case 0:
                    fill._kind = Kind.Flat;
                    fill._a = RandomColour(random);
                    break;
                case 1:
                {
                    fill._kind = Kind.Gradient;
                    fill._a = RandomColour(random);
                    fill._b = RandomColour(random);
                    var direction = Uniform(random, 0, 2 * Math.PI);
                    (fill._cos, fill._sin) = (Math.Cos(direction), Math.Sin(direction));
                    break;
                }
                default:
                {
                    fill._a = RandomColour(random);
                    fill._kind = random.NextDouble() < 0.5 ? Kind.Grating : Kind.Checker;
                    var angle = fill._kind == Kind.Grating ? Uniform(random, 0, Math.PI) : Uniform(random, 0, Math.PI / 2);
                    (fill._cos, fill._sin) = (Math.Cos(angle), Math.Sin(angle));
                    fill._period = fill._kind == Kind.Grating ? Uniform(random, 4, 16) : Uniform(random, 4, 12);
                    fill._phase = Uniform(random, 0, 2 * Math.PI);
                    fill._depth = Uniform(random, 0.15, 0.4);
                    break;
                }
            }
            return fill;
        }

        /// <summary>The colour at offset (dx, dy) from the object's centre.</summary>
        public (double R, double G, double B) At(double dx, double dy)
        {
            double u = dx * _cos + dy * _sin, v = -dx * _sin + dy * _cos;
            switch (_kind)
            {
                case Kind.Flat:
                    return (_a[0], _a[1], _a[2]);
                case Kind.Gradient:
                {
                    var t = Math.Clamp(u / _extent + 0.5, 0, 1);
                    return (_a[0] + t * (_b[0] - _a[0]), _a[1] + t * (_b[1] - _a[1]), _a[2] + t * (_b[2] - _a[2]));
                }
                default:
                {
                    var pattern = _kind == Kind.Grating
                        ? Math.Sin(2 * Math.PI * u / _period + _phase)
                        : ((Math.Floor(u / _period) + Math.Floor(v / _period)) % 2 + 2) % 2 == 0 ? 1.0 : -1.0;
                    var m = 1 + _depth * pattern;
                    return (Math.Clamp(_a[0] * m, 0, 1), Math.Clamp(_a[1] * m, 0, 1), Math.Clamp(_a[2] * m, 0, 1));
                }
            }
        }
    }
}
