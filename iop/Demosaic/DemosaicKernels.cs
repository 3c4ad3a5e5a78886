using System.Numerics;
using System.Runtime.InteropServices;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Demosaic.Algorithms;

namespace RawEngine.Iop.Demosaic;

/// <summary>
/// The demosaic algorithms as pure kernels: a float CFA plane in, float RGBA out (alpha left alone). Pixels
/// within <see cref="HaloPixels"/> of the input's edge see a made-up neighbourhood (the nearest pixels of the
/// same CFA phase), so a caller that wants exact results over a region passes that many extra pixels on each
/// side and asks for the region only (<see cref="Run(DemosaicMethod, CfaPlane, RgbaPlane, int, int, CancellationToken)"/>).
/// Tiles run in parallel over pooled scratch buffers; cancellation is checked between tiles. A flat field comes
/// out exactly flat.
/// </summary>
public static class DemosaicKernels
{
    /// <summary>The high-quality method for a CFA kind.</summary>
    public static DemosaicMethod DefaultFor(CfaKind kind) => kind == CfaKind.XTrans ? DemosaicMethod.XTransColorDifference : DemosaicMethod.Lmmse;

    public static bool Supports(DemosaicMethod method, CfaKind kind) => method switch
    {
        DemosaicMethod.Bilinear or DemosaicMethod.HalfSize => kind is CfaKind.Bayer or CfaKind.XTrans,
        DemosaicMethod.Lmmse => kind == CfaKind.Bayer,
        DemosaicMethod.XTransColorDifference => kind == CfaKind.XTrans,
        _ => false,
    };

    /// <summary>Pixels of border around a region that the method needs to compute that region exactly.</summary>
    public static int HaloPixels(DemosaicMethod method) => method switch
    {
        DemosaicMethod.Bilinear => BilinearDemosaic.BorderPixels,
        DemosaicMethod.Lmmse => LmmseDemosaic.BorderPixels,
        DemosaicMethod.XTransColorDifference => XTransDemosaic.BorderPixels,
        DemosaicMethod.HalfSize => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown demosaic method."),
    };

    /// <summary>How much the method shrinks the image: 1, or 2 (Bayer) / 3 (X-Trans) for <see cref="DemosaicMethod.HalfSize"/>.</summary>
    public static int Downscale(DemosaicMethod method, CfaPattern pattern) =>
        method == DemosaicMethod.HalfSize ? HalfSizeDemosaic.Factor(pattern) : 1;

    /// <summary>The output size for an input of <paramref name="width"/> x <paramref name="height"/> (partial blocks dropped).</summary>
    public static (int Width, int Height) OutputSize(DemosaicMethod method, CfaPattern pattern, int width, int height)
    {
        var factor = Downscale(method, pattern);
        return (width / factor, height / factor);
    }

    /// <summary>Demosaics the whole of <paramref name="input"/> into <paramref name="output"/> (sized by <see cref="OutputSize"/>).</summary>
    /// <exception cref="ArgumentException">The method does not handle the pattern, or a plane is inconsistent.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the output is then partly written.</exception>
    public static void Run(DemosaicMethod method, CfaPlane input, RgbaPlane output, CancellationToken ct = default) =>
        Run(method, input, output, 0, 0, opaque: false, ct);

    /// <summary>
    /// Demosaics only the region of the result that <paramref name="output"/> covers, its pixel (0, 0) being result pixel
    /// (<paramref name="left"/>, <paramref name="top"/>) (result coordinates are input coordinates, divided by
    /// <see cref="Downscale"/> for half size). A pipe module passes its input ROI with the halo and writes its output ROI
    /// directly: the region's pixels are exactly those of demosaicking the whole input.
    /// </summary>
    /// <exception cref="ArgumentException">The method does not handle the pattern, a plane is inconsistent, or the region leaves the result.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the output is then partly written.</exception>
    public static void Run(DemosaicMethod method, CfaPlane input, RgbaPlane output, int left, int top, CancellationToken ct = default) =>
        Run(method, input, output, left, top, opaque: false, ct);

    /// <summary>
    /// <see cref="Run(DemosaicMethod, CfaPlane, RgbaPlane, int, int, CancellationToken)"/>, writing alpha 1 when
    /// <paramref name="opaque"/> (in the same pass where the method can, which saves a pipe a pass over its output).
    /// </summary>
    public static void Run(DemosaicMethod method, CfaPlane input, RgbaPlane output, int left, int top, bool opaque, CancellationToken ct = default)
    {
        input.Validate(nameof(input));
        if (!Supports(method, input.Pattern.Kind))
            throw new ArgumentException($"Demosaic method {method} does not handle a {input.Pattern.Kind} pattern ({input.Pattern}).", nameof(method));
        var (width, height) = OutputSize(method, input.Pattern, input.Width, input.Height);
        if (left < 0 || top < 0 || left + output.Width > width || top + output.Height > height)
            throw new ArgumentException($"output: the {output.Width}x{output.Height} region at ({left}, {top}) leaves the {width}x{height} result.", nameof(output));
        output.Validate(nameof(output));
        switch (method)
        {
            case DemosaicMethod.Bilinear: BilinearDemosaic.Run(input, output, left, top, ct); break;
            case DemosaicMethod.Lmmse: LmmseDemosaic.Run(input, output, left, top, opaque, ct); return;
            case DemosaicMethod.XTransColorDifference: XTransDemosaic.Run(input, output, left, top, ct); break;
            case DemosaicMethod.HalfSize: HalfSizeDemosaic.Run(input, output, left, top, ct); break;
        }
        if (opaque) SetOpaque(output, ct);
    }

    /// <summary>All-ones in the lanes that hold alpha (every fourth float; vectors start at a pixel).</summary>
    private static readonly Vector<int> AlphaLanes = CreateAlphaLanes();

    private static Vector<int> CreateAlphaLanes()
    {
        Span<int> lanes = stackalloc int[Vector<int>.Count];
        for (var i = 0; i < lanes.Length; i++) lanes[i] = i % 4 == 3 ? -1 : 0;
        return new Vector<int>(lanes);
    }

    private static void SetOpaque(RgbaPlane rgb, CancellationToken ct) =>
        Parallel.For(0, rgb.Height, new ParallelOptions { CancellationToken = ct }, y =>
        {
            var row = rgb.Data.Span.Slice(y * rgb.Stride, rgb.Width * 4);
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(row);
            for (var v = 0; v < vectors.Length; v++) vectors[v] = Vector.ConditionalSelect(AlphaLanes, Vector<float>.One, vectors[v]);
            for (var i = vectors.Length * Vector<float>.Count + 3; i < row.Length; i += 4) row[i] = 1f;
        });
}
