using Microsoft.Extensions.Logging;
using RawEngine.AI.Hosting;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.AI.Tiling;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Demosaic;
using RawEngine.Iop.Neural;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.DemosaicNn;

public sealed record DemosaicNnParams : OperationParams
{
    [ParamDescription("Model id; empty: the task's active model, else the one whose CFA fits the raw (default first).")]
    public string Model { get; init; } = "";

    // 1: one view already gains 1.8 dB over the classical default on the Kodak round trip and is the only count that meets the
    // 0.25 MP/s speed target on two cores; 4 views add 0.25 dB at four times the cost (iop/Neural/README.md; `nn:4` keeps them).
    [ParamRange(1, 8), ParamDescription("Views of each tile the network runs on and averages (1, 2, 4 or 8: the mosaic transposed, turned and mirrored); each view costs one network run.")]
    public int Ensemble { get; init; } = 1;
}

/// <summary>
/// Neural demosaic, a drop-in for <c>demosaic</c> (which steps aside when this is enabled): the linear,
/// white-balanced CFA mosaic goes through a demosaic model (demosaicnet Bayer or X-Trans) in tiles and
/// comes back as linear camera RGBA. The model is the one that fits the raw's CFA kind; its <c>io</c>
/// block says the encoding (sRGB for demosaicnet), white balance convention and CFA phase, which the
/// tiler meets by shifting every tile onto the model's pattern. Scales below 1 resample the scale-1 result, except in
/// preview pipes: at scales of one half and below a preview is the classical demosaic's preview (the half-size method,
/// resampled), which is closer to the network's full-size result scaled down than the network run on a binned mosaic
/// (iop/Neural/README.md) and costs what the preview's pixels do. Exports and viewers keep the network.
/// </summary>
public sealed class DemosaicNnOperation(ModelServices? models) : ImageOperation<DemosaicNnParams, DemosaicNnOperation.Setup>
{
    /// <param name="Preview">The classical demosaic, committed in preview pipes only.</param>
    public sealed record Setup(ChosenModel Model, TileGrid Grid, CfaPattern Cfa, TileEncoding Encoding, ImageSize InputSize, ICommittedOperation? Preview)
    {
        /// <summary>The classical preview when it serves <paramref name="scale"/>; null where the network runs.</summary>
        public ICommittedOperation? PreviewAt(double scale) => scale <= 0.5 ? Preview : null;
    }

    public override OperationInfo Info { get; } = new(ModuleIds.DemosaicNn, 1, "Demosaic (neural)",
        OperationFlags.TilingAllowed, new FormatFilter(PixelLayout.Cfa, ColorEncoding.LinearCamera), new TilingNeeds(MemoryFactor: 2.5))
    {
        Replaces = ["demosaic"],
    };

    protected override Setup Commit(DemosaicNnParams parameters, CommitContext context)
    {
        var cfa = context.Input.Cfa ?? throw new PipeException(context.Instance, "needs a CFA mosaic");
        var model = NeuralModel.Open(models, context, "demosaic", ModelInputTraits.Mosaic(cfa), parameters.Model);
        if (!TileTransform.Sizes.Contains(parameters.Ensemble))
            throw new PipeException(context.Instance, $"ensemble {parameters.Ensemble} is not one of {string.Join(", ", TileTransform.Sizes)}");
        var grid = NeuralModel.Plan(model, context, context.InputSize, cfa, parameters.Ensemble);
        var preview = context.Kind == PipeKind.Preview ? ((IImageOperation)new DemosaicOperation()).Commit(new DemosaicParams(), context) : null;
        return new Setup(model, grid, cfa, NeuralModel.EncodingFor(model.Tiler.Model.Io, context.Input), context.InputSize, preview);
    }

    protected override BufferFormat OutputFormat(Setup setup, CommitContext context) =>
        new(PixelLayout.Rgba, context.Input.Encoding, context.Input.White) { WhiteBalance = context.Input.WhiteBalance };

    // The pipe's tiles bound the region buffers (mosaic, RGBA, the tiler's sums); the network's own tile
    // working set is sized to the same budget by the tiler's ladder, so it is not counted here again.
    // Pipe bands on whole rows of network tiles recompute only the tiles that blend across their edges.
    protected override TilingNeeds Tiling(Setup setup, CommitContext context) => Info.Tiling with
    {
        Overlap = setup.Grid.Overlap,
        Alignment = setup.Grid.CoreHeight,
    };

    protected override Roi ModifyRoiIn(Setup setup, Roi roiOut, CommitContext context) =>
        setup.PreviewAt(roiOut.Scale)?.ModifyRoiIn(roiOut) ?? setup.Grid.InputFor(SourceRegion(setup, roiOut));

    /// <summary>The scale-1 region the network renders for <paramref name="roiOut"/>.</summary>
    private static Roi SourceRegion(Setup setup, Roi roiOut) =>
        roiOut.Scale == 1 ? roiOut : Resampler.SourceRoi(roiOut, 1, setup.InputSize);

    protected override void Process(ProcessContext context, Setup setup, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        if (setup.PreviewAt(roiOut.Scale) is { } preview)
        {
            context.Logger.LogDebug("demosaic_nn previews {Roi} with the classical demosaic.", roiOut);
            preview.Process(context, input, roiIn, output, roiOut);
            return;
        }
        var region = SourceRegion(setup, roiOut);
        using var planes = NeuralPixels.Infer(context, setup.Model, setup.Grid, setup.Cfa, input, roiIn, region, setup.Encoding);
        if (roiOut.Scale == 1)
        {
            NeuralPixels.WriteRgba(context, planes, setup.Model.Tiler.Model.Io, setup.Encoding, output);
            return;
        }
        using var rgb = ImageBuffer.Rent(context.Pool, region.Width, region.Height, 4);
        NeuralPixels.WriteRgba(context, planes, setup.Model.Tiler.Model.Io, setup.Encoding, rgb);
        Resampler.Run(context, setup.InputSize, rgb, region, output, roiOut);
    }
}
