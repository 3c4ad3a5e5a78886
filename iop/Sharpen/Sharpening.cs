using System.Numerics;
using System.Runtime.InteropServices;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Sharpen;

/// <summary>
/// Edge-aware unsharp masking shared by capture and output sharpening: detail = x - Gaussian(x) per channel;
/// it is added back times <c>Amount</c> and times a Wiener-like gate <c>d² / (d² + (k σ)²)</c> where σ is the
/// noise at that brightness (so detail at the noise's level is not boosted); the result is held within the
/// 3x3 neighbourhood's range widened by <c>Halo</c> times that range, which bounds overshoot at edges.
/// </summary>
public sealed class Sharpening
{
    /// <summary>Detail below about this many noise sigmas is mostly left alone.</summary>
    private const float GateSigmas = 2.5f;

    private readonly float[] _weights;
    private readonly float _amount, _halo;
    private readonly float[] _shot, _read;

    /// <param name="shot">Per-channel noise variance per unit signal (zeros: no noise gate).</param>
    public Sharpening(double amount, double radius, double halo, float[] shot, float[] read)
    {
        _amount = (float)amount;
        _halo = (float)halo;
        _shot = [.. shot.Select(s => s * GateSigmas * GateSigmas)];
        _read = [.. read.Select(r => r * GateSigmas * GateSigmas)];
        var reach = Math.Max(1, (int)Math.Ceiling(3 * radius));
        _weights = new float[reach + 1];
        for (var k = 0; k <= reach; k++) _weights[k] = (float)Math.Exp(-k * k / (2 * radius * radius));
        var total = _weights[0] + 2 * _weights.Skip(1).Sum();
        for (var k = 0; k <= reach; k++) _weights[k] /= total;
    }

    /// <summary>How far (pixels) an output pixel reads its input.</summary>
    public int Reach => _weights.Length - 1;

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
        using var blurred = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var low = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        using var high = ImageBuffer.Rent(pool, roiIn.Width, roiIn.Height, 4);
        SeparableFilter.Run(context, input, low, blurred, _weights, 1);
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
                    input.Row(yi).Slice(4 * dx, length), blurred.Row(yi).Slice(4 * dx, length),
                    low.Row(above).Slice(4 * dx, length), low.Row(yi).Slice(4 * dx, length), low.Row(below).Slice(4 * dx, length),
                    high.Row(above).Slice(4 * dx, length), high.Row(yi).Slice(4 * dx, length), high.Row(below).Slice(4 * dx, length),
                    output.Row(y)[..length], amount, halo, shot, read);
            }
        });
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
        var margin = halo * (hi - lo);
        return Vector.Min(Vector.Max(sharp, lo - margin), hi + margin);
    }
}
