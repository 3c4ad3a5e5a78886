using System.Buffers;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.PixelAspect;

/// <summary>pixelaspect takes the raw's own pixel shape; it has no user parameters.</summary>
public sealed record PixelAspectParams : OperationParams;

/// <summary>
/// Makes non-square sensor pixels square (Kodak DC120: 848x976 samples shown as 1301x976), stretching
/// the shorter way with linear interpolation, as LibRaw does. Square pixels pass through untouched.
/// </summary>
public sealed class PixelAspectOperation : ImageOperation<PixelAspectParams, PixelAspectOperation.Stretch>
{
    /// <summary>The image size (scale 1) before and after; at most one axis differs.</summary>
    public sealed record Stretch(ImageSize Input, ImageSize Output)
    {
        public bool IsIdentity => Input == Output;
        public bool Horizontal => Input.Width != Output.Width;

        /// <summary>Continuous input coordinate of an output pixel centre along the stretched axis, at a scale.</summary>
        public double Source(int outputIndex, double scale)
        {
            var (input, output) = Horizontal ? (Input.Scaled(scale).Width, Output.Scaled(scale).Width) : (Input.Scaled(scale).Height, Output.Scaled(scale).Height);
            return (outputIndex + 0.5) * input / output - 0.5;
        }

        public double Ratio(double outputScale, double inputScale) => Horizontal
            ? Input.Scaled(inputScale).Width / (double)Output.Scaled(outputScale).Width
            : Input.Scaled(inputScale).Height / (double)Output.Scaled(outputScale).Height;
    }

    public override OperationInfo Info { get; } = new(ModuleIds.PixelAspect, 1, "Pixel aspect",
        OperationFlags.TilingAllowed | OperationFlags.Geometric | OperationFlags.EnabledByDefault,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.Any), TilingNeeds.Pointwise);

    protected override bool InPlace(Stretch state) => state.IsIdentity;

    protected override Stretch Commit(PixelAspectParams parameters, CommitContext context)
    {
        var input = context.InputSize;
        var aspect = context.Image.PixelAspect;
        var output = aspect > 1 ? input with { Width = (int)Math.Round(input.Width * aspect) }
            : aspect < 1 ? input with { Height = (int)Math.Round(input.Height / aspect) }
            : input;
        return new Stretch(input, output);
    }

    protected override Roi ModifyRoiOut(Stretch state, Roi roiIn, CommitContext context) =>
        roiIn == Roi.Full(state.Input, roiIn.Scale) ? Roi.Full(state.Output, roiIn.Scale) : roiIn;

    protected override Roi ModifyRoiIn(Stretch state, Roi roiOut, CommitContext context)
    {
        if (state.IsIdentity) return roiOut;
        var input = state.Input.Scaled(roiOut.Scale);
        var (start, end, limit) = state.Horizontal ? (roiOut.X, roiOut.Right, input.Width) : (roiOut.Y, roiOut.Bottom, input.Height);
        var first = Math.Clamp((int)Math.Floor(state.Source(start, roiOut.Scale)), 0, limit - 1);
        var last = Math.Clamp((int)Math.Floor(state.Source(end - 1, roiOut.Scale)) + 1, 0, limit - 1);
        return state.Horizontal
            ? roiOut with { X = first, Width = last - first + 1 }
            : roiOut with { Y = first, Height = last - first + 1 };
    }

    protected override PointMap OutputToInput(Stretch state, double outputScale, double inputScale, CommitContext context)
    {
        var ratio = state.Ratio(outputScale, inputScale);
        var other = inputScale / outputScale;
        return state.Horizontal ? Affine2.Scaling(ratio, other) : Affine2.Scaling(other, ratio);
    }

    protected override void Process(ProcessContext context, Stretch state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        if (state.IsIdentity)
        {
            RegionCopy.Run(context, input, roiIn, output, roiOut);
            return;
        }
        var (count, origin, inputOrigin, inputLength) = state.Horizontal
            ? (roiOut.Width, roiOut.X, roiIn.X, roiIn.Width)
            : (roiOut.Height, roiOut.Y, roiIn.Y, roiIn.Height);
        // Where each output column (or row) reads: the first of two neighbours, relative to the input region, and the second's weight.
        var index = ArrayPool<int>.Shared.Rent(count);
        var weight = ArrayPool<float>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var source = Math.Clamp(state.Source(origin + i, roiOut.Scale) - inputOrigin, 0, inputLength - 1);
                var first = Math.Min((int)source, Math.Max(0, inputLength - 2));
                index[i] = first;
                weight[i] = inputLength > 1 ? (float)(source - first) : 0;
            }
            if (state.Horizontal) StretchRows(context, input, roiIn, output, roiOut, index, weight);
            else StretchColumns(context, input, roiIn, output, roiOut, index, weight);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(index);
            ArrayPool<float>.Shared.Return(weight);
        }
    }

    private static void StretchRows(ProcessContext context, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut, int[] index, float[] weight) =>
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var source = input.Row(roiOut.Y + y - roiIn.Y);
                var target = output.Row(y);
                for (var x = 0; x < roiOut.Width; x++)
                {
                    var a = index[x] * 4;
                    var b = Math.Min(a + 4, roiIn.Width * 4 - 4);
                    var w = weight[x];
                    for (var c = 0; c < 4; c++) target[x * 4 + c] = source[a + c] + w * (source[b + c] - source[a + c]);
                }
            }
        });

    private static void StretchColumns(ProcessContext context, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut, int[] index, float[] weight) =>
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var first = input.Row(index[y]).Slice((roiOut.X - roiIn.X) * 4, roiOut.Width * 4);
                var second = input.Row(Math.Min(index[y] + 1, roiIn.Height - 1)).Slice((roiOut.X - roiIn.X) * 4, roiOut.Width * 4);
                var target = output.Row(y);
                var w = weight[y];
                for (var i = 0; i < first.Length; i++) target[i] = first[i] + w * (second[i] - first[i]);
            }
        });
}
