using System.Numerics;
using System.Runtime.InteropServices;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Denoise;

public sealed record DenoiseParams : OperationParams
{
    [ParamRange(0, 4), ParamDescription("Scales the wavelet thresholds the noise model gives: 0 leaves the image alone, 1 is the measured noise.")]
    public double Strength { get; init; } = 1;

    [ParamRange(0, 4), ParamDescription("Colour noise thresholds relative to luminance ones (colour noise goes harder at the same strength).")]
    public double Chroma { get; init; } = 1.5;
}

/// <summary>
/// Classical denoise (darktable's profiled wavelet denoise, in spirit) on linear, white-balanced camera RGB
/// after demosaic. Each channel goes through the generalised Anscombe transform of the image's
/// Poisson-Gaussian noise (<see cref="NoiseModel.Estimate"/>, from the raw's samples), so the noise has unit
/// variance everywhere; an orthonormal luminance/colour rotation keeps it so; an à-trous B3-spline wavelet
/// (five levels, reach 62 px) splits it into detail bands whose coefficients are shrunk (non-negative garrote)
/// against thresholds proportional to each band's noise; then everything is undone.
/// </summary>
public sealed class DenoiseOperation : ImageOperation<DenoiseParams, DenoiseOperation.Setup>
{
    private static readonly float[] B3 = [6 / 16f, 4 / 16f, 1 / 16f];

    /// <summary>Standard deviation of each à-trous band of unit white noise (B3 spline; Starck, Murtagh).</summary>
    private static readonly float[] BandNoise = [0.8907f, 0.2007f, 0.0856f, 0.0413f, 0.0205f];

    /// <summary>Garrote thresholds in band-noise units per level: the finest band needs more (demosaic's
    /// correlated noise puts less there than white noise would, the rest of the fit absorbs the difference).</summary>
    private static readonly float[] LevelFactor = [1.2f, 1.6f, 1.4f, 1.0f, 0.7f];

    public static readonly int Reach = 2 * ((1 << BandNoise.Length) - 1);

    /// <summary>Per-channel variance <c>Shot[c] * y + Read[c]</c> of white-balanced samples y, and the shrink strength.</summary>
    public sealed record Setup(float[] Shot, float[] Read, float Strength, float Chroma);

    public override OperationInfo Info { get; } = new("denoise", 1, "Denoise (wavelets)",
        OperationFlags.TilingAllowed | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearCamera | ColorEncoding.LinearWorking),
        new TilingNeeds(MemoryFactor: 6, Overlap: Reach));

    protected override Setup Commit(DenoiseParams parameters, CommitContext context)
    {
        var noise = NoiseModel.Estimate(context.Image);
        // temperature scaled each channel by its multiplier: variance goes with its square.
        var wb = context.Input.WhiteBalance ?? new ChannelLevels(1, 1, 1);
        var shot = new float[3];
        var read = new float[3];
        for (var c = 0; c < 3; c++)
        {
            shot[c] = (float)(wb[c] * noise.Shot);
            read[c] = (float)(wb[c] * wb[c] * noise.Read);
        }
        return new Setup(shot, read, (float)parameters.Strength, (float)parameters.Chroma);
    }

    protected override void Process(ProcessContext context, Setup setup, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        int dx = roiOut.X - roiIn.X, dy = roiOut.Y - roiIn.Y;
        if (setup.Strength <= 0 || setup.Shot.All(s => s <= 0) && setup.Read.All(r => r <= 0))
        {
            RegionCopy.Run(context, input, roiIn, output, roiOut);
            return;
        }
        // A scaled-down image averaged about 1/scale^2 samples into each pixel.
        var area = (float)(roiIn.Scale * roiIn.Scale);
        var shot = setup.Shot.Select(s => Math.Max(s * area, 1e-9f)).ToArray();
        var read = setup.Read.Select(r => r * area).ToArray();

        var pool = context.Pool;
        using var current = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var coarser = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var scratch = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var sum = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);

        context.ForRows(roiIn.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++) Forward(input.Row(y), current.Row(y), roiIn.Width, shot, read);
        });

        var (fine, coarse) = (current, coarser);
        for (var level = 0; level < BandNoise.Length; level++)
        {
            var luma = setup.Strength * LevelFactor[level] * BandNoise[level];
            var thresholds = Simd.RepeatRgba(luma, luma * setup.Chroma, luma * setup.Chroma, 0);
            var step = 1 << level;
            var first = level == 0;
            SeparableFilter.Horizontal(context, fine, scratch, B3, step);
            var (f, c) = (fine, coarse);
            context.ForRows(roiIn.Height, (y0, y1) =>
            {
                for (var y = y0; y < y1; y++)
                {
                    SeparableFilter.VerticalRow(scratch, c.Row(y), y, B3, step);
                    Shrink(f.Row(y), c.Row(y), sum.Row(y), 4 * roiIn.Width, thresholds, first);
                }
            });
            (fine, coarse) = (coarse, fine);
        }

        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
                Inverse(sum.Row(y + dy).Slice(4 * dx), fine.Row(y + dy).Slice(4 * dx), input.Row(y + dy).Slice(4 * dx), output.Row(y), roiOut.Width, shot, read);
        });
    }

    /// <summary>Adds the shrunk detail band (fine - coarse) to the sum (or starts it); garrote: d - t²/d above t, else 0.</summary>
    private static void Shrink(ReadOnlySpan<float> fine, ReadOnlySpan<float> coarse, Span<float> sum, int length, Vector<float> thresholds, bool first)
    {
        var f = MemoryMarshal.Cast<float, Vector<float>>(fine[..length]);
        var c = MemoryMarshal.Cast<float, Vector<float>>(coarse[..length]);
        var s = MemoryMarshal.Cast<float, Vector<float>>(sum[..length]);
        var t2 = thresholds * thresholds;
        var tiny = new Vector<float>(1e-20f);
        for (var i = 0; i < f.Length; i++)
        {
            var d = f[i] - c[i];
            var d2 = d * d;
            var kept = Vector.ConditionalSelect(Vector.GreaterThan(d2, t2), d - t2 * d / Vector.Max(d2, tiny), Vector<float>.Zero);
            s[i] = first ? kept : s[i] + kept;
        }
        var lanes = Vector<float>.Count;
        for (var i = f.Length * lanes; i < length; i++)
        {
            var d = fine[i] - coarse[i];
            var t = thresholds[i % lanes];
            var kept = d * d > t * t ? d - t * t / d : 0;
            sum[i] = first ? kept : sum[i] + kept;
        }
    }

    private const float InvSqrt3 = 0.57735027f, InvSqrt2 = 0.70710678f, InvSqrt6 = 0.40824829f;

    /// <summary>Generalised Anscombe per channel (unit noise variance), then an orthonormal rotation to luminance and two colour axes.</summary>
    private static void Forward(ReadOnlySpan<float> source, Span<float> target, int width, float[] shot, float[] read)
    {
        for (var x = 0; x < width; x++)
        {
            var i = 4 * x;
            var r = Anscombe(source[i], shot[0], read[0]);
            var g = Anscombe(source[i + 1], shot[1], read[1]);
            var b = Anscombe(source[i + 2], shot[2], read[2]);
            target[i] = (r + g + b) * InvSqrt3;
            target[i + 1] = (r - b) * InvSqrt2;
            target[i + 2] = (r - 2 * g + b) * InvSqrt6;
            target[i + 3] = 0;
        }
    }

    /// <summary>Sum of shrunk bands plus the coarsest level, rotated back and Anscombe inverted; alpha from the input.</summary>
    private static void Inverse(ReadOnlySpan<float> detail, ReadOnlySpan<float> coarsest, ReadOnlySpan<float> source, Span<float> target, int width,
        float[] shot, float[] read)
    {
        for (var x = 0; x < width; x++)
        {
            var i = 4 * x;
            var l = detail[i] + coarsest[i];
            var c1 = detail[i + 1] + coarsest[i + 1];
            var c2 = detail[i + 2] + coarsest[i + 2];
            var r = l * InvSqrt3 + c1 * InvSqrt2 + c2 * InvSqrt6;
            var g = l * InvSqrt3 - 2 * c2 * InvSqrt6;
            var b = l * InvSqrt3 - c1 * InvSqrt2 + c2 * InvSqrt6;
            target[i] = InverseAnscombe(r, source[i], shot[0], read[0]);
            target[i + 1] = InverseAnscombe(g, source[i + 1], shot[1], read[1]);
            target[i + 2] = InverseAnscombe(b, source[i + 2], shot[2], read[2]);
            target[i + 3] = source[i + 3];
        }
    }

    /// <summary>2/a sqrt(a y + 3/8 a² + read): noise of variance a y + read becomes unit noise. Below the
    /// transform's floor (negative samples in the read noise) it continues linearly with the slope at the floor.</summary>
    private static float Anscombe(float y, float shot, float read)
    {
        var floor = 3f / 8 * shot * shot + read;
        var inside = shot * y + floor;
        var minimum = 0.25f * floor;
        return inside >= minimum
            ? 2 / shot * MathF.Sqrt(inside)
            : 2 / shot * MathF.Sqrt(minimum) + (inside - minimum) / (shot * MathF.Sqrt(minimum));
    }

    /// <summary>The inverse of <see cref="Anscombe"/>, with the asymptotically unbiased -1/8 term; highlights
    /// above white pass through (their noise is clipped away and the transform is not theirs).</summary>
    private static float InverseAnscombe(float z, float original, float shot, float read)
    {
        if (original > 1) return original;
        var floor = 3f / 8 * shot * shot + read;
        var minimum = 0.25f * floor;
        var zMin = 2 / shot * MathF.Sqrt(minimum);
        float inside;
        if (z >= zMin)
        {
            var half = z * shot / 2;
            inside = half * half - shot * shot / 8 + 3f / 8 * shot * shot;
        }
        else inside = minimum + (z - zMin) * shot * MathF.Sqrt(minimum);
        return (inside - floor) / shot;
    }
}
