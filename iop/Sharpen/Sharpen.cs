using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Sharpen;

public sealed record SharpenParams : OperationParams
{
    [ParamRange(0, 4), ParamDescription("How much of the detail (image minus its Gaussian blur) is added back.")]
    public double Amount { get; init; } = 1;

    [ParamRange(0.3, 3), ParamDescription("Gaussian radius (sigma, pixels) of the blur the detail is measured against: about the capture blur.")]
    public double Radius { get; init; } = 1;

    [ParamRange(0, 1), ParamDescription("Overshoot allowed past the 3x3 neighbourhood's range, as a fraction of that range (halo control).")]
    public double Halo { get; init; } = 0.1;
}

/// <summary>
/// Capture sharpening: edge-aware unsharp masking (<see cref="Sharpening"/>) in linear camera RGB after demosaic
/// and denoise, gated by the image's noise model (<see cref="NoiseModel.Estimate"/>, white balance included) so
/// that noise is not boosted. Off unless an edit enables it.
/// </summary>
public sealed class SharpenOperation : ImageOperation<SharpenParams, Sharpening>
{
    public override OperationInfo Info { get; } = new(ModuleIds.Sharpen, 1, "Sharpen (capture)",
        OperationFlags.TilingAllowed | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearCamera | ColorEncoding.LinearWorking), new TilingNeeds(MemoryFactor: 5));

    protected override Sharpening Commit(SharpenParams parameters, CommitContext context)
    {
        var noise = NoiseModel.Of(context.Image);
        var wb = context.Input.WhiteBalance ?? new ChannelLevels(1, 1, 1);
        float[] shot = [.. Enumerable.Range(0, 3).Select(c => (float)(wb[c] * noise.Shot))];
        float[] read = [.. Enumerable.Range(0, 3).Select(c => (float)(wb[c] * wb[c] * noise.Read))];
        return new Sharpening(parameters.Amount, parameters.Radius, parameters.Halo, shot, read);
    }

    protected override TilingNeeds Tiling(Sharpening sharpening, CommitContext context) => Info.Tiling with { Overlap = sharpening.Reach };

    protected override void Process(ProcessContext context, Sharpening sharpening, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        sharpening.Run(context, input, roiIn, output, roiOut);
}

public sealed record OutputSharpenParams : OperationParams
{
    [ParamRange(0, 4), ParamDescription("How much of the detail lost to the resize is added back.")]
    public double Amount { get; init; } = 0.6;

    [ParamRange(0.3, 3), ParamDescription("Gaussian radius (sigma, output pixels) of the blur the detail is measured against.")]
    public double Radius { get; init; } = 0.6;

    [ParamRange(0, 1), ParamDescription("Overshoot allowed past the 3x3 neighbourhood's range, as a fraction of that range (halo control).")]
    public double Halo { get; init; } = 0.1;
}

/// <summary>
/// Output sharpening ("sharpen for screen") after the final resize, on the output-encoded pixels: the same
/// unsharp masking with halo control, no noise gate (the resize averaged the noise away). `convert` enables
/// it when <c>--width/--height/--scale</c> downscale and <c>--sharpen</c> is auto.
/// </summary>
public sealed class OutputSharpenOperation : ImageOperation<OutputSharpenParams, Sharpening>
{
    public override OperationInfo Info { get; } = new(ModuleIds.SharpenOutput, 1, "Sharpen (output)",
        OperationFlags.TilingAllowed | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.Any), new TilingNeeds(MemoryFactor: 5));

    protected override Sharpening Commit(OutputSharpenParams parameters, CommitContext context) =>
        new(parameters.Amount, parameters.Radius, parameters.Halo, [0, 0, 0], [0, 0, 0]);

    protected override TilingNeeds Tiling(Sharpening sharpening, CommitContext context) => Info.Tiling with { Overlap = sharpening.Reach };

    protected override void Process(ProcessContext context, Sharpening sharpening, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        sharpening.Run(context, input, roiIn, output, roiOut);
}
