using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using RawEngine.Engine.Raw;

namespace RawEngine.AI.Kernels;

/// <summary>
/// The <see cref="CpuKernels"/> maths as ILGPU kernels over device memory, for CUDA or OpenCL
/// accelerators (and ILGPU's CPU accelerator, which tests use to check both paths agree). Launches are
/// asynchronous on the accelerator's default stream; call <see cref="Synchronize"/> before reading back.
/// The context must have algorithms enabled (<see cref="CreateContext"/>).
/// </summary>
public sealed class GpuKernels : IDisposable
{
    private const float EncodeKnee = 0.0031308f;
    private const float DecodeKnee = 0.04045f;

    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, int, int, int, Transfer, ChannelAffine> _rgbaToPlanar;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, int, int, int, ChannelAffine, Transfer, ChannelAffine> _planarToRgba;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, int, ArrayView<int>, int, int, int, Transfer> _cfaToMosaic;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TilePlacement, TileSpan> _accumulate;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, int, int> _resolve;
    private readonly Action<Index2D, ArrayView<float>, int, int, ArrayView<float>, int, float, float> _mask;
    private readonly Dictionary<CfaPattern, MemoryBuffer1D<int, Stride1D.Dense>> _patterns = [];

    public GpuKernels(Accelerator accelerator)
    {
        Accelerator = accelerator;
        _rgbaToPlanar = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, int, int, int, Transfer, ChannelAffine>(RgbaToPlanarKernel);
        _planarToRgba = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, int, int, int, ChannelAffine, Transfer, ChannelAffine>(PlanarToRgbaKernel);
        _cfaToMosaic = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, int, ArrayView<int>, int, int, int, Transfer>(CfaToMaskedMosaicKernel);
        _accumulate = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TilePlacement, TileSpan>(AccumulateKernel);
        _resolve = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, int, int>(ResolveKernel);
        _mask = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, int, int, ArrayView<float>, int, float, float>(MaskKernel);
    }

    public Accelerator Accelerator { get; }

    /// <summary>A context whose kernels may call XMath (ILGPU.Algorithms), on every device type present.</summary>
    public static Context CreateContext() => Context.Create(builder => builder.Default().EnableAlgorithms());

    public void RgbaToPlanar(ArrayView<float> rgba, int width, int height, int rowStride, ArrayView<float> planar, Transfer transfer, ChannelAffine affine) =>
        _rgbaToPlanar(new Index2D(width, height), rgba, planar, rowStride, width, width * height, transfer, affine);

    public void PlanarToRgba(ArrayView<float> planar, int width, int height, ChannelAffine affine, Transfer transfer, ChannelAffine after, ArrayView<float> rgba, int rowStride) =>
        _planarToRgba(new Index2D(width, height), planar, rgba, rowStride, width, width * height, affine, transfer, after);

    public void CfaToMaskedMosaic(ArrayView<float> cfa, int width, int height, int rowStride, CfaPattern pattern, Transfer transfer, ArrayView<float> planes) =>
        _cfaToMosaic(new Index2D(width, height), cfa, planes, rowStride, PatternBuffer(pattern).View, pattern.Width, width, width * height, transfer);

    /// <summary>As <see cref="CpuKernels.AccumulateTile(ReadOnlyMemory{float}, int, int, int, int, TilePlacement, Memory{float}, Memory{float}, TileRegion)"/>:
    /// the part of a placed tile inside <paramref name="region"/>, read from a planar tensor at an offset.</summary>
    public void AccumulateTile(ArrayView<float> tensor, int tensorWidth, int tensorHeight, int offsetX, int offsetY, TilePlacement place,
        ArrayView<float> sums, ArrayView<float> weights, TileRegion region)
    {
        if (offsetX < 0 || offsetY < 0 || offsetX + place.Width > tensorWidth || offsetY + place.Height > tensorHeight)
            throw new ArgumentOutOfRangeException(nameof(place), $"placement {place.Width}x{place.Height} at ({offsetX},{offsetY}) leaves the {tensorWidth}x{tensorHeight} tensor");
        int x0 = Math.Max(place.X, region.X), x1 = Math.Min(place.X + place.Width, region.X + region.Width);
        int y0 = Math.Max(place.Y, region.Y), y1 = Math.Min(place.Y + place.Height, region.Y + region.Height);
        if (x0 >= x1 || y0 >= y1) return;
        _accumulate(new Index2D(x1 - x0, y1 - y0), tensor, sums, weights, place,
            new TileSpan(tensorWidth, tensorWidth * tensorHeight, offsetX - place.X, offsetY - place.Y, x0, y0, region.X, region.Y, region.Width, region.Width * region.Height));
    }

    public void ResolveAccumulated(ArrayView<float> sums, ArrayView<float> weights, int imageWidth, int imageHeight) =>
        _resolve(new Index2D(imageWidth, imageHeight), sums, weights, imageWidth, imageWidth * imageHeight);

    public void MaskFromLogits(ArrayView<float> logits, int logitsWidth, int logitsHeight, ArrayView<float> mask, int width, int height,
        float regionWidth = 0, float regionHeight = 0)
    {
        var (sx, sy) = CpuKernels.MaskScale(logitsWidth, logitsHeight, width, height, regionWidth, regionHeight);
        _mask(new Index2D(width, height), logits, logitsWidth, logitsHeight, mask, width, sx, sy);
    }

    public void Synchronize() => Accelerator.Synchronize();

    public void Dispose()
    {
        foreach (var buffer in _patterns.Values) buffer.Dispose();
        _patterns.Clear();
    }

    private MemoryBuffer1D<int, Stride1D.Dense> PatternBuffer(CfaPattern pattern)
    {
        if (_patterns.TryGetValue(pattern, out var buffer)) return buffer;
        var colors = new int[pattern.Width * pattern.Height];
        for (var i = 0; i < colors.Length; i++) colors[i] = pattern.Colors[i];
        buffer = Accelerator.Allocate1D(colors);
        _patterns[pattern] = buffer;
        return buffer;
    }

    private static float ApplyTransfer(float v, Transfer transfer)
    {
        if (transfer == Transfer.None) return v;
        var a = XMath.Abs(v);
        float r;
        if (transfer == Transfer.SrgbEncode) r = a <= EncodeKnee ? a * 12.92f : 1.055f * XMath.Pow(a, 1f / 2.4f) - 0.055f;
        else r = a <= DecodeKnee ? a * (1f / 12.92f) : XMath.Pow((a + 0.055f) * (1f / 1.055f), 2.4f);
        return v < 0 ? -r : r;
    }

    // Kernels: one thread per output pixel (x, y); `width` and `plane` (= width * height) locate it in planar memory.

    private static void RgbaToPlanarKernel(Index2D p, ArrayView<float> rgba, ArrayView<float> planar, int rowStride, int width, int plane, Transfer transfer, ChannelAffine affine)
    {
        var src = p.Y * rowStride + 4 * p.X;
        var i = p.Y * width + p.X;
        planar[i] = ApplyTransfer(rgba[src], transfer) * affine.Scale0 + affine.Bias0;
        planar[plane + i] = ApplyTransfer(rgba[src + 1], transfer) * affine.Scale1 + affine.Bias1;
        planar[2 * plane + i] = ApplyTransfer(rgba[src + 2], transfer) * affine.Scale2 + affine.Bias2;
    }

    private static void PlanarToRgbaKernel(Index2D p, ArrayView<float> planar, ArrayView<float> rgba, int rowStride, int width, int plane, ChannelAffine affine, Transfer transfer,
        ChannelAffine after)
    {
        var dst = p.Y * rowStride + 4 * p.X;
        var i = p.Y * width + p.X;
        rgba[dst] = ApplyTransfer((planar[i] - affine.Bias0) * (1f / affine.Scale0), transfer) * after.Scale0 + after.Bias0;
        rgba[dst + 1] = ApplyTransfer((planar[plane + i] - affine.Bias1) * (1f / affine.Scale1), transfer) * after.Scale1 + after.Bias1;
        rgba[dst + 2] = ApplyTransfer((planar[2 * plane + i] - affine.Bias2) * (1f / affine.Scale2), transfer) * after.Scale2 + after.Bias2;
        rgba[dst + 3] = 1f;
    }

    private static void CfaToMaskedMosaicKernel(Index2D p, ArrayView<float> cfa, ArrayView<float> planes, int rowStride, ArrayView<int> pattern, int period, int width, int plane, Transfer transfer)
    {
        var i = p.Y * width + p.X;
        var color = pattern[(p.Y % period) * period + p.X % period];
        var v = ApplyTransfer(cfa[p.Y * rowStride + p.X], transfer);
        planes[i] = color == 0 ? v : 0f;
        planes[plane + i] = color == 1 ? v : 0f;
        planes[2 * plane + i] = color == 2 ? v : 0f;
    }

    // One thread per image pixel (x, y) = span origin + p; one launch per tile, so no two threads add to the same pixel.
    private static void AccumulateKernel(Index2D p, ArrayView<float> tensor, ArrayView<float> sums, ArrayView<float> weights, TilePlacement place, TileSpan span)
    {
        int x = span.X0 + p.X, y = span.Y0 + p.Y;
        var w = place.Weight(x - place.X, y - place.Y);
        var t = (y + span.TensorDy) * span.TensorWidth + x + span.TensorDx;
        var i = (y - span.RegionY) * span.RegionWidth + x - span.RegionX;
        weights[i] += w;
        sums[i] += w * tensor[t];
        sums[span.RegionPlane + i] += w * tensor[span.TensorPlane + t];
        sums[2 * span.RegionPlane + i] += w * tensor[2 * span.TensorPlane + t];
    }

    private static void ResolveKernel(Index2D p, ArrayView<float> sums, ArrayView<float> weights, int imageWidth, int plane)
    {
        var i = p.Y * imageWidth + p.X;
        var w = weights[i];
        var inverse = w > 0 ? 1f / w : 0f;
        sums[i] *= inverse;
        sums[plane + i] *= inverse;
        sums[2 * plane + i] *= inverse;
    }

    private static void MaskKernel(Index2D p, ArrayView<float> logits, int logitsWidth, int logitsHeight, ArrayView<float> mask, int width, float sx, float sy)
    {
        var fxs = XMath.Max(0f, (p.X + 0.5f) * sx - 0.5f);
        var fys = XMath.Max(0f, (p.Y + 0.5f) * sy - 0.5f);
        int xA = XMath.Min((int)fxs, logitsWidth - 1), yA = XMath.Min((int)fys, logitsHeight - 1);
        int xB = XMath.Min(xA + 1, logitsWidth - 1), yB = XMath.Min(yA + 1, logitsHeight - 1);
        float fx = fxs - xA, fy = fys - yA;
        var top = logits[yA * logitsWidth + xA] + fx * (logits[yA * logitsWidth + xB] - logits[yA * logitsWidth + xA]);
        var bottom = logits[yB * logitsWidth + xA] + fx * (logits[yB * logitsWidth + xB] - logits[yB * logitsWidth + xA]);
        var v = top + fy * (bottom - top);
        mask[p.Y * width + p.X] = 1f / (1f + XMath.Exp(-v));
    }
}
