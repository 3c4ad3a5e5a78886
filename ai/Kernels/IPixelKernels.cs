using RawEngine.Engine.Raw;

namespace RawEngine.AI.Kernels;

/// <summary>
/// Pre- and post-processing around a network on one device: the seam through which tiled inference, the neural
/// modules and segmentation reach <see cref="CpuKernels"/> (<see cref="CpuPixelKernels"/>) or the ILGPU kernels on
/// a GPU (<see cref="GpuPixelKernels"/>). Chosen once per engine (<see cref="PixelKernels.For"/>). Inputs and outputs
/// are host memory (ONNX Runtime's CPU tensors, the pipe's buffers); what stays between calls (tile sums, the blended
/// planes) stays where the kernels run. Thread-safe.
/// </summary>
public interface IPixelKernels
{
    /// <summary>Where the kernels run, for logs: "CPU", or the GPU's name and API.</summary>
    string Device { get; }

    /// <inheritdoc cref="CpuKernels.RgbaToPlanar"/>
    void RgbaToPlanar(ReadOnlyMemory<float> rgba, int width, int height, int rowStride, Memory<float> planar, Transfer transfer, ChannelAffine affine);

    /// <inheritdoc cref="CpuKernels.CfaToMaskedMosaic"/>
    void CfaToMaskedMosaic(ReadOnlyMemory<float> cfa, int width, int height, int rowStride, CfaPattern pattern, Transfer transfer, Memory<float> planes);

    /// <summary>Zeroed sums and weights over <paramref name="region"/> that blended tiles add into.</summary>
    ITileAccumulator Accumulate(TileRegion region);

    /// <summary><paramref name="planes"/> into interleaved RGBA rows: <paramref name="affine"/> undone, then
    /// <paramref name="transfer"/>, then <paramref name="after"/>; alpha 1.</summary>
    void PlanarToRgba(PlanarImage planes, ChannelAffine affine, Transfer transfer, ChannelAffine after, Memory<float> rgba, int rowStride);

    /// <inheritdoc cref="CpuKernels.MaskFromLogits"/>
    void MaskFromLogits(ReadOnlyMemory<float> logits, int logitsWidth, int logitsHeight, Memory<float> mask, int width, int height,
        float regionWidth = 0, float regionHeight = 0);
}

/// <summary>Tiles blended into one region (<see cref="CpuKernels.AccumulateTile(ReadOnlyMemory{float}, int, int, int, int, TilePlacement, Memory{float}, Memory{float}, TileRegion)"/>),
/// then divided by their weights. Dispose it after <see cref="Resolve"/> (or instead, on failure).</summary>
public interface ITileAccumulator : IDisposable
{
    /// <summary>Adds the part of a placed tile inside the region: <paramref name="tensor"/> is planar RGB of
    /// <paramref name="tensorWidth"/> x <paramref name="tensorHeight"/>, placement pixel (0, 0) at tensor pixel
    /// (<paramref name="offsetX"/>, <paramref name="offsetY"/>).</summary>
    void Add(ReadOnlyMemory<float> tensor, int tensorWidth, int tensorHeight, int offsetX, int offsetY, TilePlacement place);

    /// <summary>The blend: sums divided by weights (pixels no tile reached are 0). Once.</summary>
    PlanarImage Resolve();
}
