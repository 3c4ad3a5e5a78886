using System.Buffers;
using RawEngine.Engine.Raw;

namespace RawEngine.AI.Kernels;

/// <summary>The seam on the CPU: <see cref="CpuKernels"/> (Vector&lt;float&gt;, parallel row bands) over host memory.</summary>
public sealed class CpuPixelKernels : IPixelKernels
{
    public static CpuPixelKernels Instance { get; } = new();

    private CpuPixelKernels()
    {
    }

    public string Device => "CPU";

    public void RgbaToPlanar(ReadOnlyMemory<float> rgba, int width, int height, int rowStride, Memory<float> planar, Transfer transfer, ChannelAffine affine) =>
        CpuKernels.RgbaToPlanar(rgba, width, height, rowStride, planar, transfer, affine);

    public void CfaToMaskedMosaic(ReadOnlyMemory<float> cfa, int width, int height, int rowStride, CfaPattern pattern, Transfer transfer, Memory<float> planes) =>
        CpuKernels.CfaToMaskedMosaic(cfa, width, height, rowStride, pattern, transfer, planes);

    public ITileAccumulator Accumulate(TileRegion region) => new Accumulator(region);

    public void PlanarToRgba(PlanarImage planes, ChannelAffine affine, Transfer transfer, ChannelAffine after, Memory<float> rgba, int rowStride) =>
        CpuKernels.PlanarToRgba(planes.Planes, planes.Width, planes.Height, affine, transfer, after, rgba, rowStride);

    public void MaskFromLogits(ReadOnlyMemory<float> logits, int logitsWidth, int logitsHeight, Memory<float> mask, int width, int height,
        float regionWidth = 0, float regionHeight = 0) =>
        CpuKernels.MaskFromLogits(logits, logitsWidth, logitsHeight, mask, width, height, regionWidth, regionHeight);

    /// <summary>Sums and weights in pooled arrays; the sums become the resolved image.</summary>
    private sealed class Accumulator : ITileAccumulator
    {
        private readonly TileRegion _region;
        private float[]? _sums;
        private float[]? _weights;

        public Accumulator(TileRegion region)
        {
            _region = region;
            var plane = region.Width * region.Height;
            _sums = ArrayPool<float>.Shared.Rent(3 * plane);
            _weights = ArrayPool<float>.Shared.Rent(plane);
            Array.Clear(_sums, 0, 3 * plane);
            Array.Clear(_weights, 0, plane);
        }

        public void Add(ReadOnlyMemory<float> tensor, int tensorWidth, int tensorHeight, int offsetX, int offsetY, TilePlacement place) =>
            CpuKernels.AccumulateTile(tensor, tensorWidth, tensorHeight, offsetX, offsetY, place, Sums, Weights, _region);

        public PlanarImage Resolve()
        {
            CpuKernels.ResolveAccumulated(Sums, Weights, _region.Width, _region.Height);
            var image = new PlanarImage(Sums, _region.Width, _region.Height);
            _sums = null;
            return image;
        }

        private float[] Sums => _sums ?? throw new InvalidOperationException("the accumulation was resolved");

        private float[] Weights => _weights ?? throw new ObjectDisposedException(nameof(Accumulator));

        public void Dispose()
        {
            if (_sums is not null) ArrayPool<float>.Shared.Return(_sums);
            if (_weights is not null) ArrayPool<float>.Shared.Return(_weights);
            _sums = _weights = null;
        }
    }
}
