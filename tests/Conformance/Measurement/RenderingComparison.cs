using RawEngine.Engine.Color;

namespace RawEngine.Tests.Conformance;

/// <summary>
/// Mean linear-light chromaticity of a whole picture: r = R/(R+G+B), g = G/(R+G+B) of its summed R, G, B (the
/// mean colour's chromaticity; a mean of per-pixel ratios would be ruled by noise in the shadows). This is the
/// measure behind issue 12's 6D numbers (ours 0.368/0.197, LibRaw 0.285/0.245).
/// </summary>
public readonly record struct Chromaticity(double R, double G)
{
    public double DistanceTo(Chromaticity other) => Math.Max(Math.Abs(R - other.R), Math.Abs(G - other.G));

    public override string ToString() => FormattableString.Invariant($"{R:0.000}/{G:0.000}");
}

/// <summary>
/// How close our rendering of a real camera file is to LibRaw's: sizes, the one exposure gain (in EV) that
/// best matches ours to LibRaw's in linear light, PSNR of the sRGB-encoded 8x8 block means after that gain,
/// and each picture's mean linear chromaticity. PSNR is NaN when the sizes differ.
/// </summary>
public sealed record RenderingComparison(
    int Width, int Height, int OracleWidth, int OracleHeight,
    double GainEv, double BlockPsnr, Chromaticity Ours, Chromaticity Oracle,
    int Orientation, int OracleOrientation)
{
    /// <summary>Block size of the PSNR: demosaic and sharpening differ between developers; tone and colour should not.</summary>
    public const int Block = 8;

    /// <summary>A linear value at or above this in any channel of either picture is clipped, and left out of the gain.</summary>
    private const double Clipped = 0.95;

    public bool SameSize => Width == OracleWidth && Height == OracleHeight;

    public double ChromaticityDistance => Ours.DistanceTo(Oracle);

    public static RenderingComparison Compare(RgbImage ours, RgbImage oracle)
    {
        var oursLinear = Linear(ours);
        var oracleLinear = Linear(oracle);
        var sameSize = ours.Width == oracle.Width && ours.Height == oracle.Height;
        var gain = sameSize ? MatchedGain(oursLinear, oracleLinear) : MeanUnclipped(oracleLinear) / MeanUnclipped(oursLinear);
        // A black picture has no gain that matches it: score it as it is, and let the EV (infinite) say so.
        var applied = double.IsFinite(gain) && gain > 0 ? gain : 1;
        var psnr = sameSize ? BlockMeanPsnr(oursLinear, oracleLinear, ours.Width, ours.Height, applied) : double.NaN;
        return new RenderingComparison(ours.Width, ours.Height, oracle.Width, oracle.Height,
            Math.Log2(gain), psnr, MeanChromaticity(oursLinear), MeanChromaticity(oracleLinear), ours.Orientation, oracle.Orientation);
    }

    /// <summary>Each bar of the raw-real protocol (<see cref="ConformanceCorpus"/>) this comparison misses; empty when it meets them all.</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        void Miss(FormattableString problem) => problems.Add(FormattableString.Invariant(problem));
        // Negated comparisons, so that NaN and infinity (a black picture) count as misses.
        if (!SameSize) Miss($"size {Width}x{Height}, LibRaw's {OracleWidth}x{OracleHeight}");
        if (!(Math.Abs(GainEv) <= ConformanceCorpus.RealMaxGainEv))
            Miss($"gain {GainEv:+0.00;-0.00} EV to match LibRaw, beyond +-{ConformanceCorpus.RealMaxGainEv}");
        if (SameSize && !(BlockPsnr >= ConformanceCorpus.RealMinBlockPsnrDb))
            Miss($"block PSNR {BlockPsnr:0.00} dB, under {ConformanceCorpus.RealMinBlockPsnrDb}");
        if (!(ChromaticityDistance <= ConformanceCorpus.RealMaxChromaticityDistance))
            Miss($"mean chromaticity r/g {Ours}, LibRaw's {Oracle}, {ChromaticityDistance:0.000} apart (at most {ConformanceCorpus.RealMaxChromaticityDistance})");
        if (Orientation != OracleOrientation) Miss($"TIFF orientation tag {Orientation}, LibRaw's {OracleOrientation}");
        return problems;
    }

    /// <summary>
    /// Colour PSNR in dB between two pictures of encoded values in [0, 1], one MSE over the three channels of
    /// the pixels at least <paramref name="border"/> px from every edge (the raw-foreign protocol, at 16 bits).
    /// </summary>
    public static double Cpsnr(RgbImage reference, RgbImage test, int border)
    {
        if (reference.Width != test.Width || reference.Height != test.Height)
            throw new ArgumentException($"cannot compare a {test.Width}x{test.Height} picture with the reference's {reference.Width}x{reference.Height}", nameof(test));
        double squares = 0;
        long count = 0;
        for (var y = border; y < reference.Height - border; y++)
            for (var i = (y * reference.Width + border) * 3; i < (y * reference.Width + reference.Width - border) * 3; i++)
            {
                double error = reference.Rgb[i] - test.Rgb[i];
                squares += error * error;
                count++;
            }
        return squares == 0 ? double.PositiveInfinity : 10 * Math.Log10(count / squares);
    }

    /// <summary>Ratio of the means over the pixels clipped in neither picture: robust to noise, unmoved by blown highlights.</summary>
    private static double MatchedGain(double[] ours, double[] oracle)
    {
        double sumOurs = 0, sumOracle = 0;
        for (var p = 0; p < ours.Length; p += 3)
        {
            if (IsClipped(ours, p) || IsClipped(oracle, p)) continue;
            sumOurs += ours[p] + ours[p + 1] + ours[p + 2];
            sumOracle += oracle[p] + oracle[p + 1] + oracle[p + 2];
        }
        return sumOracle / sumOurs;
    }

    private static double MeanUnclipped(double[] linear)
    {
        double sum = 0;
        long count = 0;
        for (var p = 0; p < linear.Length; p += 3)
        {
            if (IsClipped(linear, p)) continue;
            sum += linear[p] + linear[p + 1] + linear[p + 2];
            count++;
        }
        return count == 0 ? 0 : sum / count;
    }

    private static bool IsClipped(double[] linear, int p) => linear[p] >= Clipped || linear[p + 1] >= Clipped || linear[p + 2] >= Clipped;

    private static double BlockMeanPsnr(double[] ours, double[] oracle, int width, int height, double gain)
    {
        var srgb = TransferFunction.Srgb;
        double squares = 0;
        long count = 0;
        for (var by = 0; by + Block <= height; by += Block)
            for (var bx = 0; bx + Block <= width; bx += Block)
                for (var c = 0; c < 3; c++)
                {
                    double a = 0, b = 0;
                    for (var y = by; y < by + Block; y++)
                        for (var x = bx; x < bx + Block; x++)
                        {
                            var i = (y * width + x) * 3 + c;
                            a += srgb.Encode(Math.Clamp(ours[i] * gain, 0, 1));
                            b += srgb.Encode(oracle[i]);
                        }
                    var error = (a - b) / (Block * Block);
                    squares += error * error;
                    count++;
                }
        return squares == 0 ? double.PositiveInfinity : 10 * Math.Log10(count / squares);
    }

    private static Chromaticity MeanChromaticity(double[] linear)
    {
        double r = 0, g = 0, b = 0;
        for (var p = 0; p < linear.Length; p += 3)
        {
            r += linear[p];
            g += linear[p + 1];
            b += linear[p + 2];
        }
        var sum = r + g + b;
        return sum == 0 ? new Chromaticity(double.NaN, double.NaN) : new Chromaticity(r / sum, g / sum);
    }

    /// <summary>Both developers write the sRGB curve (dcraw_emu's <c>-g 2.4 12.92</c> is its exact form).</summary>
    private static double[] Linear(RgbImage image)
    {
        var srgb = TransferFunction.Srgb;
        var linear = new double[image.Rgb.Length];
        for (var i = 0; i < linear.Length; i++) linear[i] = srgb.Decode(image.Rgb[i]);
        return linear;
    }
}
