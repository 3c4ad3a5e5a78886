using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Iop.Sigmoid;

public sealed record SigmoidParams : OperationParams
{
    [ParamRange(0.2, 5), ParamDescription("Slope of the curve around middle grey; higher is punchier.")]
    public double Contrast { get; init; } = 1.5;

    [ParamRange(0.05, 0.5), ParamDescription("Scene value (linear) that stays where it is, middle grey.")]
    public double MiddleGrey { get; init; } = 0.1845;

    [ParamRange(0.5, 1.5), ParamDescription("Display value the brightest highlights approach.")]
    public double TargetWhite { get; init; } = 1.0;

    [ParamRange(0, 1), ParamDescription("1 keeps each pixel's hue through the curve; 0 curves channels independently.")]
    public double PreserveHue { get; init; } = 1.0;
}

/// <summary>
/// Scene-referred to display-referred tone mapping with a log-logistic curve
/// <c>f(x) = W x^c / (x^c + k)</c>, <c>k</c> chosen so middle grey maps to itself. Applied per channel,
/// which desaturates bright colours gracefully, then the middle channel is moved so the hue (its
/// position between min and max) is the input's. Output stays linear, in [0, W].
/// </summary>
public sealed class SigmoidOperation : ImageOperation<SigmoidParams, SigmoidOperation.Curve>
{
    public sealed record Curve(float Contrast, float K, float White, float PreserveHue);

    public override OperationInfo Info { get; } = new("sigmoid", 1, "Sigmoid tone mapper",
        OperationFlags.TilingAllowed | OperationFlags.EnabledByDefault | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearWorking), TilingNeeds.Pointwise);

    protected override Curve Commit(SigmoidParams parameters, CommitContext context)
    {
        var (c, g, w) = (parameters.Contrast, parameters.MiddleGrey, parameters.TargetWhite);
        var k = Math.Pow(g, c) * (w / g - 1);
        return new Curve((float)c, (float)k, (float)w, (float)parameters.PreserveHue);
    }

    protected override void Process(ProcessContext context, Curve curve, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var dx = (roiOut.X - roiIn.X) * 4;
        var dy = roiOut.Y - roiIn.Y;
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            Span<float> rgb = stackalloc float[3];
            for (var y = y0; y < y1; y++)
            {
                var source = input.Row(y + dy).Slice(dx, roiOut.Width * 4);
                var target = output.Row(y);
                for (var i = 0; i < source.Length; i += 4)
                {
                    for (var ch = 0; ch < 3; ch++) rgb[ch] = Map(curve, source[i + ch]);
                    if (curve.PreserveHue > 0) RestoreHue(source.Slice(i, 3), rgb, curve.PreserveHue);
                    target[i] = rgb[0];
                    target[i + 1] = rgb[1];
                    target[i + 2] = rgb[2];
                    target[i + 3] = source[i + 3];
                }
            }
        });
    }

    private static float Map(Curve curve, float x)
    {
        if (!(x > 0)) return 0f;
        var p = MathF.Pow(x, curve.Contrast);
        return curve.White * p / (p + curve.K);
    }

    /// <summary>Sets the middle channel so (mid - min) / (max - min) matches the input's.</summary>
    private static void RestoreHue(ReadOnlySpan<float> input, Span<float> mapped, float strength)
    {
        int max = 0, min = 0;
        for (var ch = 1; ch < 3; ch++)
        {
            if (input[ch] > input[max]) max = ch;
            if (input[ch] < input[min]) min = ch;
        }
        if (max == min) return;
        var mid = 3 - max - min;
        var range = input[max] - input[min];
        if (!(range > 0)) return;
        var ratio = Math.Clamp((input[mid] - input[min]) / range, 0f, 1f);
        var hueKept = mapped[min] + ratio * (mapped[max] - mapped[min]);
        mapped[mid] += strength * (hueKept - mapped[mid]);
    }
}
