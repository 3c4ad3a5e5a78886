using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Flip;

public sealed record FlipParams : OperationParams
{
    [ParamRange(0, 8), ParamDescription("EXIF orientation to apply, 1..8; 0 takes the raw file's own.")]
    public int Orientation { get; init; }
}

/// <summary>
/// Applies an EXIF orientation (mirrors, 90-degree turns and transposes) so the image stands as it
/// was shot. After it, exports write orientation 1.
/// </summary>
public sealed class FlipOperation : ImageOperation<FlipParams, FlipOperation.Orientation>
{
    /// <summary>An EXIF orientation and the size (scale 1) of the image it turns.</summary>
    public readonly record struct Orientation(int Value, ImageSize InputSize)
    {
        public bool Transposes => Value >= 5;

        /// <summary>The input pixel shown at output (x, y), for an input of <paramref name="width"/> x <paramref name="height"/>.</summary>
        public (int X, int Y) Source(int x, int y, int width, int height) => Value switch
        {
            2 => (width - 1 - x, y),
            3 => (width - 1 - x, height - 1 - y),
            4 => (x, height - 1 - y),
            5 => (y, x),
            6 => (y, height - 1 - x),
            7 => (width - 1 - y, height - 1 - x),
            8 => (width - 1 - y, x),
            _ => (x, y),
        };
    }

    public override OperationInfo Info { get; } = new(ModuleIds.Flip, 1, "Orientation",
        OperationFlags.TilingAllowed | OperationFlags.Geometric | OperationFlags.EnabledByDefault,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.Any), TilingNeeds.Pointwise);

    protected override bool InPlace(Orientation state) => state.Value == 1;

    protected override Orientation Commit(FlipParams parameters, CommitContext context) =>
        new(parameters.Orientation == 0 ? context.Image.Orientation : parameters.Orientation, context.InputSize);

    protected override BufferFormat OutputFormat(Orientation state, CommitContext context) => context.Input with { AppliedOrientation = state.Value };

    protected override Roi ModifyRoiOut(Orientation state, Roi roiIn, CommitContext context) =>
        state.Transposes ? roiIn with { X = roiIn.Y, Y = roiIn.X, Width = roiIn.Height, Height = roiIn.Width } : roiIn;

    protected override Roi ModifyRoiIn(Orientation state, Roi roiOut, CommitContext context)
    {
        var input = state.InputSize.Scaled(roiOut.Scale);
        var (ax, ay) = state.Source(roiOut.X, roiOut.Y, input.Width, input.Height);
        var (bx, by) = state.Source(roiOut.Right - 1, roiOut.Bottom - 1, input.Width, input.Height);
        return roiOut with { X = Math.Min(ax, bx), Y = Math.Min(ay, by), Width = Math.Abs(bx - ax) + 1, Height = Math.Abs(by - ay) + 1 };
    }

    protected override PointMap OutputToInput(Orientation state, double outputScale, double inputScale, CommitContext context)
    {
        var input = state.InputSize.Scaled(inputScale);
        return Affine2.Scaling(inputScale / outputScale).Then(Affine2.FromOriented(state.Value, input.Width, input.Height));
    }

    protected override void Process(ProcessContext context, Orientation state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        if (state.Value == 1)
        {
            RegionCopy.Run(context, input, roiIn, output, roiOut);
            return;
        }
        var size = state.InputSize.Scaled(roiOut.Scale);
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var target = output.Row(y);
                for (var x = 0; x < roiOut.Width; x++)
                {
                    var (sx, sy) = state.Source(roiOut.X + x, roiOut.Y + y, size.Width, size.Height);
                    input.Row(sy - roiIn.Y).Slice((sx - roiIn.X) * 4, 4).CopyTo(target.Slice(x * 4, 4));
                }
            }
        });
    }
}
