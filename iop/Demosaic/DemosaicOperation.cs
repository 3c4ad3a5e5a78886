using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Demosaic;

/// <summary>Which demosaic to run; <see cref="Auto"/> picks the high-quality method for the raw's CFA.</summary>
public enum DemosaicChoice { Auto, Bilinear, Lmmse, XTrans, HalfSize }

public sealed record DemosaicParams : OperationParams
{
    [ParamDescription("auto (best for the CFA), bilinear, lmmse (Bayer), x_trans (X-Trans colour-difference), half_size (fast preview).")]
    public DemosaicChoice Method { get; init; } = DemosaicChoice.Auto;
}

/// <summary>
/// CFA mosaic to linear camera RGB. Renders at scale 1 demosaic the region plus the method's halo;
/// smaller scales demosaic the source footprint and resample with Lanczos-3, except in preview pipes,
/// where scales of one half and below start from the half-size method.
/// </summary>
public sealed class DemosaicOperation : ImageOperation<DemosaicParams, DemosaicOperation.Setup>
{
    public sealed record Setup(DemosaicMethod Method, DemosaicMethod? Preview, ImageSize InputSize, CfaPattern Pattern);

    public override OperationInfo Info { get; } = new(ModuleIds.Demosaic, 1, "Demosaic",
        OperationFlags.TilingAllowed | OperationFlags.EnabledByDefault,
        new FormatFilter(PixelLayout.Cfa, ColorEncoding.LinearCamera), new TilingNeeds(MemoryFactor: 6));

    protected override Setup Commit(DemosaicParams parameters, CommitContext context)
    {
        var pattern = context.Input.Cfa ?? throw new PipeException("demosaic needs a CFA mosaic");
        var method = parameters.Method switch
        {
            DemosaicChoice.Auto => DemosaicKernels.DefaultFor(pattern.Kind),
            DemosaicChoice.Bilinear => DemosaicMethod.Bilinear,
            DemosaicChoice.Lmmse => DemosaicMethod.Lmmse,
            DemosaicChoice.XTrans => DemosaicMethod.XTransColorDifference,
            _ => DemosaicMethod.HalfSize,
        };
        if (!DemosaicKernels.Supports(method, pattern.Kind))
            throw new EditException("demosaic.params.method", $"{parameters.Method} does not handle a {pattern.Kind} sensor");
        var preview = context.Kind == PipeKind.Preview || method == DemosaicMethod.HalfSize ? DemosaicMethod.HalfSize : (DemosaicMethod?)null;
        return new Setup(method, preview, context.InputSize, pattern);
    }

    protected override BufferFormat OutputFormat(Setup setup, CommitContext context) =>
        new(PixelLayout.Rgba, context.Input.Encoding, context.Input.White) { WhiteBalance = context.Input.WhiteBalance };

    protected override TilingNeeds Tiling(Setup setup, CommitContext context) =>
        Info.Tiling with { Overlap = DemosaicKernels.HaloPixels(setup.Method), Alignment = setup.Pattern.Width };

    /// <summary>
    /// The half-size path's factor when it serves <paramref name="scale"/> (previews at small scales; every scale
    /// when half-size is the chosen method, its result then resampled up), else null.
    /// </summary>
    private static int? HalfSizeFactor(Setup setup, double scale)
    {
        if (setup.Preview is null) return null;
        var factor = DemosaicKernels.Downscale(DemosaicMethod.HalfSize, setup.Pattern);
        return scale <= 1.0 / factor || setup.Method == DemosaicMethod.HalfSize ? factor : null;
    }

    protected override Roi ModifyRoiIn(Setup setup, Roi roiOut, CommitContext context)
    {
        if (HalfSizeFactor(setup, roiOut.Scale) is { } factor)
        {
            var blocks = new ImageSize(setup.InputSize.Width / factor, setup.InputSize.Height / factor);
            var span = Resampler.SourceRoi(roiOut with { Scale = roiOut.Scale * factor }, 1, blocks);
            return new Roi(span.X * factor, span.Y * factor, span.Width * factor, span.Height * factor, 1);
        }
        var source = roiOut.Scale == 1 ? roiOut : Resampler.SourceRoi(roiOut, 1, setup.InputSize);
        return source.Expand(DemosaicKernels.HaloPixels(setup.Method)).ClampTo(setup.InputSize);
    }

    protected override void Process(ProcessContext context, Setup setup, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var pattern = context.Input.CfaAt(roiIn);
        var plane = new CfaPlane(input.Array.AsMemory(input.Offset, (input.Height - 1) * input.Stride + input.Width), roiIn.Width, roiIn.Height, input.Stride, pattern);
        if (roiOut.Scale == 1 && roiIn.Scale == 1 && setup.Method != DemosaicMethod.HalfSize)
        {
            // Straight into the output: the kernel renders just the part of its result the output covers.
            DemosaicKernels.Run(setup.Method, plane, Plane(output), roiOut.X - roiIn.X, roiOut.Y - roiIn.Y, opaque: true, context.Cancellation);
            return;
        }

        var halfSize = HalfSizeFactor(setup, roiOut.Scale);
        var method = halfSize is null ? setup.Method : DemosaicMethod.HalfSize;
        var (width, height) = DemosaicKernels.OutputSize(method, pattern, roiIn.Width, roiIn.Height);
        using var rgb = ImageBuffer.Rent(context.Pool, width, height, 4);
        DemosaicKernels.Run(method, plane, Plane(rgb), 0, 0, opaque: true, context.Cancellation);
        if (halfSize is { } factor)
        {
            var blocks = new ImageSize(setup.InputSize.Width / factor, setup.InputSize.Height / factor);
            var demosaiced = new Roi(roiIn.X / factor, roiIn.Y / factor, width, height, 1);
            Resampler.Run(context, blocks, rgb, demosaiced, output, roiOut with { Scale = roiOut.Scale * factor });
        }
        else
            Resampler.Run(context, setup.InputSize, rgb, roiIn, output, roiOut);
    }

    private static RgbaPlane Plane(ImageBuffer buffer) =>
        new(buffer.Array.AsMemory(buffer.Offset, (buffer.Height - 1) * buffer.Stride + buffer.Width * 4), buffer.Width, buffer.Height, buffer.Stride);
}
