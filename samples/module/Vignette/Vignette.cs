using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;

namespace Samples.Vignette;

/// <summary>
/// The params: what a sidecar stores for the module (<c>{ "module": "vignette", "params": { "amount": 0.5 } }</c>).
/// Property initialisers are the defaults; ranges and descriptions are checked and shown by every front end.
/// </summary>
public sealed record VignetteParams : OperationParams
{
    [ParamRange(0, 1), ParamDescription("How much the corners darken: 0 none, 1 to black.")]
    public double Amount { get; init; } = 0.5;

    [ParamRange(0, 1), ParamDescription("Where the darkening starts, as a fraction of the distance from the centre to a corner.")]
    public double Start { get; init; } = 0.5;
}

/// <summary>
/// The state: what <see cref="VignetteOperation"/> derives from the params and the image once per render, so the
/// per-pixel loop does no more than it must. Distances are in pixels of the module's input at scale 1.
/// </summary>
public sealed record VignetteState(double CentreX, double CentreY, double StartRadius, double Falloff, float Amount)
{
    /// <summary>The gain at a distance from the centre: 1 inside the start radius, then a smooth step down to 1 - amount.</summary>
    public float GainAt(double distance)
    {
        var t = Math.Clamp((distance - StartRadius) * Falloff, 0, 1);
        return 1 - Amount * (float)(t * t * (3 - 2 * t));
    }
}

/// <summary>
/// Darkens towards the corners, in linear light after exposure. The pipe may call <see cref="Process"/> on the whole
/// image, on a region at any scale, or on tiles of either: each output pixel's gain comes from its position in the
/// image, never from where the call's buffer starts, so every way of rendering gives the same pixels.
/// </summary>
public sealed class VignetteOperation : ImageOperation<VignetteParams, VignetteState>
{
    public const string Id = "vignette";

    public override OperationInfo Info { get; } = new(Id, ParamsVersion: 1, "Vignette",
        OperationFlags.TilingAllowed | OperationFlags.InPlace | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearWorking), TilingNeeds.Pointwise);

    protected override VignetteState Commit(VignetteParams parameters, CommitContext context)
    {
        var (width, height) = (context.InputSize.Width, context.InputSize.Height);
        var corner = Math.Sqrt(width * width + height * height) / 2;
        var start = parameters.Start * corner;
        return new VignetteState(width / 2.0, height / 2.0, start, 1 / Math.Max(corner - start, 1), (float)parameters.Amount);
    }

    protected override void Process(ProcessContext context, VignetteState state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var source = input.Row(y);
                var target = output.Row(y);
                // Pixel centres of this region at its scale, back in scale-1 coordinates.
                var dy = (roiOut.Y + y + 0.5) / roiOut.Scale - state.CentreY;
                for (var x = 0; x < roiOut.Width; x++)
                {
                    var dx = (roiOut.X + x + 0.5) / roiOut.Scale - state.CentreX;
                    var gain = state.GainAt(Math.Sqrt(dx * dx + dy * dy));
                    var i = x * 4;
                    target[i] = source[i] * gain;
                    target[i + 1] = source[i + 1] * gain;
                    target[i + 2] = source[i + 2] * gain;
                    target[i + 3] = source[i + 3];
                }
            }
        });
    }
}
