using System.Runtime.Intrinsics.X86;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Color;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.ColorOut;

public sealed record ColorOutParams : OperationParams
{
    [ParamDescription("Output space: srgb, display-p3, adobe-rgb, prophoto, rec2020, each also with -linear.")]
    public string Profile { get; init; } = "srgb";
}

/// <summary>
/// Linear working RGB to the output space: a matrix (with Bradford adaptation where the whites
/// differ), clipping to the space's gamut [0, 1], then its transfer curve. The export embeds the
/// same space's ICC profile.
/// </summary>
public sealed class ColorOutOperation : ImageOperation<ColorOutParams, ColorOutOperation.State>
{
    public sealed record State(RgbColorSpace Space, Matrix3 FromWorking, TransferLut Curve);

    public override OperationInfo Info { get; } = new(ModuleIds.ColorOut, 1, "Output colour profile",
        OperationFlags.TilingAllowed | OperationFlags.InPlace | OperationFlags.EnabledByDefault,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearWorking), TilingNeeds.Pointwise);

    /// <summary>The output space the params name; an unknown name is an error listing the known ones.</summary>
    public static RgbColorSpace SpaceOf(ColorOutParams parameters) =>
        RgbColorSpace.Find(parameters.Profile) ?? throw new EditException("colorout.params.profile",
            $"unknown output profile '{parameters.Profile}' (known: {string.Join(", ", RgbColorSpace.Outputs.SelectMany(s => new[] { s.Id, s.Id + "-linear" }))})");

    protected override State Commit(ColorOutParams parameters, CommitContext context)
    {
        var space = SpaceOf(parameters);
        var working = RgbColorSpace.LinearRec2020;
        var matrix = space.ToXyz.Inverse() * ChromaticAdaptation.Bradford(working.White, space.White) * working.ToXyz;
        return new State(space, matrix, new TransferLut(space.Transfer));
    }

    protected override BufferFormat OutputFormat(State state, CommitContext context) =>
        context.Input with { Encoding = ColorEncoding.Display, ColorSpace = state.Space, White = 1f };

    protected override void Process(ProcessContext context, State state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var dx = (roiOut.X - roiIn.X) * 4;
        var dy = roiOut.Y - roiIn.Y;
        var matrix = new PixelMatrix.RowMatrix(state.FromWorking);
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var source = input.Row(y + dy).Slice(dx, roiOut.Width * 4);
                var target = output.Row(y);
                // Eight pixels at a time in one pass, then the rest through the matrix and the curve: the same floats.
                var done = Avx2.IsSupported ? state.Curve.MatrixThenEncode(state.FromWorking, source, target) : 0;
                matrix.Apply(source[done..], target[done..]);
                state.Curve.EncodeRgba(target[done..source.Length]);
            }
        });
    }
}
