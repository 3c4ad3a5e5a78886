using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Sharpen;

/// <summary>
/// Edge-aware sharpening shared by capture and output sharpening. The detail added is <c>x - reference</c> per
/// channel, where the reference is the Gaussian blur of x (unsharp masking, <c>iterations</c> 0) or
/// <c>2 x - deconvolved</c> with <c>deconvolved</c> from that many Richardson-Lucy iterations against the Gaussian
/// as point spread function (so the detail is what deconvolution restores). It is added back times <c>Amount</c> and
/// times a Wiener-like gate <c>d² / (d² + (k σ)²)</c> where σ is the noise at that brightness (so detail at the
/// noise's level is not boosted); the result is held within the 3x3 neighbourhood's range widened by <c>Halo</c>
/// times its ends (relative, so an undershoot near black stays a fraction of the dark side's level, which is what
/// shows once the output is gamma-encoded), which bounds overshoot at edges.
/// </summary>
public sealed class Sharpening
{
    /// <summary>Detail below about this many noise sigmas is mostly left alone.</summary>
    private const float GateSigmas = 2.5f;

    /// <summary>Richardson-Lucy divides by the reblurred estimate: samples are held above this (read noise dips below black).</summary>
    private const float Floor = 1e-5f;

    private readonly float[] _weights;
    private readonly int _iterations;
    private readonly float _amount, _halo;
    private readonly float[] _shot, _read;

    /// <param name="radius">σ (pixels) of the Gaussian: the unsharp mask's blur, or the point spread function deconvolved.</param>
    /// <param name="iterations">Richardson-Lucy iterations; 0: unsharp masking.</param>
    /// <param name="shot">Per-channel noise variance per unit signal (zeros: no noise gate).</param>
    public Sharpening(double amount, double radius, int iterations, double halo, float[] shot, float[] read)
    {
        _amount = radius > 0 ? (float)amount : 0;
        _halo = (float)halo;
        _iterations = iterations;
        _shot = [.. shot.Select(s => s * GateSigmas * GateSigmas)];
        _read = [.. read.Select(r => r * GateSigmas * GateSigmas)];
        _weights = radius > 0 ? CaptureBlur.Gaussian(radius) : [1];
    }

    /// <summary>How far (pixels) an output pixel reads its input: each Richardson-Lucy iteration blurs twice.</summary>
    public int Reach => Math.Max(1, (_weights.Length - 1) * Math.Max(1, 2 * _iterations));

    public bool IsIdentity => _amount <= 0;

    public void Run(ProcessContext context, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        if (IsIdentity)
        {
            RegionCopy.Run(context, input, roiIn, output, roiOut);
            return;
        }
        int dx = roiOut.X - roiIn.X, dy = roiOut.Y - roiIn.Y;
        var pool = context.Pool;
        using var reference = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var low = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var high = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        if (_iterations == 0) SeparableFilter.Run(context, input, low, reference, _weights, 1);
        else Deconvolve(context, input, reference, low, high);
        var width = roiIn.Width;
        context.ForRows(roiIn.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++) RowExtremes(input.Row(y)[..(4 * width)], low.Row(y), high.Row(y), width);
        });
        var amount = Simd.RepeatRgba(_amount, _amount, _amount, 0);
        var halo = new Vector<float>(_halo);
        var shot = Simd.RepeatRgba(_shot[0], _shot[1], _shot[2], 0);
        var read = Simd.RepeatRgba(_read[0], _read[1], _read[2], 0);
        var last = roiIn.Height - 1;
        var length = 4 * roiOut.Width;
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var yi = y + dy;
                int above = Math.Max(yi - 1, 0), below = Math.Min(yi + 1, last);
                SharpenRow(
                    input.Row(yi).Slice(4 * dx, length), reference.Row(yi).Slice(4 * dx, length),
                    low.Row(above).Slice(4 * dx, length), low.Row(yi).Slice(4 * dx, length), low.Row(below).Slice(4 * dx, length),
                    high.Row(above).Slice(4 * dx, length), high.Row(yi).Slice(4 * dx, length), high.Row(below).Slice(4 * dx, length),
                    output.Row(y)[..length], amount, halo, shot, read);
            }
        });
    }

    /// <summary>
    /// Richardson-Lucy deconvolution of <paramref name="input"/> by the Gaussian, <c>e ← e · G ⊛ (x / G ⊛ e)</c> from
    /// <c>e = x</c>; writes <c>2 x - e</c> to <paramref name="reference"/>. The two other buffers are scratch. Two
    /// passes over rows an iteration: the column filter of the row-filtered estimate, the ratio and its row filter;
    /// then the ratio's column filter, the update, and the next iteration's row filter of the estimate.
    /// </summary>
    private void Deconvolve(ProcessContext context, ImageBuffer input, ImageBuffer reference, ImageBuffer rowFiltered, ImageBuffer ratios)
    {
        var width = input.Width;
        var length = 4 * width;
        using var estimate = ImageBuffer.Rent(context.Pool, width, input.Height, 4);
        var floor = new Vector<float>(Floor);
        context.ForRows(input.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                Floored(input.Row(y)[..length], estimate.Row(y)[..length], floor);
                SeparableFilter.HorizontalRow(estimate.Row(y)[..length], rowFiltered.Row(y)[..length], width, _weights, 1);
            }
        });
        for (var iteration = 0; iteration < _iterations; iteration++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var next = iteration + 1 < _iterations;
            context.ForRows(input.Height, (y0, y1) =>
            {
                var row = ArrayPool<float>.Shared.Rent(length);
                try
                {
                    for (var y = y0; y < y1; y++)
                    {
                        SeparableFilter.VerticalRow(rowFiltered, row, y, _weights, 1);
                        Ratio(input.Row(y)[..length], row.AsSpan(0, length), floor);
                        SeparableFilter.HorizontalRow(row.AsSpan(0, length), ratios.Row(y)[..length], width, _weights, 1);
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(row);
                }
            });
            context.ForRows(input.Height, (y0, y1) =>
            {
                var row = ArrayPool<float>.Shared.Rent(length);
                try
                {
                    for (var y = y0; y < y1; y++)
                    {
                        SeparableFilter.VerticalRow(ratios, row, y, _weights, 1);
                        var e = estimate.Row(y)[..length];
                        Multiply(e, row.AsSpan(0, length));
                        if (next) SeparableFilter.HorizontalRow(e, rowFiltered.Row(y)[..length], width, _weights, 1);
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(row);
                }
            });
        }
        context.ForRows(input.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var x = MemoryMarshal.Cast<float, Vector<float>>(input.Row(y)[..length]);
                var e = MemoryMarshal.Cast<float, Vector<float>>(estimate.Row(y)[..length]);
                var r = MemoryMarshal.Cast<float, Vector<float>>(reference.Row(y)[..length]);
                for (var i = 0; i < x.Length; i++) r[i] = 2 * x[i] - e[i];
                for (var i = x.Length * Vector<float>.Count; i < length; i++) reference.Row(y)[i] = 2 * input.Row(y)[i] - estimate.Row(y)[i];
            }
        });
    }

    /// <summary><c>target *= factor</c>.</summary>
    private static void Multiply(Span<float> target, ReadOnlySpan<float> factor)
    {
        var t = MemoryMarshal.Cast<float, Vector<float>>(target);
        var f = MemoryMarshal.Cast<float, Vector<float>>(factor);
        for (var i = 0; i < t.Length; i++) t[i] *= f[i];
        for (var i = t.Length * Vector<float>.Count; i < target.Length; i++) target[i] *= factor[i];
    }

    /// <summary><c>target = max(source, floor)</c>.</summary>
    private static void Floored(ReadOnlySpan<float> source, Span<float> target, Vector<float> floor)
    {
        var s = MemoryMarshal.Cast<float, Vector<float>>(source);
        var t = MemoryMarshal.Cast<float, Vector<float>>(target);
        for (var i = 0; i < s.Length; i++) t[i] = Vector.Max(s[i], floor);
        for (var i = s.Length * Vector<float>.Count; i < source.Length; i++) target[i] = MathF.Max(source[i], floor[0]);
    }

    /// <summary><c>blurred = max(observed, floor) / max(blurred, floor)</c>, in place.</summary>
    private static void Ratio(ReadOnlySpan<float> observed, Span<float> blurred, Vector<float> floor)
    {
        var o = MemoryMarshal.Cast<float, Vector<float>>(observed);
        var b = MemoryMarshal.Cast<float, Vector<float>>(blurred);
        for (var i = 0; i < o.Length; i++) b[i] = Vector.Max(o[i], floor) / Vector.Max(b[i], floor);
        for (var i = o.Length * Vector<float>.Count; i < observed.Length; i++) blurred[i] = MathF.Max(observed[i], floor[0]) / MathF.Max(blurred[i], floor[0]);
    }

    /// <summary>Per channel, the minimum and maximum of each pixel and its left and right neighbours (edges repeat).</summary>
    private static void RowExtremes(ReadOnlySpan<float> row, Span<float> low, Span<float> high, int width)
    {
        var lanes = Vector<float>.Count;
        var i = 4;
        for (; i + lanes + 4 <= row.Length; i += lanes)
        {
            var left = new Vector<float>(row.Slice(i - 4, lanes));
            var centre = new Vector<float>(row.Slice(i, lanes));
            var right = new Vector<float>(row.Slice(i + 4, lanes));
            Vector.Min(Vector.Min(left, centre), right).CopyTo(low.Slice(i, lanes));
            Vector.Max(Vector.Max(left, centre), right).CopyTo(high.Slice(i, lanes));
        }
        for (var x = 0; x < width; x++)
        {
            if (x > 0 && 4 * x < i) continue;
            for (var c = 0; c < 4; c++)
            {
                float l = row[4 * Math.Max(x - 1, 0) + c], m = row[4 * x + c], r = row[4 * Math.Min(x + 1, width - 1) + c];
                low[4 * x + c] = Math.Min(Math.Min(l, m), r);
                high[4 * x + c] = Math.Max(Math.Max(l, m), r);
            }
        }
    }

    private static void SharpenRow(ReadOnlySpan<float> source, ReadOnlySpan<float> blurred,
        ReadOnlySpan<float> low0, ReadOnlySpan<float> low1, ReadOnlySpan<float> low2,
        ReadOnlySpan<float> high0, ReadOnlySpan<float> high1, ReadOnlySpan<float> high2,
        Span<float> target, Vector<float> amount, Vector<float> halo, Vector<float> shot, Vector<float> read)
    {
        var lanes = Vector<float>.Count;
        var tiny = new Vector<float>(1e-20f);
        var i = 0;
        for (; i + lanes <= target.Length; i += lanes)
        {
            var s = new Vector<float>(source.Slice(i, lanes));
            var b = new Vector<float>(blurred.Slice(i, lanes));
            var lo = Vector.Min(Vector.Min(new Vector<float>(low0.Slice(i, lanes)), new Vector<float>(low1.Slice(i, lanes))), new Vector<float>(low2.Slice(i, lanes)));
            var hi = Vector.Max(Vector.Max(new Vector<float>(high0.Slice(i, lanes)), new Vector<float>(high1.Slice(i, lanes))), new Vector<float>(high2.Slice(i, lanes)));
            Sharpen(s, b, lo, hi, amount, halo, shot, read, tiny).CopyTo(target.Slice(i, lanes));
        }
        // The row's last pixel when a vector holds two: done on a copy padded to a whole vector.
        if (i < target.Length)
        {
            Span<float> lanesOf = stackalloc float[8 * lanes];
            var tail = target.Length - i;
            source.Slice(i, tail).CopyTo(lanesOf);
            blurred.Slice(i, tail).CopyTo(lanesOf[lanes..]);
            for (var k = 0; k < tail; k++)
            {
                lanesOf[2 * lanes + k] = Math.Min(Math.Min(low0[i + k], low1[i + k]), low2[i + k]);
                lanesOf[3 * lanes + k] = Math.Max(Math.Max(high0[i + k], high1[i + k]), high2[i + k]);
            }
            var result = Sharpen(new Vector<float>(lanesOf), new Vector<float>(lanesOf[lanes..]), new Vector<float>(lanesOf[(2 * lanes)..]),
                new Vector<float>(lanesOf[(3 * lanes)..]), amount, halo, shot, read, tiny);
            for (var k = 0; k < tail; k++) target[i + k] = result[k];
        }
    }

    private static Vector<float> Sharpen(Vector<float> s, Vector<float> b, Vector<float> lo, Vector<float> hi,
        Vector<float> amount, Vector<float> halo, Vector<float> shot, Vector<float> read, Vector<float> tiny)
    {
        var d = s - b;
        var d2 = d * d;
        var noise = Vector.Max(shot * b + read, Vector<float>.Zero);
        var sharp = s + amount * d * d2 / (d2 + noise + tiny);
        return Vector.Min(Vector.Max(sharp, lo - halo * Vector.Abs(lo)), hi + halo * Vector.Abs(hi));
    }
}
