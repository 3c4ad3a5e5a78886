using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.AI.Tiling;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Iop.Neural;

/// <summary>A network's planar output back into the pipe's linear RGBA.</summary>
internal static class NeuralPixels
{
    /// <summary>
    /// Writes <paramref name="planes"/> (the model's encoding) into <paramref name="output"/> as linear RGBA
    /// of the same size: range and transfer curve undone, white balance put back where the encoding took
    /// it off, alpha 1.
    /// </summary>
    public static void WriteRgba(ProcessContext context, PlanarImage planes, ModelIo io, TileEncoding encoding, ImageBuffer output)
    {
        if (output.Width != planes.Width || output.Height != planes.Height || output.Channels != 4)
            throw new ArgumentException($"output {output} does not match the {planes.Width}x{planes.Height} network result", nameof(output));
        CpuKernels.PlanarToRgba(planes.Planes, planes.Width, planes.Height, encoding.Range, NeuralModel.DecodeFor(io),
            output.Array.AsMemory(output.Offset, (output.Height - 1) * output.Stride + 4 * output.Width), output.Stride);
        var gains = encoding.Gains;
        float r = 1f / gains[0], g = 1f / gains[1], b = 1f / gains[2];
        var rebalance = encoding.HasGains;
        context.ForRows(output.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var row = output.Row(y);
                for (var i = 0; i < row.Length; i += 4)
                {
                    if (rebalance)
                    {
                        row[i] *= r;
                        row[i + 1] *= g;
                        row[i + 2] *= b;
                    }
                    row[i + 3] = 1f;
                }
            }
        });
    }
}
