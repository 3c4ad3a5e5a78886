using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Crop;

public sealed record CropParams : OperationParams
{
    [ParamRange(0, 1), ParamDescription("Left edge, as a fraction of the image width.")]
    public double X { get; init; }

    [ParamRange(0, 1), ParamDescription("Top edge, as a fraction of the image height.")]
    public double Y { get; init; }

    [ParamRange(0, 1), ParamDescription("Width, as a fraction of the image width.")]
    public double Width { get; init; } = 1;

    [ParamRange(0, 1), ParamDescription("Height, as a fraction of the image height.")]
    public double Height { get; init; } = 1;
}

/// <summary>Keeps a rectangle of the (oriented) image, given in fractions of its size.</summary>
public sealed class CropOperation : ImageOperation<CropParams, PixelRect>
{
    public override OperationInfo Info { get; } = new(ModuleIds.Crop, 1, "Crop",
        OperationFlags.TilingAllowed | OperationFlags.Geometric,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.Any), TilingNeeds.Pointwise);

    protected override PixelRect Commit(CropParams p, CommitContext context)
    {
        if (p.X + p.Width > 1 + 1e-9 || p.Y + p.Height > 1 + 1e-9)
            throw new EditException("crop.params", $"the crop ({p.X}, {p.Y}, {p.Width} x {p.Height}) reaches outside the image");
        var size = context.InputSize;
        var x = (int)Math.Round(p.X * size.Width);
        var y = (int)Math.Round(p.Y * size.Height);
        var width = Math.Clamp((int)Math.Round(p.Width * size.Width), 1, size.Width - x);
        var height = Math.Clamp((int)Math.Round(p.Height * size.Height), 1, size.Height - y);
        return new PixelRect(x, y, width, height);
    }

    /// <summary>Full image in gives the crop's size out; regions are shifted by the crop origin.</summary>
    protected override Roi ModifyRoiOut(PixelRect crop, Roi roiIn, CommitContext context)
    {
        var full = Roi.Full(context.InputSize, roiIn.Scale);
        if (roiIn == full) return Roi.Full(new ImageSize(crop.Width, crop.Height), roiIn.Scale);
        var (ox, oy) = Origin(crop, roiIn.Scale);
        return roiIn with { X = roiIn.X - ox, Y = roiIn.Y - oy };
    }

    protected override Roi ModifyRoiIn(PixelRect crop, Roi roiOut, CommitContext context)
    {
        var (ox, oy) = Origin(crop, roiOut.Scale);
        return roiOut with { X = roiOut.X + ox, Y = roiOut.Y + oy };
    }

    protected override PointMap OutputToInput(PixelRect crop, double outputScale, double inputScale, CommitContext context)
    {
        var (ox, oy) = Origin(crop, inputScale);
        return Affine2.Scaling(inputScale / outputScale).Then(Affine2.Translation(ox, oy));
    }

    protected override void Process(ProcessContext context, PixelRect crop, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var (ox, oy) = Origin(crop, roiOut.Scale);
        RegionCopy.Run(context, input, roiIn, output, roiOut, ox, oy);
    }

    private static (int X, int Y) Origin(PixelRect crop, double scale) =>
        ((int)Math.Floor(crop.X * scale + 1e-9), (int)Math.Floor(crop.Y * scale + 1e-9));
}
