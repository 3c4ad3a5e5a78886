using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Sharpen;

/// <summary>
/// The capture blur of a raw, measured at its edges by re-blurring (the gradient ratio of Zhuo and Sim's defocus
/// estimate): at a step edge blurred by a Gaussian of σ, the peak gradient falls by <c>R = sqrt(σ² + σ0²) / σ</c>
/// when a further Gaussian of σ0 is applied, so <c>σ² = σ0² / (R² - 1)</c>. Rows are read across edges whose
/// gradient runs along them (columns likewise), on the raw's luminance (the white-balanced sum of each CFA cell
/// window, whose box blur is known), at peaks of clean, monotonic steps. Scene softness only widens edges, so the
/// sharpest of the image's strongest edges (a low quantile) bound the optics' blur. One value per raw, from its
/// central part, so every region and tile sharpens alike.
/// </summary>
public static class CaptureBlur
{
    /// <summary>The re-blur σ0 (pixels).</summary>
    private const double Reblur = 1.0;

    /// <summary>
    /// σ (pixels) that a sharp capture measures here beyond the cell window's box (the central difference's own
    /// spread and the softness of the scene's sharpest edges): Kodak 1-24 as identity raws measure 0.73-1.09, median
    /// 0.82. Only blur beyond it counts; a photograph whose sharpest edges are soft looks blurred to this measure
    /// (kodim07 is the one Kodak image at the limit).
    /// </summary>
    private const double SharpSigma = 1.0;

    /// <summary>
    /// A Gaussian blur of variance v adds about v / 2 to the variance measured here (Kodak 1-24 blurred by σ 1:
    /// 0.82 -> 1.11 median; neighbouring edges and texture narrow the measured steps), so the excess is doubled.
    /// </summary>
    private const double Underestimate = 2.0;

    /// <summary>The quantile of the strongest edges' σ² taken: the sharpest few, above single-edge flukes.</summary>
    private const double SharpestQuantile = 0.05;

    /// <summary>The largest central square (pixels a side) read: the estimate is stable long before, and commit stays cheap.</summary>
    private const int Extent = 2048;

    /// <summary>Half-width (pixels) over which a step must rise or fall monotonically to count.</summary>
    private const int StepReach = 3;

    /// <summary>The share of the strongest qualifying edges whose median gives the blur.</summary>
    private const double StrongestShare = 0.25;

    /// <summary>Rows (and columns) sampled: every <c>Stride</c>-th one, enough for a stable median.</summary>
    private const int Stride = 3;

    /// <summary>Standard deviation (pixels) of the Gaussian blur beyond a sharp capture's; 0 when none shows.</summary>
    public static double Of(RawImage raw, ChannelLevels whiteBalance)
    {
        var measured = Measured(raw, whiteBalance);
        var extra = (measured * measured - SharpSigma * SharpSigma) * Underestimate;
        return extra > 0 ? Math.Sqrt(extra) : 0;
    }

    /// <summary>σ (pixels) of the raw's sharpest strong edges, the cell window's box taken out; 0 when too few edges qualify.</summary>
    public static double Measured(RawImage raw, ChannelLevels whiteBalance)
    {
        var luminance = Luminance(raw, whiteBalance, out var box, out var width, out var height);
        var variances = new List<(float Strength, float Variance)>();
        Measure(luminance, width, height, alongRows: true, variances);
        Measure(luminance, width, height, alongRows: false, variances);
        if (variances.Count < 50) return 0;
        variances.Sort((a, b) => b.Strength.CompareTo(a.Strength));
        var strongest = variances.Take(Math.Max(50, (int)(variances.Count * StrongestShare))).Select(v => v.Variance).Order().ToArray();
        // A box of b pixels spreads by (b² - 1) / 12.
        var variance = strongest[(int)(strongest.Length * SharpestQuantile)] - (box * box - 1) / 12.0;
        return variance > 0 ? Math.Sqrt(variance) : 0;
    }

    /// <summary>
    /// The white-balanced sum of each CFA-cell-sized window (2x2 Bayer, 3x3 X-Trans, 1x1 linear) over the central
    /// <see cref="Extent"/> square (at most), normalised to white = 1: a full-resolution luminance that needs no
    /// demosaic, blurred by a box of <paramref name="box"/> pixels; <paramref name="w"/> x <paramref name="h"/>.
    /// </summary>
    private static float[] Luminance(RawImage raw, ChannelLevels whiteBalance, out int box, out int w, out int h)
    {
        box = raw.Cfa is null ? 1 : raw.Cfa.Kind == CfaKind.Bayer ? 2 : 3;
        int width = Math.Min(raw.Visible.Width, Extent), height = Math.Min(raw.Visible.Height, Extent);
        // Whole CFA cells from the visible origin, so the window's colours are the raw's.
        int left = (raw.Visible.Width - width) / 2 / 6 * 6, top = (raw.Visible.Height - height) / 2 / 6 * 6;
        w = Math.Max(width - box + 1, 0);
        h = Math.Max(height - box + 1, 0);
        var black = raw.Black.Mean;
        var scale = 1 / Math.Max(raw.White - black, 1);
        var samples = new float[width * height];
        var gains = new[] { (float)whiteBalance.R, (float)whiteBalance.G, (float)whiteBalance.B };
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                float value;
                if (raw.Cfa is { } cfa) value = gains[Math.Min(cfa.ColorAt(top + y, left + x), 2)] * (raw.VisibleSample(top + y, left + x) - black);
                else
                {
                    value = 0;
                    for (var c = 0; c < Math.Min(3, raw.SamplesPerPixel); c++) value += gains[c] * (raw.VisibleSample(top + y, left + x, c) - black);
                }
                samples[y * width + x] = value * scale;
            }
        var result = new float[w * h];
        var (rw, rh) = (w, h);
        for (var y = 0; y < rh; y++)
            for (var x = 0; x < rw; x++)
            {
                float sum = 0;
                for (var dy = 0; dy < box; dy++)
                    for (var dx = 0; dx < box; dx++) sum += samples[(y + dy) * width + x + dx];
                result[y * rw + x] = sum;
            }
        return result;
    }

    /// <summary>Adds (edge strength, σ² measured) for the qualifying edge peaks on every <see cref="Stride"/>-th row (or column).</summary>
    private static void Measure(float[] image, int width, int height, bool alongRows, List<(float, float)> variances)
    {
        var (lines, length) = alongRows ? (height, width) : (width, height);
        var weights = Gaussian(Reblur);
        var reach = weights.Length - 1;
        var line = new float[length];
        var blurred = new float[length];
        for (var l = 1; l + 1 < lines; l += Stride)
        {
            float At(int across, int along) => alongRows ? image[across * width + along] : image[along * width + across];
            for (var i = 0; i < length; i++) line[i] = At(l, i);
            for (var i = 0; i < length; i++)
            {
                var sum = line[i] * weights[0];
                for (var k = 1; k <= reach; k++) sum += (line[Math.Max(i - k, 0)] + line[Math.Min(i + k, length - 1)]) * weights[k];
                blurred[i] = sum;
            }
            for (var i = StepReach + reach; i + StepReach + reach < length; i++)
            {
                var along = 0.5f * (line[i + 1] - line[i - 1]);
                var magnitude = MathF.Abs(along);
                if (magnitude <= 1e-4f || magnitude < MathF.Abs(0.5f * (line[i] - line[i - 2])) || magnitude <= MathF.Abs(0.5f * (line[i + 2] - line[i]))) continue;
                // The gradient runs along the line (within about 18 degrees), so the line crosses the edge square on.
                var across = 0.5f * (At(l + 1, i) - At(l - 1, i));
                if (MathF.Abs(across) * 3 > magnitude) continue;
                if (!Monotonic(line, i, Math.Sign(along))) continue;
                var ratio = magnitude / MathF.Abs(0.5f * (blurred[i + 1] - blurred[i - 1]));
                var variance = ratio > 1.0001f ? (float)(Reblur * Reblur / (ratio * ratio - 1)) : 0;
                variances.Add((magnitude, Math.Min(variance, 100f)));
            }
        }
    }

    /// <summary>Whether the line rises (or falls) steadily over <see cref="StepReach"/> pixels each side of <paramref name="i"/>: a step, not a line or texture.</summary>
    private static bool Monotonic(float[] line, int i, int sign)
    {
        for (var k = i - StepReach; k < i + StepReach; k++)
            if (sign * (line[k + 1] - line[k]) < 0) return false;
        return true;
    }

    /// <summary>Normalised half-kernel (centre first) of a Gaussian of <paramref name="sigma"/> pixels, to 3 σ.</summary>
    internal static float[] Gaussian(double sigma)
    {
        var reach = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var weights = new float[reach + 1];
        for (var k = 0; k <= reach; k++) weights[k] = (float)Math.Exp(-k * k / (2 * sigma * sigma));
        var total = weights[0] + 2 * weights.Skip(1).Sum();
        for (var k = 0; k <= reach; k++) weights[k] /= total;
        return weights;
    }
}
