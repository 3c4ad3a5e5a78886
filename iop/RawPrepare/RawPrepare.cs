using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.RawPrepare;

/// <summary>rawprepare has no user parameters: black and white come from the file.</summary>
public sealed record RawPrepareParams : OperationParams;

/// <summary>
/// Sensor values to linear camera values with 1.0 = white: subtracts the black level of each sample
/// (per CFA colour, plus any repeating black pattern) and divides by white - black. The raw source
/// already hands over only the visible area, so masked borders never enter the pipe.
/// </summary>
public sealed class RawPrepareOperation : ImageOperation<RawPrepareParams, CellAffine>
{
    public override OperationInfo Info { get; } = new(ModuleIds.RawPrepare, 1, "Raw black/white point",
        OperationFlags.TilingAllowed | OperationFlags.InPlace | OperationFlags.EnabledByDefault,
        new FormatFilter(PixelLayout.Any, ColorEncoding.RawCamera), TilingNeeds.Pointwise);

    protected override BufferFormat OutputFormat(CellAffine state, CommitContext context) =>
        context.Input with { Encoding = ColorEncoding.LinearCamera, White = 1f, Saturation = new ChannelLevels(1, 1, 1) };

    protected override CellAffine Commit(RawPrepareParams parameters, CommitContext context)
    {
        var image = context.Image;
        var black = SensorBlack.Of(image);
        if (image.Cfa is null)
        {
            var offsets = new float[3];
            var scales = new float[3];
            for (var c = 0; c < 3; c++) (scales[c], offsets[c]) = Normalise(black.At(0, 0, c), image.White);
            return new CellAffine(1, 1, scales, offsets);
        }
        var scale = new float[black.Width * black.Height];
        var offset = new float[scale.Length];
        for (var cell = 0; cell < scale.Length; cell++) (scale[cell], offset[cell]) = Normalise(black.Values[cell], image.White);
        return new CellAffine(black.Width, black.Height, scale, offset);
    }

    protected override void Process(ProcessContext context, CellAffine state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        state.Apply(context, input, roiIn, output, roiOut);

    /// <summary>(v - black) / (white - black) as scale and offset.</summary>
    private static (float Scale, float Offset) Normalise(float black, float white)
    {
        var range = white - black;
        if (!(range > 0)) throw new PipeException($"the raw's white level {white} is not above its black level {black}");
        return (1f / range, -black / range);
    }
}
