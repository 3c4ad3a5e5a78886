using System.Collections.Concurrent;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.AI.Tiling;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Neural;

namespace RawEngine.Iop.DenoiseNn;

public sealed record DenoiseNnParams : OperationParams
{
    [ParamRange(0, 1), ParamDescription("How much of the denoised image replaces the input: 0 none, 1 all.")]
    public double Strength { get; init; } = 1;

    [ParamDescription("Model id; empty: the task's active model, else the default (then first found) denoise model.")]
    public string Model { get; init; } = "";
}

/// <summary>
/// Neural denoise on linear camera RGB right after demosaic (darktable-ai's NAFNet contract: planar RGB
/// <c>input</c> to <c>output</c>, same size), in tiles. The pipe's values are encoded as the model's
/// <c>io</c> says (sRGB by default), clamped to its range, and decoded back; the network's correction is
/// added to the unclamped input, so highlights above white keep their values, and
/// <see cref="DenoiseNnParams.Strength"/> blends it in. At scales below 1 it denoises the scaled image.
/// </summary>
public sealed class DenoiseNnOperation(ModelServices? models) : ImageOperation<DenoiseNnParams, DenoiseNnOperation.Setup>
{
    public sealed class Setup(ChosenModel model, TileEncoding encoding, float strength, ImageSize inputSize, TileGrid fullScale, Func<ImageSize, TileGrid> plan)
    {
        private readonly ConcurrentDictionary<double, TileGrid> _grids = new() { [1.0] = fullScale };

        public ChosenModel Model { get; } = model;
        public TileEncoding Encoding { get; } = encoding;
        public float Strength { get; } = strength;
        public TileGrid FullScale { get; } = fullScale;

        /// <summary>The grid over the whole image at <paramref name="scale"/>, anchored at its origin.</summary>
        public TileGrid GridAt(double scale) => _grids.GetOrAdd(scale, s => plan(inputSize.Scaled(s)));
    }

    public override OperationInfo Info { get; } = new(ModuleIds.DenoiseNn, 1, "Denoise (neural)",
        OperationFlags.TilingAllowed | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearCamera | ColorEncoding.LinearWorking), new TilingNeeds(MemoryFactor: 3));

    protected override Setup Commit(DenoiseNnParams parameters, CommitContext context)
    {
        var model = NeuralModel.Open(models, context, "denoise", ModelInputTraits.Rgb, parameters.Model);
        if (model.Tiler.ModelCfa is not null)
            throw new PipeException(context.Instance, $"model '{model.Package.Id}' denoises a CFA mosaic; only RGB denoise models run after demosaic");
        var full = NeuralModel.Plan(model, context, context.InputSize, null);
        return new Setup(model, NeuralModel.EncodingFor(model.Tiler.Model.Io, context.Input), (float)parameters.Strength, context.InputSize, full,
            size => model.Tiler.Plan(size, null, full.LadderSize, full.Overlap));
    }

    // As demosaic_nn: pipe bands on whole rows of network tiles; the network's working set is sized separately.
    protected override TilingNeeds Tiling(Setup setup, CommitContext context) => Info.Tiling with
    {
        Overlap = setup.FullScale.Overlap,
        Alignment = setup.FullScale.CoreHeight,
    };

    protected override Roi ModifyRoiIn(Setup setup, Roi roiOut, CommitContext context) =>
        setup.GridAt(roiOut.Scale).InputFor(roiOut) with { Scale = roiOut.Scale };

    protected override void Process(ProcessContext context, Setup setup, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var grid = setup.GridAt(roiOut.Scale);
        using (var planes = NeuralPixels.Infer(context, setup.Model, grid, null, input, roiIn with { Scale = 1 }, roiOut with { Scale = 1 }, setup.Encoding))
            NeuralPixels.WriteRgba(context, planes, setup.Model.Tiler.Model.Io, setup.Encoding, output);
        AddCorrection(context, setup, input, roiIn, output, roiOut);
    }

    /// <summary>
    /// output = input + strength * (denoised - what the network saw), per channel in linear light, where
    /// what it saw is the input clamped to the model's range (white balance taken off and put back as the
    /// encoding did): below white this is the blend (1 - s) input + s denoised; above, the input plus the correction.
    /// </summary>
    private static void AddCorrection(ProcessContext context, Setup setup, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var gains = setup.Encoding.Gains;
        var strength = setup.Strength;
        int dx = roiOut.X - roiIn.X, dy = roiOut.Y - roiIn.Y;
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var source = input.Row(y + dy).Slice(4 * dx, 4 * roiOut.Width);
                var row = output.Row(y);
                for (var i = 0; i < row.Length; i += 4)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        var seen = Math.Clamp(source[i + c] * gains[c], 0f, 1f) / gains[c];
                        row[i + c] = source[i + c] + strength * (row[i + c] - seen);
                    }
                    row[i + 3] = source[i + 3];
                }
            }
        });
    }
}
