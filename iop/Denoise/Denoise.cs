using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;
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
/// wavelet (three levels: the noise demosaic leaves is fine-grained, and coarser levels gained nothing measurable
/// on the Kodak bench) splits it into detail bands whose coefficients get a local Wiener gain against each band's
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
    ];

    /// <summary>
    /// The noise the local Wiener gain removes, in band-noise units, at strength 1: a little over the band's noise,
    /// as the local energy is itself a noisy estimate (Kodak bench, 8 images: 1.0 / 1.15 / 1.3 gain 0.86 / 0.93 / 0.93 dB
    /// at noise 0.02; 1.0 / 1.2 / 1.4 gain 1.86 / 2.08 / 2.06 dB at 0.04).
    /// </summary>
    private const float ThresholdSigmas = 1.25f;

    /// <summary>How far an output pixel reads: the three levels' B3 kernels (2 (1 + 2 + 4)) plus the energy smoothing (2).</summary>
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
        var transform = new Transform(shot, read);

        var pool = context.Pool;
        using var current = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var coarser = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var scratch = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var sum = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var energy = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);

        var width = roiIn.Width;
        var length = 4 * width;
        // Each level is two passes over rows: the column filter of the row-filtered fine level gives the coarse one,
        // and the band's squares are row-filtered on the way; then the squares' column filter gives the local
        // energy, the band is shrunk into the sum, and the coarse level is row-filtered for the next level.
        context.ForRows(roiIn.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                Forward(input.Row(y), current.Row(y), width, transform);
                SeparableFilter.HorizontalRow(current.Row(y)[..length], scratch.Row(y)[..length], width, B3, 1);
            }
        });
        var (fine, coarse) = (current, coarser);
        for (var level = 0; level < BandNoise.Length; level++)
        {
            var k = setup.Strength * ThresholdSigmas;
            var band = BandNoise[level];
            var thresholds = Simd.RepeatRgba(k * band[0], k * setup.Chroma * band[1], k * setup.Chroma * band[2], 0);
            var step = 1 << level;
            var first = level == 0;
            var last = level == BandNoise.Length - 1;
            var (f, c) = (fine, coarse);
            context.ForRows(roiIn.Height, (y0, y1) =>
            {
                var squares = ArrayPool<float>.Shared.Rent(length);
                try
                {
                    for (var y = y0; y < y1; y++)
                    {
                        SeparableFilter.VerticalRow(scratch, c.Row(y), y, B3, step);
                        Squares(f.Row(y), c.Row(y), squares, length);
                        SeparableFilter.HorizontalRow(squares.AsSpan(0, length), energy.Row(y)[..length], width, B3, 1);
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(squares);
                }
            });
            context.ForRows(roiIn.Height, (y0, y1) =>
            {
                var local = ArrayPool<float>.Shared.Rent(length);
                try
                {
                    for (var y = y0; y < y1; y++)
                    {
                        SeparableFilter.VerticalRow(energy, local, y, B3, 1);
                        Shrink(f.Row(y), c.Row(y), local, sum.Row(y), length, thresholds, first);
                        if (!last) SeparableFilter.HorizontalRow(c.Row(y)[..length], scratch.Row(y)[..length], width, B3, 2 * step);
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(local);
                }
            });
            (fine, coarse) = (coarse, fine);
        }

        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
                Inverse(sum.Row(y + dy).Slice(4 * dx), fine.Row(y + dy).Slice(4 * dx), input.Row(y + dy).Slice(4 * dx), output.Row(y), roiOut.Width, transform);
        });
    }

    /// <summary>The detail band's squares, (fine - coarse)².</summary>
    private static void Squares(ReadOnlySpan<float> fine, ReadOnlySpan<float> coarse, Span<float> energy, int length)
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

    /// <summary>Columns of the orthonormal rotation from (r, g, b) to (luminance, colour 1, colour 2), and of its inverse.</summary>
    private static readonly Vector128<float> FromR = Vector128.Create(InvSqrt3, InvSqrt2, InvSqrt6, 0), FromG = Vector128.Create(InvSqrt3, 0, -2 * InvSqrt6, 0),
        FromB = Vector128.Create(InvSqrt3, -InvSqrt2, InvSqrt6, 0), FromL = Vector128.Create(InvSqrt3, InvSqrt3, InvSqrt3, 0),
        FromC1 = Vector128.Create(InvSqrt2, 0, -InvSqrt2, 0), FromC2 = Vector128.Create(InvSqrt6, -2 * InvSqrt6, InvSqrt6, 0);

    /// <summary>Generalised Anscombe per channel (unit noise variance), then the rotation to luminance and two colour axes.</summary>
    private static void Forward(ReadOnlySpan<float> source, Span<float> target, int width, Transform transform)
    {
        var pixels = MemoryMarshal.Cast<float, Vector128<float>>(source[..(4 * width)]);
        var result = MemoryMarshal.Cast<float, Vector128<float>>(target[..(4 * width)]);
        for (var x = 0; x < pixels.Length; x++)
        {
            var z = transform.Forward(pixels[x]);
            result[x] = Vector128.Shuffle(z, Vector128<int>.Zero) * FromR + Vector128.Shuffle(z, Vector128.Create(1)) * FromG + Vector128.Shuffle(z, Vector128.Create(2)) * FromB;
        }
    }

    /// <summary>Sum of shrunk bands plus the coarsest level, rotated back and Anscombe inverted; alpha from the input.</summary>
    private static void Inverse(ReadOnlySpan<float> detail, ReadOnlySpan<float> coarsest, ReadOnlySpan<float> source, Span<float> target, int width, Transform transform)
    {
        var length = 4 * width;
        var d = MemoryMarshal.Cast<float, Vector128<float>>(detail[..length]);
        var c = MemoryMarshal.Cast<float, Vector128<float>>(coarsest[..length]);
        var pixels = MemoryMarshal.Cast<float, Vector128<float>>(source[..length]);
        var result = MemoryMarshal.Cast<float, Vector128<float>>(target[..length]);
        for (var x = 0; x < pixels.Length; x++)
        {
            var v = d[x] + c[x];
            var z = Vector128.Shuffle(v, Vector128<int>.Zero) * FromL + Vector128.Shuffle(v, Vector128.Create(1)) * FromC1 + Vector128.Shuffle(v, Vector128.Create(2)) * FromC2;
            result[x] = transform.Inverse(z, pixels[x]);
        }
    }

    /// <summary>
    /// The generalised Anscombe transform of noise with variance <c>shot y + read</c> per channel, on one RGBA pixel:
    /// 2/shot sqrt(shot y + 3/8 shot² + read) has unit noise variance. Below the transform's floor (negative samples
    /// in the read noise) it continues linearly with the slope at the floor. The inverse is the algebraic one with the
    /// asymptotically unbiased -1/8 term; highlights above white pass through (their noise is clipped away and the
    /// transform is not theirs), as does alpha.
    /// </summary>
    private sealed class Transform
    {
        private readonly Vector128<float> _shot, _floor, _minimum, _twoOverShot, _zMin, _slope, _halfShot, _quarterShot2;
        private static readonly Vector128<float> ColourLanes = Vector128.Create(-1, -1, -1, 0).AsSingle();

        public Transform(float[] shot, float[] read)
        {
            // Alpha gets a harmless unit model: its lane is dropped on the way back.
            var s = Vector128.Create(shot[0], shot[1], shot[2], 1);
            _shot = s;
            _floor = 3f / 8 * s * s + Vector128.Create(read[0], read[1], read[2], 1);
            _minimum = 0.25f * _floor;
            _twoOverShot = Vector128.Create(2f) / s;
            var root = Vector128.Sqrt(_minimum);
            _zMin = _twoOverShot * root;
            _slope = s * root;
            _halfShot = 0.5f * s;
            _quarterShot2 = 0.25f * s * s;
        }

        public Vector128<float> Forward(Vector128<float> y)
        {
            var inside = _shot * y + _floor;
            var above = Vector128.GreaterThanOrEqual(inside, _minimum);
            return Vector128.ConditionalSelect(above, _twoOverShot * Vector128.Sqrt(Vector128.Max(inside, _minimum)), _zMin + (inside - _minimum) / _slope);
        }

        public Vector128<float> Inverse(Vector128<float> z, Vector128<float> original)
        {
            var half = z * _halfShot;
            var inside = Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(z, _zMin), half * half + _quarterShot2, _minimum + (z - _zMin) * _slope);
            var y = (inside - _floor) / _shot;
            var transformed = ColourLanes & Vector128.LessThanOrEqual(original, Vector128<float>.One);
            return Vector128.ConditionalSelect(transformed, y, original);
        }
    }
}
