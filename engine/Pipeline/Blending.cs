using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;

namespace RawEngine.Engine.Pipeline;

/// <summary>
/// Mixes a module's output with its input in place, pointwise on every channel:
/// <c>output = input * (1 - w) + mode(input, output) * w</c> with <c>w = opacity * mask</c> (see <see cref="BlendParams"/>).
/// </summary>
public static class Blending
{
    /// <param name="mask">Coverage in [0, 1] for each pixel of <paramref name="roiOut"/> (one channel), or null for everywhere.</param>
    public static void Apply(BlendParams blend, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut, ImageBuffer? mask, CpuCompute cpu, CancellationToken cancellation)
    {
        if (roiIn.Scale != roiOut.Scale || !roiIn.Contains(roiOut))
            throw new PipeException($"cannot blend: the input {roiIn} does not cover the output {roiOut}");
        if (input.Channels != output.Channels)
            throw new PipeException($"cannot blend {input.Channels} input channels with {output.Channels} output channels");
        if (mask is not null && (mask.Width != roiOut.Width || mask.Height != roiOut.Height || mask.Channels != 1))
            throw new PipeException($"cannot blend: the mask is {mask}, not {roiOut.Width}x{roiOut.Height}x1");
        var opacity = (float)blend.Opacity;
        var mode = blend.Mode;
        var channels = output.Channels;
        var dx = (roiOut.X - roiIn.X) * channels;
        var dy = roiOut.Y - roiIn.Y;
        var length = roiOut.Width * channels;
        cpu.ForRows(roiOut.Height, (y0, y1) =>
        {
            var weights = mask is null ? null : ArrayPool<float>.Shared.Rent(length);
            try
            {
                for (var y = y0; y < y1; y++)
                {
                    var source = input.Row(y + dy).Slice(dx, length);
                    var target = output.Row(y);
                    if (weights is null)
                    {
                        Mix(mode, source, target, opacity);
                        continue;
                    }
                    var coverage = mask!.Row(y);
                    for (int x = 0, i = 0; x < coverage.Length; x++)
                    {
                        var w = opacity * coverage[x];
                        for (var c = 0; c < channels; c++) weights[i++] = w;
                    }
                    Mix(mode, source, target, weights.AsSpan(0, length));
                }
            }
            finally
            {
                if (weights is not null) ArrayPool<float>.Shared.Return(weights);
            }
        }, cancellation);
    }

    private static void Mix(BlendMode mode, ReadOnlySpan<float> source, Span<float> target, float opacity)
    {
        var vectors = target.Length / Vector<float>.Count;
        var s = MemoryMarshal.Cast<float, Vector<float>>(source);
        var t = MemoryMarshal.Cast<float, Vector<float>>(target);
        var w = new Vector<float>(opacity);
        var keep = Vector<float>.One - w;
        for (var i = 0; i < vectors; i++) t[i] = s[i] * keep + Combine(mode, s[i], t[i]) * w;
        for (var i = vectors * Vector<float>.Count; i < target.Length; i++)
            target[i] = source[i] * (1 - opacity) + Combine(mode, source[i], target[i]) * opacity;
    }

    private static void Mix(BlendMode mode, ReadOnlySpan<float> source, Span<float> target, ReadOnlySpan<float> weights)
    {
        var vectors = target.Length / Vector<float>.Count;
        var s = MemoryMarshal.Cast<float, Vector<float>>(source);
        var t = MemoryMarshal.Cast<float, Vector<float>>(target);
        var w = MemoryMarshal.Cast<float, Vector<float>>(weights);
        for (var i = 0; i < vectors; i++) t[i] = s[i] * (Vector<float>.One - w[i]) + Combine(mode, s[i], t[i]) * w[i];
        for (var i = vectors * Vector<float>.Count; i < target.Length; i++)
            target[i] = source[i] * (1 - weights[i]) + Combine(mode, source[i], target[i]) * weights[i];
    }

    private static Vector<float> Combine(BlendMode mode, Vector<float> a, Vector<float> b) => mode switch
    {
        BlendMode.Normal => b,
        BlendMode.Multiply => a * b,
        BlendMode.Screen => a + b - a * b,
        BlendMode.Overlay => Vector.ConditionalSelect(Vector.LessThan(a, new Vector<float>(0.5f)),
            2 * a * b, Vector<float>.One - 2 * (Vector<float>.One - a) * (Vector<float>.One - b)),
        BlendMode.Lighten => Vector.Max(a, b),
        BlendMode.Darken => Vector.Min(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), $"Unknown blend mode {mode}."),
    };

    private static float Combine(BlendMode mode, float a, float b) => mode switch
    {
        BlendMode.Normal => b,
        BlendMode.Multiply => a * b,
        BlendMode.Screen => a + b - a * b,
        BlendMode.Overlay => a < 0.5f ? 2 * a * b : 1 - 2 * (1 - a) * (1 - b),
        BlendMode.Lighten => MathF.Max(a, b),
        BlendMode.Darken => MathF.Min(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), $"Unknown blend mode {mode}."),
    };
}
