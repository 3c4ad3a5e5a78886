using RawEngine.AI.Hosting;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.AI.Tiling;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Neural;

/// <summary>
/// A network over the pipe's pixels and its planar output back into the pipe's linear RGBA, through the engine's
/// pixel kernels: the GPU's when the engine found one (<c>EngineOptions.UseGpu</c>), else the CPU's.
/// </summary>
internal static class NeuralPixels
{
    /// <summary>The kernels this pipe's engine chose (<see cref="PixelKernels.For"/>).</summary>
    public static IPixelKernels Kernels(ProcessContext context) => PixelKernels.For(context.Compute);

    /// <summary>The model over <paramref name="region"/> in tiles (<see cref="TiledInference.Run"/>), with the pipe's
    /// cancellation, progress and kernels.</summary>
    public static PlanarImage Infer(ProcessContext context, ChosenModel model, TileGrid grid, CfaPattern? cfa, ImageBuffer input, Roi inputRegion, Roi region,
        TileEncoding encoding) =>
        model.Tiler.Run(grid, cfa, input, inputRegion, region, encoding, context.Cancellation, new TileWorkProgress(context), Kernels(context));

    /// <summary>
    /// Writes <paramref name="planes"/> (the model's encoding) into <paramref name="output"/> as linear RGBA
    /// of the same size: range and transfer curve undone, white balance put back where the encoding took
    /// it off, alpha 1.
    /// </summary>
    public static void WriteRgba(ProcessContext context, PlanarImage planes, ModelIo io, TileEncoding encoding, ImageBuffer output)
    {
        if (output.Width != planes.Width || output.Height != planes.Height || output.Channels != 4)
            throw new ArgumentException($"output {output} does not match the {planes.Width}x{planes.Height} network result", nameof(output));
        var gains = encoding.Gains;
        Kernels(context).PlanarToRgba(planes, encoding.Range, NeuralModel.DecodeFor(io), ChannelAffine.Gains(1f / gains[0], 1f / gains[1], 1f / gains[2]),
            output.Array.AsMemory(output.Offset, (output.Height - 1) * output.Stride + 4 * output.Width), output.Stride);
    }
}
