using RawEngine.Engine.Imaging;
using RawEngine.Engine.Synthetic;
using static RawEngine.Engine.Synthetic.SceneRandom;

namespace RawEngine.Tests.Ai;

/// <summary>What lies behind a held-out scene's shapes.</summary>
public enum HeldOutBackground { Blotches, Photo }

/// <summary>The target kinds of a held-out scene (quadrilaterals and regular pentagons are not in the training generator).</summary>
public enum HeldOutShape { Ellipse, Quadrilateral, Pentagon, Star }

/// <summary>A click on a held-out scene: pixel coordinates and whether it marks the target (positive) or the background.</summary>
public readonly record struct HeldOutClick(int X, int Y, bool Positive);

/// <summary>
/// A held-out segmentation scene: a 512x384 RGBA picture (0..1, alpha 1), the one target's visible pixels
/// (coverage at least 0.5 after the distractors that cover it) and the click on it.
/// </summary>
public sealed record HeldOutScene(int Width, int Height, float[] Rgba, byte[] Target, HeldOutShape Shape, HeldOutBackground Background, HeldOutClick Click)
{
    public int Stride => 4 * Width;
}

/// <summary>
/// Scenes unlike the ones the project's segmenter trains on (tools/scenes.py, SegmentationScenes), for
/// measuring how masks hold up on pictures the network has not seen. Where they differ:
/// <list type="bullet">
/// <item>size 512x384 (not square; the training scenes are 256x256);</item>
/// <item>backgrounds: busy multi-coloured blotches (5-9 palette colours mixed by the soft maximum of as many value-noise
/// fields with 20-70 px cells, hard to soft boundaries) or crops of Kodak photographs 1, 8, 19, 23 (rescaled 1-1.5x,
/// mirrored), never a single colour modulated by gratings;</item>
/// <item>colours drawn in HSV (saturation 0.25-1, value 0.2-1), not uniform RGB;</item>
/// <item>one target, flat-coloured: ellipse, quadrilateral, regular pentagon or star (5 or 6 points);
/// 2-4 flat distractors (rotated rectangles, triangles, ellipses), half of them placed to touch or overlap the
/// target and each painted over it with probability 0.35;</item>
/// <item>film grain (Gaussian, sigma 0.015-0.04 per channel plus a luminance share) on everything, not at most 0.02.</item>
/// </list>
/// Painted at 2x2 samples per pixel as the training generator is. The click is a random target pixel at
/// least half the target's greatest depth from its boundary ("well inside").
/// </summary>
public static class HeldOutScenes
{
    public const int Width = 512, Height = 384;

    /// <summary>The Kodak images the photo backgrounds are cut from: the ones the repository carries, kept out of training.</summary>
    public static IReadOnlyList<int> PhotoIndices { get; } = [1, 8, 19, 23];

    private const int Supersampling = 2;
    private const double MinVisibleShare = 0.6;

    /// <summary>The scene of <paramref name="seed"/> with the given background (photos: the decoded <see cref="PhotoIndices"/>).</summary>
    public static HeldOutScene Generate(int seed, HeldOutBackground background, IReadOnlyList<Srgb8Image> photos)
    {
        var random = new Random(seed);
        int n = Width * Supersampling, m = Height * Supersampling;
        var colour = new float[n * m * 3];
        if (background == HeldOutBackground.Blotches) PaintBlotches(random, colour);
        else PaintPhoto(random, photos[random.Next(photos.Count)], colour);

        var target = TargetShape(random);
        var targetColour = HsvColour(random);
        var distractors = new List<(Outline Shape, float[] Colour, bool Above)>();
        var count = random.Next(2, 5);
        for (var i = 0; i < count; i++)
        {
            var touching = random.NextDouble() < 0.5;
            var radius = Uniform(random, 0.06, 0.2) * Height;
            double cx, cy;
            if (touching)
            {
                var angle = Uniform(random, 0, 2 * Math.PI);
                var reach = Uniform(random, 0.6, 1.1) * (target.Radius + radius);
                (cx, cy) = (target.Cx + reach * Math.Cos(angle), target.Cy + reach * Math.Sin(angle));
            }
            else (cx, cy) = (Uniform(random, 0, Width), Uniform(random, 0, Height));
            distractors.Add((Distractor(random, cx, cy, radius), HsvColour(random), random.NextDouble() < 0.35));
        }

        var owner = new bool[n * m];
        foreach (var d in distractors.Where(d => !d.Above)) Paint(d.Shape, d.Colour, colour, null);
        Paint(target, targetColour, colour, owner);
        var unoccluded = owner.Count(o => o);
        foreach (var d in distractors.Where(d => d.Above))
        {
            // A distractor that would hide too much of the target stays under it instead.
            var covered = 0;
            ForEachSample(d.Shape, q => { if (owner[q]) covered++; });
            var visible = owner.Count(o => o);
            if (visible - covered < MinVisibleShare * unoccluded) Paint(d.Shape, d.Colour, colour, null, under: owner);
            else Paint(d.Shape, d.Colour, colour, owner, clear: true);
        }

        var grain = Uniform(random, 0.015, 0.04);
        var luminanceGrain = Uniform(random, 0, 0.02);
        var rgba = new float[Width * Height * 4];
        var truth = new byte[Width * Height];
        const float share = 1f / (Supersampling * Supersampling);
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
            {
                var p = y * Width + x;
                float r = 0, g = 0, b = 0;
                var inside = 0;
                for (var v = 0; v < Supersampling; v++)
                    for (var u = 0; u < Supersampling; u++)
                    {
                        var q = (y * Supersampling + v) * n + x * Supersampling + u;
                        r += colour[3 * q];
                        g += colour[3 * q + 1];
                        b += colour[3 * q + 2];
                        if (owner[q]) inside++;
                    }
                var common = luminanceGrain * Gaussian(random);
                rgba[4 * p] = Grainy(r * share);
                rgba[4 * p + 1] = Grainy(g * share);
                rgba[4 * p + 2] = Grainy(b * share);
                rgba[4 * p + 3] = 1f;
                truth[p] = inside * share >= 0.5f ? (byte)1 : (byte)0;

                float Grainy(float value) => (float)Math.Clamp(value + common + grain * Gaussian(random), 0, 1);
            }
        return new HeldOutScene(Width, Height, rgba, truth, target.Kind, background, WellInside(truth, random));
    }

    /// <summary>
    /// The second click: background at the deepest pixel of the largest region wrongly included; when nothing
    /// was wrongly included, the usual refinement click (the deepest pixel of the largest region missed); null when exact.
    /// </summary>
    public static HeldOutClick? SecondClick(ReadOnlySpan<byte> truth, ReadOnlySpan<byte> predicted)
    {
        var spilled = new byte[truth.Length];
        for (var p = 0; p < truth.Length; p++) spilled[p] = truth[p] == 0 && predicted[p] != 0 ? (byte)1 : (byte)0;
        var labels = new int[truth.Length];
        var areas = BinaryRegions.Label(spilled, Width, Height, labels);
        var largest = 0;
        for (var label = 1; label < areas.Length; label++)
            if (areas[label] > areas[largest]) largest = label;
        if (largest == 0) return RefinementOf(truth, predicted);
        for (var p = 0; p < truth.Length; p++) spilled[p] = labels[p] == largest ? (byte)1 : (byte)0;
        var (x, y, _) = BinaryRegions.Deepest(spilled, Width, Height);
        return new HeldOutClick(x, y, Positive: false);
    }

    private static HeldOutClick? RefinementOf(ReadOnlySpan<byte> truth, ReadOnlySpan<byte> predicted)
    {
        var missed = new byte[truth.Length];
        var any = false;
        for (var p = 0; p < truth.Length; p++)
            if (truth[p] != 0 && predicted[p] == 0) (missed[p], any) = (1, true);
        if (!any) return null;
        var labels = new int[truth.Length];
        var areas = BinaryRegions.Label(missed, Width, Height, labels);
        var largest = 1;
        for (var label = 2; label < areas.Length; label++)
            if (areas[label] > areas[largest]) largest = label;
        for (var p = 0; p < truth.Length; p++) missed[p] = labels[p] == largest ? (byte)1 : (byte)0;
        var (x, y, _) = BinaryRegions.Deepest(missed, Width, Height);
        return new HeldOutClick(x, y, Positive: true);
    }

    private static HeldOutClick WellInside(byte[] truth, Random random)
    {
        var depth = new float[truth.Length];
        BinaryRegions.DistanceToOutside(truth, Width, Height, depth);
        var deepest = depth.Max();
        var candidates = Enumerable.Range(0, depth.Length).Where(p => depth[p] >= 0.5f * deepest).ToArray();
        var chosen = candidates[random.Next(candidates.Length)];
        return new HeldOutClick(chosen % Width, chosen / Width, Positive: true);
    }

    /// <summary>5-9 HSV palette colours mixed by the soft maximum of as many value-noise fields (two octaves each).</summary>
    private static void PaintBlotches(Random random, float[] colour)
    {
        var k = random.Next(5, 10);
        var palette = Enumerable.Range(0, k).Select(_ => HsvColour(random)).ToArray();
        var fields = Enumerable.Range(0, k).Select(_ =>
        {
            var cell = Uniform(random, 20, 70);
            return (Coarse: NoiseOver(random, cell), Fine: NoiseOver(random, cell / 3));
        }).ToArray();
        var sharpness = Uniform(random, 4, 30);
        int n = Width * Supersampling, m = Height * Supersampling;
        var weights = new double[k];
        for (var sy = 0; sy < m; sy++)
            for (var sx = 0; sx < n; sx++)
            {
                double x = (sx + 0.5) / Supersampling, y = (sy + 0.5) / Supersampling;
                var top = double.NegativeInfinity;
                for (var i = 0; i < k; i++)
                {
                    weights[i] = fields[i].Coarse.At(x, y) + 0.35 * fields[i].Fine.At(x, y);
                    top = Math.Max(top, weights[i]);
                }
                double sum = 0, r = 0, g = 0, b = 0;
                for (var i = 0; i < k; i++)
                {
                    var w = Math.Exp(sharpness * (weights[i] - top));
                    sum += w;
                    r += w * palette[i][0];
                    g += w * palette[i][1];
                    b += w * palette[i][2];
                }
                var q = 3 * (sy * n + sx);
                (colour[q], colour[q + 1], colour[q + 2]) = ((float)(r / sum), (float)(g / sum), (float)(b / sum));
            }
    }

    /// <summary>A crop of <paramref name="photo"/> enlarged 1-1.5x (bilinear), mirrored half the time.</summary>
    private static void PaintPhoto(Random random, Srgb8Image photo, float[] colour)
    {
        var scale = Uniform(random, 1.0, 1.5);
        var portrait = photo.Height > photo.Width;
        // The scene's pixel (x, y) reads the photo at (x0 + x / scale, y0 + y / scale), transposed for a portrait photo.
        double spanX = Width / scale, spanY = Height / scale;
        int pw = portrait ? photo.Height : photo.Width, ph = portrait ? photo.Width : photo.Height;
        var x0 = Uniform(random, 0, Math.Max(0, pw - spanX - 1));
        var y0 = Uniform(random, 0, Math.Max(0, ph - spanY - 1));
        var mirror = random.NextDouble() < 0.5;
        int n = Width * Supersampling, m = Height * Supersampling;
        for (var sy = 0; sy < m; sy++)
            for (var sx = 0; sx < n; sx++)
            {
                var x = (sx + 0.5) / Supersampling;
                if (mirror) x = Width - x;
                double u = x0 + x / scale - 0.5, v = y0 + (sy + 0.5) / Supersampling / scale - 0.5;
                var q = 3 * (sy * n + sx);
                for (var c = 0; c < 3; c++) colour[q + c] = Bilinear(photo, portrait ? v : u, portrait ? u : v, c);
            }
    }

    private static float Bilinear(Srgb8Image photo, double x, double y, int channel)
    {
        x = Math.Clamp(x, 0, photo.Width - 1);
        y = Math.Clamp(y, 0, photo.Height - 1);
        int ix = Math.Min((int)x, photo.Width - 2), iy = Math.Min((int)y, photo.Height - 2);
        double fx = x - ix, fy = y - iy;
        double At(int px, int py) => photo.Rgb[3 * (py * photo.Width + px) + channel] / 255.0;
        var top = At(ix, iy) + fx * (At(ix + 1, iy) - At(ix, iy));
        var bottom = At(ix, iy + 1) + fx * (At(ix + 1, iy + 1) - At(ix, iy + 1));
        return (float)(top + fy * (bottom - top));
    }

    private static Outline TargetShape(Random random)
    {
        var kind = (HeldOutShape)random.Next(4);
        var radius = Uniform(random, 0.12, 0.28) * Height;
        double cx = Uniform(random, radius, Width - radius), cy = Uniform(random, radius, Height - radius);
        var rotation = Uniform(random, 0, 2 * Math.PI);
        return kind switch
        {
            HeldOutShape.Ellipse => Outline.Ellipse(kind, cx, cy, radius, radius * Uniform(random, 0.5, 1.0), rotation),
            HeldOutShape.Quadrilateral => Outline.Polygon(kind, cx, cy, radius,
                Enumerable.Range(0, 4).Select(k => (rotation + Math.PI / 2 * k + Uniform(random, -0.35, 0.35), radius * Uniform(random, 0.7, 1.0)))),
            HeldOutShape.Pentagon => Outline.Polygon(kind, cx, cy, radius, Enumerable.Range(0, 5).Select(k => (rotation + 2 * Math.PI * k / 5, radius))),
            _ => Star(random, kind, cx, cy, radius, rotation),
        };
    }

    private static Outline Star(Random random, HeldOutShape kind, double cx, double cy, double radius, double rotation)
    {
        var points = random.Next(5, 7);
        var inner = Uniform(random, 0.45, 0.6);
        return Outline.Polygon(kind, cx, cy, radius,
            Enumerable.Range(0, 2 * points).Select(k => (rotation + Math.PI * k / points, k % 2 == 0 ? radius : inner * radius)));
    }

    /// <summary>A rotated rectangle, a triangle or an ellipse.</summary>
    private static Outline Distractor(Random random, double cx, double cy, double radius)
    {
        var rotation = Uniform(random, 0, 2 * Math.PI);
        switch (random.Next(3))
        {
            case 0:
            {
                var half = Uniform(random, 0.25, 0.6); // the rectangle's half-angle at the centre
                double[] angles = [half, Math.PI - half, Math.PI + half, -half];
                return Outline.Polygon(HeldOutShape.Quadrilateral, cx, cy, radius, angles.Select(a => (rotation + a, radius)));
            }
            case 1:
                return Outline.Polygon(HeldOutShape.Quadrilateral, cx, cy, radius,
                    Enumerable.Range(0, 3).Select(k => (rotation + 2 * Math.PI * k / 3 + Uniform(random, -0.3, 0.3), radius * Uniform(random, 0.7, 1.0))));
            default:
                return Outline.Ellipse(HeldOutShape.Ellipse, cx, cy, radius, radius * Uniform(random, 0.3, 1.0), rotation);
        }
    }

    /// <summary>
    /// Paints <paramref name="shape"/> in <paramref name="fill"/>: where <paramref name="under"/> is set the sample is left
    /// alone; <paramref name="owner"/> gains the painted samples, or loses them with <paramref name="clear"/>.
    /// </summary>
    private static void Paint(Outline shape, float[] fill, float[] colour, bool[]? owner, bool clear = false, bool[]? under = null) =>
        ForEachSample(shape, q =>
        {
            if (under is not null && under[q]) return;
            (colour[3 * q], colour[3 * q + 1], colour[3 * q + 2]) = (fill[0], fill[1], fill[2]);
            if (owner is not null) owner[q] = !clear;
        });

    private static void ForEachSample(Outline shape, Action<int> action)
    {
        int n = Width * Supersampling, m = Height * Supersampling;
        int x0 = Math.Max(0, (int)((shape.Cx - shape.Radius) * Supersampling) - 1), x1 = Math.Min(n, (int)((shape.Cx + shape.Radius) * Supersampling) + 2);
        int y0 = Math.Max(0, (int)((shape.Cy - shape.Radius) * Supersampling) - 1), y1 = Math.Min(m, (int)((shape.Cy + shape.Radius) * Supersampling) + 2);
        for (var sy = y0; sy < y1; sy++)
            for (var sx = x0; sx < x1; sx++)
                if (shape.Contains((sx + 0.5) / Supersampling - shape.Cx, (sy + 0.5) / Supersampling - shape.Cy))
                    action(sy * n + sx);
    }

    private static float[] HsvColour(Random random)
    {
        double h = Uniform(random, 0, 6), s = Uniform(random, 0.25, 1), v = Uniform(random, 0.2, 1);
        var f = h - Math.Floor(h);
        double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        var (r, g, b) = ((int)h % 6) switch { 0 => (v, t, p), 1 => (q, v, p), 2 => (p, v, t), 3 => (p, q, v), 4 => (t, p, v), _ => (v, p, q) };
        return [(float)r, (float)g, (float)b];
    }

    /// <summary>A shape: centre, outer radius and an inside test for offsets from the centre.</summary>
    private sealed class Outline
    {
        private double[] _polygon = [];
        private double _major, _minor, _cos, _sin;
        private bool _isEllipse;

        public HeldOutShape Kind { get; private init; }
        public double Cx { get; private init; }
        public double Cy { get; private init; }
        public double Radius { get; private init; }

        public static Outline Ellipse(HeldOutShape kind, double cx, double cy, double major, double minor, double rotation) =>
            new() { Kind = kind, Cx = cx, Cy = cy, Radius = major, _major = major, _minor = minor, _cos = Math.Cos(rotation), _sin = Math.Sin(rotation), _isEllipse = true };

        /// <summary>A polygon of vertices given as (angle, radius) around the centre.</summary>
        public static Outline Polygon(HeldOutShape kind, double cx, double cy, double radius, IEnumerable<(double Angle, double Radius)> vertices) =>
            new() { Kind = kind, Cx = cx, Cy = cy, Radius = radius, _polygon = vertices.SelectMany(v => new[] { v.Radius * Math.Cos(v.Angle), v.Radius * Math.Sin(v.Angle) }).ToArray() };

        public bool Contains(double dx, double dy)
        {
            if (_isEllipse)
            {
                double a = (dx * _cos + dy * _sin) / _major, b = (-dx * _sin + dy * _cos) / _minor;
                return a * a + b * b <= 1;
            }
            var inside = false;
            var count = _polygon.Length / 2;
            for (int i = 0, j = count - 1; i < count; j = i++)
            {
                double xi = _polygon[2 * i], yi = _polygon[2 * i + 1], xj = _polygon[2 * j], yj = _polygon[2 * j + 1];
                if ((yi > dy) != (yj > dy) && dx < (xj - xi) * (dy - yi) / (yj - yi) + xi) inside = !inside;
            }
            return inside;
        }
    }

    /// <summary>Value noise over the whole canvas with a lattice point every <paramref name="cell"/> px.</summary>
    private static ValueNoise NoiseOver(Random random, double cell) => new(random, cell, (int)(Math.Max(Width, Height) / cell) + 3);
}
