using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Iop.Highlights;

public sealed record HighlightsParams : OperationParams
{
    [ParamRange(0.5, 2), ParamDescription("Values above this (1.0 = the sensor's white after white balance) are clipped.")]
    public double Threshold { get; init; } = 1.0;
}

/// <summary>
/// Clips every CFA sample (or channel) at the threshold, so areas where any channel saturated turn
/// neutral instead of taking a false colour from the channels that did not.
/// </summary>
public sealed class HighlightsOperation : ImageOperation<HighlightsParams, float>
{
    public override OperationInfo Info { get; } = new("highlights", 1, "Highlight clipping",
        OperationFlags.TilingAllowed | OperationFlags.InPlace | OperationFlags.EnabledByDefault,
        new FormatFilter(PixelLayout.Any, ColorEncoding.LinearCamera), TilingNeeds.Pointwise);

    protected override float Commit(HighlightsParams parameters, CommitContext context) => (float)parameters.Threshold;

    protected override void Process(ProcessContext context, float threshold, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
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
                    target[i] = channels == 4 && (i & 3) == 3 ? source[i] : Math.Min(source[i], threshold);
            }
        });
    }
}
