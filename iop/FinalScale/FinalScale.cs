using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.FinalScale;

/// <summary>finalscale's size comes from the render request, not from params.</summary>
public sealed record FinalScaleParams : OperationParams;

/// <summary>
/// The export pipe's high-quality resize: everything before it runs at full resolution and it
/// resamples to the requested scale with Lanczos-3. In viewer and preview pipes it passes regions
/// through, leaving the scaling to demosaic, which is much cheaper. It moves no pixel within the
/// image, so the operation's default output-to-input map (the change of scale) carries masks through it.
/// </summary>
public sealed class FinalScaleOperation : ImageOperation<FinalScaleParams, FinalScaleOperation.Setup>
{
    public override OperationInfo Info { get; } = new(ModuleIds.FinalScale, 1, "Final resize",
        OperationFlags.TilingAllowed | OperationFlags.Geometric | OperationFlags.EnabledByDefault,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.Any), new TilingNeeds(MemoryFactor: 3));

    /// <summary>The kind of pipe and the size (scale 1) of the image being resized.</summary>
    public sealed record Setup(PipeKind Kind, ImageSize InputSize);

    protected override Setup Commit(FinalScaleParams parameters, CommitContext context) => new(context.Kind, context.InputSize);

    /// <summary>Passing a region through needs no second buffer (the pipe hands one only when the regions match).</summary>
    protected override bool InPlace(Setup setup) => true;

    protected override Roi ModifyRoiIn(Setup setup, Roi roiOut, CommitContext context) =>
        setup.Kind == PipeKind.Export && roiOut.Scale != 1 ? Resampler.SourceRoi(roiOut, 1, setup.InputSize) : roiOut;

    protected override void Process(ProcessContext context, Setup setup, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        if (roiIn.Scale != roiOut.Scale)
        {
            Resampler.Run(context, setup.InputSize, input, roiIn, output, roiOut);
            return;
        }
        RegionCopy.Run(context, input, roiIn, output, roiOut);
    }
}
