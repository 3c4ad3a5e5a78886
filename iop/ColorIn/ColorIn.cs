using RawEngine.Engine.Buffers;
using RawEngine.Engine.Color;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.ColorIn;

/// <summary>colorin reads its matrix from the raw; it has no user parameters yet.</summary>
public sealed record ColorInParams : OperationParams;

/// <summary>Camera RGB to the linear Rec.2020 working space (see <see cref="CameraToWorking"/>).</summary>
public sealed class ColorInOperation : ImageOperation<ColorInParams, Matrix3>
{
    public override OperationInfo Info { get; } = new(ModuleIds.ColorIn, 1, "Input colour profile",
        OperationFlags.TilingAllowed | OperationFlags.InPlace | OperationFlags.EnabledByDefault,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearCamera), TilingNeeds.Pointwise);

    protected override Matrix3 Commit(ColorInParams parameters, CommitContext context) =>
        CameraToWorking.For(context.Image, RgbColorSpace.LinearRec2020);

    protected override BufferFormat OutputFormat(Matrix3 state, CommitContext context) =>
        context.Input with { Encoding = ColorEncoding.LinearWorking, ColorSpace = RgbColorSpace.LinearRec2020, Saturation = null };

    protected override void Process(ProcessContext context, Matrix3 state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        PixelMatrix.Apply(context, state, input, roiIn, output, roiOut);
}
