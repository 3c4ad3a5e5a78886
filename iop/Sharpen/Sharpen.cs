using System.Text.Json.Nodes;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Sharpen;

public sealed record SharpenParams : OperationParams
{
    [ParamRange(0, 4), ParamDescription("How much of the deconvolution is applied: 1 undoes the capture blur.")]
    public double Amount { get; init; } = 1;

    [ParamRange(0, 3), ParamDescription("Gaussian σ (pixels) of the capture blur to undo; 0 measures it from the raw (a sharp capture measures none and is left alone).")]
    public double Radius { get; init; }

    [ParamRange(0, 1), ParamDescription("Overshoot allowed past the 3x3 neighbourhood's range, as a fraction of its ends' levels (halo control).")]
    public double Halo { get; init; } = 0.1;
}

/// <summary>
/// Capture sharpening: Richardson-Lucy deconvolution (<see cref="Sharpening"/>) of a Gaussian capture blur in
/// linear camera RGB after demosaic and denoise, the blur measured from the raw (<see cref="CaptureBlur"/>) unless
/// given, gated by the image's noise model (<see cref="NoiseModel.Of"/>, white balance included) so that noise is
/// not boosted, with halo control. Off unless an edit enables it.
/// </summary>
public sealed class SharpenOperation : ImageOperation<SharpenParams, SharpenOperation.Setup>
{
    /// <summary>Richardson-Lucy iterations: on the test's Kodak crops blurred by a known σ of 1 px, 5 recover 1.4 dB, 10 1.9 dB, 20 2.4 dB.</summary>
    public const int Iterations = 20;

    /// <summary>The deconvolution at full size; a scaled-down view deconvolves the blur scaled with it.</summary>
    public sealed record Setup(double Amount, double Blur, double Halo, float[] Shot, float[] Read)
    {
        public Sharpening At(double scale) => new(Amount, Blur * scale, Iterations, Halo, Shot, Read);
    }

    public override OperationInfo Info { get; } = new(ModuleIds.Sharpen, 2, "Sharpen (capture)",
        OperationFlags.TilingAllowed | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearCamera | ColorEncoding.LinearWorking), new TilingNeeds(MemoryFactor: 7));

    protected override Setup Commit(SharpenParams parameters, CommitContext context)
    {
        var noise = NoiseModel.Of(context.Image);
        var wb = context.Input.WhiteBalance ?? new ChannelLevels(1, 1, 1);
        float[] shot = [.. Enumerable.Range(0, 3).Select(c => (float)(wb[c] * noise.Shot))];
        float[] read = [.. Enumerable.Range(0, 3).Select(c => (float)(wb[c] * wb[c] * noise.Read))];
        var blur = parameters.Radius > 0 || parameters.Amount <= 0 ? parameters.Radius : CaptureBlur.Of(context.Image, wb);
        return new Setup(parameters.Amount, blur, parameters.Halo, shot, read);
    }

    protected override TilingNeeds Tiling(Setup setup, CommitContext context) => Info.Tiling with { Overlap = setup.At(1).Reach };

    /// <summary>
    /// Version 2: <c>radius</c> 0 measures the blur and a raw whose fine detail says it is sharp is left alone (version
    /// 1 went by its edges alone, and before that its radius was an unsharp mask's). The numbers carry over as they are.
    /// </summary>
    protected override JsonObject UpgradeParams(int fromVersion, JsonObject parameters) =>
        fromVersion == 1 ? (JsonObject)parameters.DeepClone() : base.UpgradeParams(fromVersion, parameters);

    protected override void Process(ProcessContext context, Setup setup, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        setup.At(roiIn.Scale).Run(context, input, roiIn, output, roiOut);
}

public sealed record OutputSharpenParams : OperationParams
{
    [ParamRange(0, 4), ParamDescription("How much of the detail lost to the resize is added back.")]
    public double Amount { get; init; } = 0.6;

    [ParamRange(0.3, 3), ParamDescription("Gaussian radius (sigma, output pixels) of the blur the detail is measured against.")]
    public double Radius { get; init; } = 0.6;

    [ParamRange(0, 1), ParamDescription("Overshoot allowed past the 3x3 neighbourhood's range, as a fraction of its ends' levels (halo control).")]
    public double Halo { get; init; } = 0.1;
}

/// <summary>
/// Output sharpening ("sharpen for screen") after the final resize, on the output-encoded pixels: the same
/// unsharp masking (no deconvolution) with halo control, no noise gate (the resize averaged the noise away). `convert` enables
/// it when <c>--width/--height/--scale</c> downscale and <c>--sharpen</c> is auto.
/// </summary>
public sealed class OutputSharpenOperation : ImageOperation<OutputSharpenParams, Sharpening>
{
    public override OperationInfo Info { get; } = new(ModuleIds.SharpenOutput, 1, "Sharpen (output)",
        OperationFlags.TilingAllowed | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.Any), new TilingNeeds(MemoryFactor: 5));

    protected override Sharpening Commit(OutputSharpenParams parameters, CommitContext context) =>
        new(parameters.Amount, parameters.Radius, iterations: 0, parameters.Halo, [0, 0, 0], [0, 0, 0]);

    protected override TilingNeeds Tiling(Sharpening sharpening, CommitContext context) => Info.Tiling with { Overlap = sharpening.Reach };

    protected override void Process(ProcessContext context, Sharpening sharpening, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        sharpening.Run(context, input, roiIn, output, roiOut);
}
