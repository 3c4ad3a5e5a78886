using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Exposure;

public sealed record ExposureParams : OperationParams
{
    /// <summary>The default look for a raw: a scene-referred boost like darktable's, before the tone mapper.</summary>
    public const double DefaultExposure = 0.7;

    [ParamRange(-18, 18), ParamDescription("Exposure change in EV.")]
    public double Exposure { get; init; } = DefaultExposure;

    [ParamRange(-1, 1), ParamDescription("Black level offset, subtracted before the gain (1.0 = white).")]
    public double Black { get; init; }

    [ParamDescription("Also apply the raw's DNG BaselineExposure, as the camera maker intends.")]
    public bool CompensateBaseline { get; init; } = true;
}

/// <summary>Scene-referred exposure: <c>(v - black) * 2^EV</c> on every colour channel or CFA sample.</summary>
public sealed class ExposureOperation : ImageOperation<ExposureParams, CellAffine>
{
    public override OperationInfo Info { get; } = new(ModuleIds.Exposure, 1, "Exposure",
        OperationFlags.TilingAllowed | OperationFlags.InPlace | OperationFlags.EnabledByDefault | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Any, ColorEncoding.LinearCamera | ColorEncoding.LinearWorking), TilingNeeds.Pointwise);

    protected override CellAffine Commit(ExposureParams parameters, CommitContext context)
    {
        var ev = parameters.Exposure + (parameters.CompensateBaseline ? context.Image.BaselineExposure ?? 0 : 0);
        var gain = (float)Math.Pow(2, ev);
        var offset = (float)(-parameters.Black * gain);
        return new CellAffine(1, 1, [gain, gain, gain], [offset, offset, offset]);
    }

    protected override void Process(ProcessContext context, CellAffine state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        state.Apply(context, input, roiIn, output, roiOut);
}
