using System.Numerics;
using System.Runtime.InteropServices;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;

namespace RawEngine.Engine.Pipeline;

/// <summary>Mixes a module's output with its input in place: <c>output = input + opacity * (output - input)</c>.</summary>
public static class Blending
{
    public static void Apply(BlendParams blend, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut, CpuCompute cpu, CancellationToken cancellation)
    {
        if (roiIn.Scale != roiOut.Scale || !roiIn.Contains(roiOut))
            throw new PipeException($"cannot blend: the input {roiIn} does not cover the output {roiOut}");
        var opacity = (float)blend.Opacity;
        var dx = (roiOut.X - roiIn.X) * input.Channels;
        var dy = roiOut.Y - roiIn.Y;
        cpu.ForRows(roiOut.Height, (y0, y1) =>
        {
            var weight = new Vector<float>(opacity);
            for (var y = y0; y < y1; y++)
            {
                var source = input.Row(y + dy).Slice(dx, output.Width * output.Channels);
                var target = output.Row(y);
                var vectors = target.Length / Vector<float>.Count;
                var s = MemoryMarshal.Cast<float, Vector<float>>(source);
                var t = MemoryMarshal.Cast<float, Vector<float>>(target);
                for (var i = 0; i < vectors; i++) t[i] = s[i] + weight * (t[i] - s[i]);
                for (var i = vectors * Vector<float>.Count; i < target.Length; i++) target[i] = source[i] + opacity * (target[i] - source[i]);
            }
        }, cancellation);
    }
}
