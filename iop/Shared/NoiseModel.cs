using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Shared;

/// <summary>
/// Poisson-Gaussian sensor noise, <c>variance = Shot * x + Read</c> with x in units where 1.0 = white above
/// black (what rawprepare makes). One model per image, whatever region or tile is rendered.
/// </summary>
public sealed record NoiseModel(double Shot, double Read)
{
    /// <summary>The raw's DNG NoiseProfile (planes averaged) where it has one, else <see cref="Estimate"/>.</summary>
    public static NoiseModel Of(RawImage raw) => Profiled(raw) ?? Estimate(raw);

    /// <summary>The raw's DNG NoiseProfile (planes averaged); null when it has none.</summary>
    public static NoiseModel? Profiled(RawImage raw)
    {
        if (raw.NoiseProfile is not { Length: >= 2 } profile) return null;
        var pairs = profile.Length / 2;
        return new NoiseModel(Enumerable.Range(0, pairs).Average(i => profile[2 * i]), Enumerable.Range(0, pairs).Average(i => profile[2 * i + 1]));
    }

    private const int Bins = 24;
    private const double TopOfFit = 0.85; // clipped highlights have no noise left to measure

    /// <summary>
    /// Fits the model to the raw. The residual of a green sample against the mean of its four diagonal
    /// neighbours (green too in a Bayer or X-Trans mosaic; the green channel of a linear raw) cancels the scene's
    /// level and gradient and keeps 1.25 times the noise variance. Texture only makes residuals larger, so a low
    /// quantile of their magnitude per brightness bin, not their spread, gives the noise; a weighted least-squares
    /// line through the bins' variances gives shot and read noise.
    /// </summary>
    public static NoiseModel Estimate(RawImage raw)
    {
        var black = raw.Black.Mean;
        var scale = 1 / Math.Max(raw.White - black, 1);
        var rect = raw.Visible;
        var channel = raw.Cfa is null ? Math.Min(1, raw.SamplesPerPixel - 1) : 0;
        var samples = new List<float>[Bins];
        for (var b = 0; b < Bins; b++) samples[b] = [];
        // About a million residuals at most: the estimate is stable long before that, and commit stays cheap.
        var rowStep = Math.Max(1, (int)((long)rect.Width * rect.Height / 2_000_000));
        for (var y = 1; y + 1 < rect.Height; y += rowStep)
            for (var x = 1; x + 1 < rect.Width; x++)
            {
                if (raw.Cfa is { } cfa && !(cfa.ColorAt(y, x) == 1 && cfa.ColorAt(y - 1, x - 1) == 1 && cfa.ColorAt(y - 1, x + 1) == 1
                                           && cfa.ColorAt(y + 1, x - 1) == 1 && cfa.ColorAt(y + 1, x + 1) == 1)) continue;
                var centre = (raw.VisibleSample(y, x, channel) - black) * scale;
                var around = (raw.VisibleSample(y - 1, x - 1, channel) + raw.VisibleSample(y - 1, x + 1, channel)
                              + raw.VisibleSample(y + 1, x - 1, channel) + raw.VisibleSample(y + 1, x + 1, channel) - 4 * black) * scale / 4;
                var level = 0.2 * centre + 0.8 * around;
                if (level < 0 || level >= TopOfFit) continue;
                samples[(int)(level / TopOfFit * Bins)].Add(MathF.Abs((float)(centre - around)));
            }

        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var b = 0; b < Bins; b++)
        {
            var bin = samples[b];
            if (bin.Count < 200) continue;
            bin.Sort();
            var sigma = bin[(int)(bin.Count * LowQuantile)] / LowQuantileOfNormal / Math.Sqrt(1.25);
            var variance = sigma * sigma;
            var mean = (b + 0.5) / Bins * TopOfFit;
            double w = bin.Count;
            sw += w; sx += w * mean; sy += w * variance; sxx += w * mean * mean; sxy += w * mean * variance;
        }
        if (sw == 0) return new NoiseModel(0, 0);
        var det = sw * sxx - sx * sx;
        var shot = Math.Max(det > 1e-12 ? (sw * sxy - sx * sy) / det : 0, 0);
        var read = Math.Max((sy - shot * sx) / sw, 0);
        return new NoiseModel(shot, read);
    }

    /// <summary>The quantile of |residual| used, and that quantile of |N(0, 1)|.</summary>
    private const double LowQuantile = 0.25, LowQuantileOfNormal = 0.3186;

    /// <summary>Standard deviation at signal <paramref name="x"/> (1.0 = white).</summary>
    public double SigmaAt(double x) => Math.Sqrt(Math.Max(Shot * x + Read, 0));
}
