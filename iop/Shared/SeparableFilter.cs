using System.Numerics;
using System.Runtime.InteropServices;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Iop.Shared;

/// <summary>
/// A symmetric separable filter on interleaved RGBA buffers: taps <c>weights[0]</c> (centre) to
/// <c>weights[r]</c>, spaced <c>step</c> pixels apart (1 for a plain kernel, 2^j for an à-trous level).
/// Samples past the buffer's edge repeat the edge pixel, so a region's result depends only on its own
/// pixels: the reach is <c>r * step</c> per pass.
/// </summary>
public static class SeparableFilter
{
    /// <summary>Filters rows then columns of <paramref name="source"/> into <paramref name="target"/>; <paramref name="scratch"/> holds the row pass.</summary>
    public static void Run(ProcessContext context, ImageBuffer source, ImageBuffer scratch, ImageBuffer target, float[] weights, int step)
    {
        Horizontal(context, source, scratch, weights, step);
        context.ForRows(source.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++) VerticalRow(scratch, target.Row(y), y, weights, step);
        });
    }

    /// <summary>The row pass alone (then <see cref="VerticalRow"/> per row, fused with what the caller does with it).</summary>
    public static void Horizontal(ProcessContext context, ImageBuffer source, ImageBuffer target, float[] weights, int step)
    {
        var width = source.Width;
        var radius = weights.Length - 1;
        context.ForRows(source.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++) HorizontalRow(source.Row(y)[..(4 * width)], target.Row(y)[..(4 * width)], width, weights, radius * step, step);
        });
    }

    /// <summary>One row of the row pass (<paramref name="source"/> and <paramref name="target"/> hold <paramref name="width"/> RGBA pixels), for callers fusing it into their own row loops.</summary>
    public static void HorizontalRow(ReadOnlySpan<float> source, Span<float> target, int width, float[] weights, int step) =>
        HorizontalRow(source, target, width, weights, (weights.Length - 1) * step, step);

    private static void HorizontalRow(ReadOnlySpan<float> source, Span<float> target, int width, float[] weights, int reach, int step)
    {
        // Pixels whose taps all lie inside the row run on vectors; the rest clamp their taps to the edges.
        int inner0 = Math.Min(reach, width), inner1 = Math.Max(inner0, width - reach);
        var lanes = Vector<float>.Count;
        var i = 4 * inner0;
        var end = 4 * inner1;
        for (; i + lanes <= end; i += lanes)
        {
            var sum = new Vector<float>(source.Slice(i, lanes)) * weights[0];
            for (var k = 1; k < weights.Length; k++)
            {
                var offset = 4 * k * step;
                sum += (new Vector<float>(source.Slice(i - offset, lanes)) + new Vector<float>(source.Slice(i + offset, lanes))) * weights[k];
            }
            sum.CopyTo(target.Slice(i, lanes));
        }
        for (var x = 0; x < inner0; x++) EdgePixel(source, target, x, width, weights, step);
        for (var x = i / 4; x < width; x++) EdgePixel(source, target, x, width, weights, step);
    }

    private static void EdgePixel(ReadOnlySpan<float> source, Span<float> target, int x, int width, float[] weights, int step)
    {
        for (var c = 0; c < 4; c++)
        {
            var sum = source[4 * x + c] * weights[0];
            for (var k = 1; k < weights.Length; k++)
                sum += (source[4 * Math.Max(x - k * step, 0) + c] + source[4 * Math.Min(x + k * step, width - 1) + c]) * weights[k];
            target[4 * x + c] = sum;
        }
    }

    /// <summary>Row <paramref name="y"/> of the column pass over <paramref name="source"/>, written to <paramref name="target"/>.</summary>
    public static void VerticalRow(ImageBuffer source, Span<float> target, int y, float[] weights, int step)
    {
        var length = 4 * source.Width;
        var last = source.Height - 1;
        var centre = MemoryMarshal.Cast<float, Vector<float>>(source.Row(y)[..length]);
        var output = MemoryMarshal.Cast<float, Vector<float>>(target[..length]);
        var w0 = weights[0];
        for (var v = 0; v < centre.Length; v++) output[v] = centre[v] * w0;
        for (var i = centre.Length * Vector<float>.Count; i < length; i++) target[i] = source.Row(y)[i] * w0;
        for (var k = 1; k < weights.Length; k++)
        {
            var above = source.Row(Math.Max(y - k * step, 0))[..length];
            var below = source.Row(Math.Min(y + k * step, last))[..length];
            var a = MemoryMarshal.Cast<float, Vector<float>>(above);
            var b = MemoryMarshal.Cast<float, Vector<float>>(below);
            var w = weights[k];
            for (var v = 0; v < output.Length; v++) output[v] += (a[v] + b[v]) * w;
            for (var i = output.Length * Vector<float>.Count; i < length; i++) target[i] += (above[i] + below[i]) * w;
        }
    }
}
