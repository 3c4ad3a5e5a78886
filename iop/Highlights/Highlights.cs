using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Highlights;

public enum HighlightsMode { Clip, Reconstruct }

public sealed record HighlightsParams : OperationParams
{
    [ParamDescription("clip: saturated areas turn neutral white; reconstruct: their colour is rebuilt from the channels that did not saturate.")]
    public HighlightsMode Mode { get; init; } = HighlightsMode.Reconstruct;

    // 1: a sample counts as clipped at its channel's white level, as darktable's default; lower it for a camera
    // whose data saturates below the white level its raws state.
    [ParamRange(0.5, 1.0), ParamDescription("Fraction of a channel's saturation level from which it counts as clipped.")]
    public double Threshold { get; init; } = 1.0;
}

/// <summary>
/// Highlight handling on white-balanced sensor data, before demosaic. <c>clip</c> clamps every sample
/// to the lowest channel saturation, so blown areas turn neutral instead of magenta. <c>reconstruct</c>
/// rebuilds a clipped channel from the ones that did not clip, scaled by the ratios between channels
/// measured just outside the clipped areas (an "opposed" inpainting): a blown sky stays blue and a
/// blown flower keeps its hue. Ratios are gathered over the whole image, so every region and every
/// tile sees the same ones; where all channels clipped, it falls back to neutral clipping. Only clipped
/// samples change: one below the clip level is a measurement, whatever its neighbours did.
/// </summary>
public sealed class HighlightsOperation : ImageOperation<HighlightsParams, HighlightsOperation.Setup>
{
    /// <summary>Where each channel counts as clipped, and where it saturated.</summary>
    public sealed record Setup(HighlightsMode Mode, ChannelLevels ClipAt, ChannelLevels Saturation, ImageSize InputSize);

    /// <summary>
    /// Relative distance below the clip level that still counts as clipped: float rounding is about 1e-7, and
    /// 1e-4 stays under half an ADC step of a 12-bit raw, so no real measurement below the level is taken in.
    /// </summary>
    public const double ClipTolerance = 1e-4;

    public override OperationInfo Info { get; } = new(ModuleIds.Highlights, 1, "Highlight reconstruction",
        OperationFlags.TilingAllowed | OperationFlags.InPlace | OperationFlags.EnabledByDefault,
        new FormatFilter(PixelLayout.Any, ColorEncoding.LinearCamera), TilingNeeds.Pointwise);

    protected override Setup Commit(HighlightsParams parameters, CommitContext context)
    {
        var saturation = context.Input.Saturation ?? new ChannelLevels(context.Input.White, context.Input.White, context.Input.White);
        // A sample at the white level comes out of the black/white scaling and the white balance gains a few
        // float roundings off its channel's saturation: the tolerance keeps it clipped at threshold 1.
        var t = (float)(parameters.Threshold * (1 - ClipTolerance));
        return new Setup(parameters.Mode, saturation.Scaled(t, t, t), saturation, context.InputSize);
    }

    /// <summary>
    /// Reconstruction works on the whole image; besides it, it holds a byte per 2x2 or 3x3 block (block means are
    /// read from the image when needed), so it rarely needs tiling.
    /// </summary>
    protected override TilingNeeds Tiling(Setup setup, CommitContext context) =>
        setup.Mode == HighlightsMode.Reconstruct ? Info.Tiling with { MemoryFactor = 0.85 } : Info.Tiling;

    /// <summary>Reconstruction reads the whole image (for its colour ratios); clipping is pointwise.</summary>
    protected override Roi ModifyRoiIn(Setup setup, Roi roiOut, CommitContext context) =>
        setup.Mode == HighlightsMode.Reconstruct ? Roi.Full(setup.InputSize, roiOut.Scale) : roiOut;

    protected override void Process(ProcessContext context, Setup setup, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        if (setup.Mode == HighlightsMode.Clip)
        {
            Clip(context, setup.Saturation.Min, input, roiIn, output, roiOut);
            return;
        }
        var blocks = BlockGrid.Measure(context, input, roiIn, setup.ClipAt);
        var ratios = blocks.RatiosAroundClipping(context);
        if (ratios is null)
        {
            // Nothing clipped anywhere: reconstruction is the identity.
            RegionCopy.Run(context, input, roiIn, output, roiOut);
            return;
        }
        blocks.Reconstruct(context, ratios, setup.ClipAt, setup.Saturation.Min, input, roiIn, output, roiOut);
    }

    private static void Clip(ProcessContext context, float level, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var channels = input.Channels;
        var dx = (roiOut.X - roiIn.X) * channels;
        var dy = roiOut.Y - roiIn.Y;
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var source = input.Row(y + dy).Slice(dx, roiOut.Width * channels);
                var target = output.Row(y);
                for (var i = 0; i < source.Length; i++)
                    target[i] = channels == 4 && (i & 3) == 3 ? source[i] : Math.Min(source[i], level);
            }
        });
    }
}
