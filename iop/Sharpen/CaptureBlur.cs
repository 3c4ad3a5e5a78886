using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Sharpen;

/// <summary>
/// The capture blur of a raw, measured at its edges by re-blurring (the gradient ratio of Zhuo and Sim's defocus
/// estimate): at a step edge blurred by a Gaussian of σ, the peak gradient falls by <c>R = sqrt(σ² + σ0²) / σ</c>
/// when a further Gaussian of σ0 is applied, so <c>σ² = σ0² / (R² - 1)</c>. Rows are read across edges whose
/// gradient runs along them (columns likewise), on the raw's luminance (the white-balanced sum of each CFA cell
/// window, whose box blur is known), at peaks of clean, monotonic steps. Scene softness only widens edges, so the
/// sharpest of the image's strongest edges (a low quantile) bound the optics' blur. Some sharp photographs' sharpest
/// edges are soft (kodim07), so a second reading vetoes it: the finest band's energy against the next one's, which a
/// blur worth undoing cuts by half or more. One value per raw, from its central part, so every region and tile
/// sharpens alike.
/// </summary>
public static class CaptureBlur
{
    /// <summary>The re-blur σ0 (pixels).</summary>
    private const double Reblur = 1.0;

    /// <summary>
    /// σ (pixels) that a sharp capture measures here beyond the cell window's box (the central difference's own
    /// spread and the softness of the scene's sharpest edges): Kodak 1-24 as identity raws measure 0.73-1.09, median
    /// 0.82. Only blur beyond it counts. The fine-detail veto keeps sharp raws whose edges measure more (kodim07,
    /// 1.09) alone, so this need not be the largest: Kodak 1-24 blurred by σ 1 gain 2.11 dB with 0.9, 1.09 dB with
    /// 1.0, 2.39 dB with 0.8 (whose overestimate costs kodim23 blurred by σ 0.6 0.44 dB; none loses with 0.9).
    /// </summary>
    private const double SharpSigma = 0.9;

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

    /// <summary>
    /// The <see cref="Reading.FineDetail"/> at and above which a raw counts as sharp whatever its edges measure: Kodak
    /// 1-24 as identity raws read 0.83-1.75 (kodim07, whose sharpest edges measure as a blurred image's, 0.83);
    /// blurred by σ 1 px they read 0.40-0.64, and the tests' 384x256 centres of 1, 8, 19 and 23 0.47-0.73 (noise
    /// 0.04 moves these by under 0.01 once the noise model's share is out). Between the two, geometrically.
    /// </summary>
    private const double SharpDetail = 0.78;

    /// <summary>The re-blur of the middle band's coarse end (pixels).</summary>
    private const double CoarseReblur = 2.0;

    /// <summary>
    /// What the raw's luminance says of its capture blur: <paramref name="Sigma"/>, that of its sharpest strong edges
    /// (pixels, the cell window's box taken out; 0 when too few edges qualify), and <paramref name="FineDetail"/>, the
    /// energy of the finest band (the luminance less its re-blur by σ0) over that of the next (the re-blur less one by
    /// <see cref="CoarseReblur"/>), in 2-D, the noise model's share of each taken out. A Gaussian blur of σ 1 px
    /// divides it by 2 to 3 on the Kodak set, whose sharp images span 2 to 1 themselves.
    /// </summary>
    public readonly record struct Reading(double Sigma, double FineDetail);

    /// <summary>
    /// Standard deviation (pixels) of the Gaussian blur beyond a sharp capture's; 0 when none shows. Only a DNG
    /// NoiseProfile's noise is taken out of the bands: an estimated model reads fine texture as noise, which would
    /// make a sharp raw look blurred (the safe side is the other: noise read as detail leaves a raw alone).
    /// </summary>
    public static double Of(RawImage raw, ChannelLevels whiteBalance)
    {
        var reading = Read(raw, whiteBalance, NoiseModel.Profiled(raw) ?? new NoiseModel(0, 0));
        if (reading.FineDetail >= SharpDetail) return 0;
        var extra = (reading.Sigma * reading.Sigma - SharpSigma * SharpSigma) * Underestimate;
        return extra > 0 ? Math.Sqrt(extra) : 0;
    }

    /// <summary>The raw's <see cref="Reading"/> over the central <see cref="Extent"/> square.</summary>
    public static Reading Read(RawImage raw, ChannelLevels whiteBalance, NoiseModel noise)
    {
        var luminance = Luminance(raw, whiteBalance, noise, out var box, out var width, out var height, out var sampleVariance);
        var (fine, middle, positions) = BandEnergies(luminance, width, height);
        // Each luminance value sums box x box independent samples.
        fine = Math.Max(fine - positions * sampleVariance * NoiseEnergy(Band(Delta, Gaussian(Reblur)), box), 0);
        middle = Math.Max(middle - positions * sampleVariance * NoiseEnergy(Band(Gaussian(Reblur), Gaussian(CoarseReblur)), box), 1e-30);
        var detail = fine / middle;
        var variances = new List<(float Strength, float Variance)>();
        Measure(luminance, width, height, alongRows: true, variances);
        Measure(luminance, width, height, alongRows: false, variances);
        if (variances.Count < 50) return new Reading(0, detail);
        variances.Sort((a, b) => b.Strength.CompareTo(a.Strength));
        var strongest = variances.Take(Math.Max(50, (int)(variances.Count * StrongestShare))).Select(v => v.Variance).Order().ToArray();
        // A box of b pixels spreads by (b² - 1) / 12.
        var variance = strongest[(int)(strongest.Length * SharpestQuantile)] - (box * box - 1) / 12.0;
        return new Reading(variance > 0 ? Math.Sqrt(variance) : 0, detail);
    }

    private static readonly float[] Delta = [1];

    /// <summary>
    /// Energies of the finest band (the image less its re-blur by σ0) and of the next (that re-blur less one by
    /// <see cref="CoarseReblur"/>), 2-D, on every <see cref="Stride"/>-th row, and the positions summed.
    /// </summary>
    private static (double Fine, double Middle, long Positions) BandEnergies(float[] image, int width, int height)
    {
        float[] weights = Gaussian(Reblur), coarseWeights = Gaussian(CoarseReblur);
        var reach = coarseWeights.Length - 1;
        var rows = new float[image.Length];
        var coarseRows = new float[image.Length];
        var line = new float[width];
        var blurred = new float[width];
        for (var y = 0; y < height; y++)
        {
            image.AsSpan(y * width, width).CopyTo(line);
            Blur(line, blurred, weights);
            blurred.CopyTo(rows, y * width);
            Blur(line, blurred, coarseWeights);
            blurred.CopyTo(coarseRows, y * width);
        }
        double fine = 0, middle = 0;
        long positions = 0;
        for (var y = reach; y + reach < height; y += Stride)
            for (var x = reach; x + reach < width; x++)
            {
                var at = y * width + x;
                double reblurred = rows[at] * weights[0], coarse = coarseRows[at] * coarseWeights[0];
                for (var k = 1; k < weights.Length; k++) reblurred += (rows[at - k * width] + rows[at + k * width]) * weights[k];
                for (var k = 1; k <= reach; k++) coarse += (coarseRows[at - k * width] + coarseRows[at + k * width]) * coarseWeights[k];
                double f = image[at] - reblurred, m = reblurred - coarse;
                fine += f * f;
                middle += m * m;
                positions++;
            }
        return (fine, middle, positions);
    }

    /// <summary>The 2-D band kernel (square, odd side) of separable Gaussian half-kernel <paramref name="a"/> less <paramref name="b"/>'s.</summary>
    private static double[,] Band(float[] a, float[] b)
    {
        var reach = Math.Max(a.Length, b.Length) - 1;
        double Tap(float[] half, int k) => Math.Abs(k) < half.Length ? half[Math.Abs(k)] : 0;
        var kernel = new double[2 * reach + 1, 2 * reach + 1];
        for (var i = -reach; i <= reach; i++)
            for (var j = -reach; j <= reach; j++) kernel[i + reach, j + reach] = Tap(a, i) * Tap(a, j) - Tap(b, i) * Tap(b, j);
        return kernel;
    }

    /// <summary>Energy a band kernel passes of unit-variance white noise summed over <paramref name="box"/> x <paramref name="box"/> windows.</summary>
    private static double NoiseEnergy(double[,] kernel, int box)
    {
        var side = kernel.GetLength(0);
        var energy = 0.0;
        for (var i = 0; i < side + box - 1; i++)
            for (var j = 0; j < side + box - 1; j++)
            {
                var tap = 0.0;
                for (var k = Math.Max(0, i - box + 1); k <= Math.Min(i, side - 1); k++)
                    for (var l = Math.Max(0, j - box + 1); l <= Math.Min(j, side - 1); l++) tap += kernel[k, l];
                energy += tap * tap;
            }
        return energy;
    }

    /// <summary>
    /// The white-balanced sum of each CFA-cell-sized window (2x2 Bayer, 3x3 X-Trans, 1x1 linear) over the central
    /// <see cref="Extent"/> square (at most), normalised to white = 1: a full-resolution luminance that needs no
    /// demosaic, blurred by a box of <paramref name="box"/> pixels; <paramref name="w"/> x <paramref name="h"/>.
    /// <paramref name="sampleVariance"/> is the noise model's mean variance of one summed value (a sample; a linear raw's pixel).
    /// </summary>
    private static float[] Luminance(RawImage raw, ChannelLevels whiteBalance, NoiseModel noise, out int box, out int w, out int h, out double sampleVariance)
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
        var variance = 0.0;
        // A gain g scales a sample x (white = 1) of variance shot x + read to one of variance g² (shot x + read).
        // Clipped samples carry no noise.
        double Variance(float gain, float level) => level >= 1 ? 0 : gain * gain * (noise.Shot * Math.Max(level, 0) + noise.Read);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                float value;
                if (raw.Cfa is { } cfa)
                {
                    var gain = gains[Math.Min(cfa.ColorAt(top + y, left + x), 2)];
                    var level = (float)((raw.VisibleSample(top + y, left + x) - black) * scale);
                    value = gain * level;
                    variance += Variance(gain, level);
                }
                else
                {
                    value = 0;
                    for (var c = 0; c < Math.Min(3, raw.SamplesPerPixel); c++)
                    {
                        var level = (float)((raw.VisibleSample(top + y, left + x, c) - black) * scale);
                        value += gains[c] * level;
                        variance += Variance(gains[c], level);
                    }
                }
                samples[y * width + x] = value;
            }
        sampleVariance = variance / Math.Max(width * height, 1);
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
            Blur(line, blurred, weights);
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

    /// <summary>The line convolved with a symmetric half-kernel, ends repeated.</summary>
    private static void Blur(float[] line, float[] blurred, float[] weights)
    {
        var (length, reach) = (line.Length, weights.Length - 1);
        for (var i = 0; i < length; i++)
        {
            var sum = line[i] * weights[0];
            for (var k = 1; k <= reach; k++) sum += (line[Math.Max(i - k, 0)] + line[Math.Min(i + k, length - 1)]) * weights[k];
            blurred[i] = sum;
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
