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

    [ParamRange(0, 4), ParamDescription("Colour noise thresholds relative to luminance ones.")]
    public double Chroma { get; init; } = 1;
}

/// <summary>
/// Classical denoise (darktable's profiled wavelet denoise, in spirit) on linear, white-balanced camera RGB
/// after demosaic. Each channel goes through the generalised Anscombe transform of the image's
/// Poisson-Gaussian noise (<see cref="NoiseModel.Of"/>: the DNG NoiseProfile, else estimated from the raw), so the
/// noise has unit variance everywhere; an orthonormal luminance/colour rotation keeps it so; an à-trous B3-spline
/// wavelet (five levels) splits it into detail bands whose coefficients get a local Wiener gain against each band's
/// noise; then everything is undone. The whole reach (<see cref="Reach"/>) is the tiling overlap.
/// </summary>
public sealed class DenoiseOperation : ImageOperation<DenoiseParams, DenoiseOperation.Setup>
{
    private static readonly float[] B3 = [6 / 16f, 4 / 16f, 1 / 16f];

    /// <summary>
    /// Standard deviation of each à-trous band (luminance, colour 1, colour 2) of unit-variance sensor noise as it
    /// leaves the engine's demosaic, measured on a flat noisy raw: demosaic correlates the channels, so luminance
    /// holds about 1.7 times the noise white noise would and colour far less, most of it at middle scales.
    /// </summary>
    private static readonly float[][] BandNoise =
    [
        [1.339f, 0.157f, 0.097f],
        [0.352f, 0.146f, 0.105f],
        [0.147f, 0.119f, 0.091f],
        [0.071f, 0.080f, 0.061f],
        [0.037f, 0.044f, 0.032f],
    ];

    /// <summary>Noise energy the local Wiener gain removes, in band-noise units, at strength 1.</summary>
    private const float ThresholdSigmas = 1f;

    /// <summary>How far an output pixel reads: the five levels' B3 kernels (2 (1 + 2 + 4 + 8 + 16)) plus the energy smoothing (2).</summary>
    public static readonly int Reach = 2 * ((1 << BandNoise.Length) - 1) + 2;

    /// <summary>Per-channel variance <c>Shot[c] * y + Read[c]</c> of white-balanced samples y, and the shrink strength.</summary>
    public sealed record Setup(float[] Shot, float[] Read, float Strength, float Chroma)
    {
        /// <summary>Noise below a 16-bit step at mid-grey: nothing to remove (and nothing the transform could scale).</summary>
        public bool IsNoiseless => Enumerable.Range(0, 3).All(c => Shot[c] * 0.18f + Read[c] < 1e-10f);
    }

    public override OperationInfo Info { get; } = new(ModuleIds.Denoise, 1, "Denoise (wavelets)",
        OperationFlags.TilingAllowed | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearCamera | ColorEncoding.LinearWorking),
        new TilingNeeds(MemoryFactor: 7, Overlap: Reach));

    protected override Setup Commit(DenoiseParams parameters, CommitContext context)
    {
        var noise = NoiseModel.Of(context.Image);
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
        if (setup.Strength <= 0 || setup.IsNoiseless)
        {
            RegionCopy.Run(context, input, roiIn, output, roiOut);
            return;
        }
        // A scaled-down image averaged about 1/scale^2 samples into each pixel.
        var area = (float)(roiIn.Scale * roiIn.Scale);
        var read = setup.Read.Select(r => r * area).ToArray();
        // A shot term near zero would make the transform's offset 2 sqrt(read) / shot swamp float precision.
        var shot = setup.Shot.Select((s, c) => Math.Max(s * area, 0.01f * MathF.Sqrt(read[c]))).ToArray();

        var pool = context.Pool;
        using var current = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var coarser = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var scratch = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var sum = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var energy = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);

        context.ForRows(roiIn.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++) Forward(input.Row(y), current.Row(y), roiIn.Width, shot, read);
        });

        var (fine, coarse) = (current, coarser);
        for (var level = 0; level < BandNoise.Length; level++)
        {
            var k = setup.Strength * ThresholdSigmas;
            var band = BandNoise[level];
            var thresholds = Simd.RepeatRgba(k * band[0], k * setup.Chroma * band[1], k * setup.Chroma * band[2], 0);
            var step = 1 << level;
            var first = level == 0;
            SeparableFilter.Horizontal(context, fine, scratch, B3, step);
            var (f, c) = (fine, coarse);
            context.ForRows(roiIn.Height, (y0, y1) =>
            {
                for (var y = y0; y < y1; y++)
                {
                    SeparableFilter.VerticalRow(scratch, c.Row(y), y, B3, step);
                    Energy(f.Row(y), c.Row(y), energy.Row(y), 4 * roiIn.Width);
                }
            });
            // The band's local energy: its squares smoothed by the same B3 kernel at full resolution.
            SeparableFilter.Horizontal(context, energy, scratch, B3, 1);
            context.ForRows(roiIn.Height, (y0, y1) =>
            {
                for (var y = y0; y < y1; y++)
                {
                    SeparableFilter.VerticalRow(scratch, energy.Row(y), y, B3, 1);
                    Shrink(f.Row(y), c.Row(y), energy.Row(y), sum.Row(y), 4 * roiIn.Width, thresholds, first);
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

    /// <summary>The detail band's squares, (fine - coarse)².</summary>
    private static void Energy(ReadOnlySpan<float> fine, ReadOnlySpan<float> coarse, Span<float> energy, int length)
    {
        var f = MemoryMarshal.Cast<float, Vector<float>>(fine[..length]);
        var c = MemoryMarshal.Cast<float, Vector<float>>(coarse[..length]);
        var e = MemoryMarshal.Cast<float, Vector<float>>(energy[..length]);
        for (var i = 0; i < f.Length; i++)
        {
            var d = f[i] - c[i];
            e[i] = d * d;
        }
        for (var i = f.Length * Vector<float>.Count; i < length; i++) energy[i] = (fine[i] - coarse[i]) * (fine[i] - coarse[i]);
    }

    /// <summary>
    /// Adds the detail band (fine - coarse) to the sum (or starts it), each coefficient times the local Wiener
    /// gain max(0, 1 - t² / local energy): where the band holds little more than noise it goes, where the scene
    /// puts energy it stays.
    /// </summary>
    private static void Shrink(ReadOnlySpan<float> fine, ReadOnlySpan<float> coarse, ReadOnlySpan<float> energy, Span<float> sum, int length,
        Vector<float> thresholds, bool first)
    {
        var f = MemoryMarshal.Cast<float, Vector<float>>(fine[..length]);
        var c = MemoryMarshal.Cast<float, Vector<float>>(coarse[..length]);
        var e = MemoryMarshal.Cast<float, Vector<float>>(energy[..length]);
        var s = MemoryMarshal.Cast<float, Vector<float>>(sum[..length]);
        var t2 = thresholds * thresholds;
        var tiny = new Vector<float>(1e-20f);
        for (var i = 0; i < f.Length; i++)
        {
            var kept = (f[i] - c[i]) * Vector.Max(Vector<float>.One - t2 / Vector.Max(e[i], tiny), Vector<float>.Zero);
            s[i] = first ? kept : s[i] + kept;
        }
        var lanes = Vector<float>.Count;
        for (var i = f.Length * lanes; i < length; i++)
        {
            var t = thresholds[i % lanes];
            var kept = (fine[i] - coarse[i]) * MathF.Max(1 - t * t / MathF.Max(energy[i], 1e-20f), 0);
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
