using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.Crop;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.Flip;

namespace RawEngine.Tests.Masks;

/// <summary>Masks in real renders: mapped through demosaic's scale, flip and crop to the pixels they cover.</summary>
public class MaskGeometryTests
{
    // The stored raw is 120 x 80, shot turned (orientation 6): the oriented image is 80 x 120.
    private const int RawWidth = 120, RawHeight = 80;
    private static readonly CropParams Crop = new() { X = 0.1, Y = 0.2, Width = 0.7, Height = 0.6 };   // origin (8, 24) of the oriented image
    private static readonly (double X0, double Y0, double X1, double Y1) Rectangle = (0.2, 0.3, 0.6, 0.7);

    private static readonly MaskSet Masks = new([new MaskGroup("rect", [new GroupMember(new PathForm([
        PathNode.Corner(Rectangle.X0, Rectangle.Y0), PathNode.Corner(Rectangle.X1, Rectangle.Y0),
        PathNode.Corner(Rectangle.X1, Rectangle.Y1), PathNode.Corner(Rectangle.X0, Rectangle.Y1)]))])]);

    private static float[] Pixels(ImageBuffer buffer)
    {
        var pixels = new float[buffer.Width * buffer.Height * 4];
        for (var y = 0; y < buffer.Height; y++) buffer.Row(y).CopyTo(pixels.AsSpan(y * buffer.Width * 4));
        return pixels;
    }

    [Theory]
    [InlineData(PipeKind.Full, 1.0, false)]
    [InlineData(PipeKind.Full, 0.5, false)]
    [InlineData(PipeKind.Full, 0.5, true)]
    [InlineData(PipeKind.Export, 1.0, true)]
    [InlineData(PipeKind.Preview, 0.5, false)]
    public async Task AMaskedExposureChangesExactlyThePixelsTheMaskCovers(PipeKind kind, double scale, bool exposureAfterCrop)
    {
        var registry = StandardModules.CreateRegistry();
        using var engine = new RenderEngine(registry, new EngineOptions { CacheBytes = 0 });
        using var session = engine.Open(SyntheticRaw.Chart(RawWidth, RawHeight, new SyntheticRawOptions { Orientation = 6 }));
        var cropped = Edit.Empty.With("crop", Crop);
        if (exposureAfterCrop)
        {
            // Move exposure after crop, so its mask passes through the crop too.
            var order = IopOrder.Default.Where(id => registry.Contains(id) && (id is "crop" or "exposure" || registry.Get(id).Info.Has(OperationFlags.EnabledByDefault)))
                .Where(id => id != "exposure").ToList();
            order.Insert(order.IndexOf("crop") + 1, "exposure");
            cropped = cropped with { Order = [.. order] };
        }
        var exposure = new ExposureParams { Exposure = 1.5f };
        var everywhere = cropped.With("exposure", exposure);
        var masked = cropped.With("exposure", exposure, new BlendParams { Mask = "rect" }) with { Masks = Masks };

        var size = session.OutputSize(cropped, kind);
        Assert.Equal((56, 72), (size.Width, size.Height));
        var roi = Roi.Full(size, scale);
        // Outside the mask the pixels are exposure's input: the render without exposure.
        using var noneImage = await session.RenderAsync(cropped.With("exposure", exposure).WithEnabled("exposure", false), roi, kind);
        using var allImage = await session.RenderAsync(everywhere, roi, kind);
        using var maskedImage = await session.RenderAsync(masked, roi, kind);
        var (none, all, result) = (Pixels(noneImage), Pixels(allImage), Pixels(maskedImage));

        // Where each output pixel centre lies on the stored raw: undo the crop, then the turn (orientation 6
        // shows stored pixel (y, h - 1 - x) at (x, y)).
        var margin = 2 / scale;
        var (inside, outside) = (0, 0);
        for (var y = 0; y < roi.Height; y++)
            for (var x = 0; x < roi.Width; x++)
            {
                var orientedX = (x + 0.5) / scale + 8;
                var orientedY = (y + 0.5) / scale + 24;
                var (rawX, rawY) = (orientedY, RawHeight - orientedX);
                var distanceIn = Math.Min(Math.Min(rawX - Rectangle.X0 * RawWidth, Rectangle.X1 * RawWidth - rawX), Math.Min(rawY - Rectangle.Y0 * RawHeight, Rectangle.Y1 * RawHeight - rawY));
                var pixel = (y * roi.Width + x) * 4;
                if (distanceIn > margin)
                {
                    inside++;
                    Assert.Equal(all.AsSpan(pixel, 4).ToArray(), result.AsSpan(pixel, 4).ToArray());
                }
                else if (distanceIn < -margin)
                {
                    outside++;
                    Assert.Equal(none.AsSpan(pixel, 4).ToArray(), result.AsSpan(pixel, 4).ToArray());
                }
            }
        Assert.True(inside > roi.Width * roi.Height / 8, $"{inside} pixels inside");
        Assert.True(outside > roi.Width * roi.Height / 4, $"{outside} pixels outside");
        Assert.True(none.Zip(all).Count(p => Math.Abs(p.First - p.Second) > 1e-3) > none.Length / 4, "the exposure changes the picture");
    }

    [Fact]
    public async Task AMaskedRegionEqualsTheCropOfTheWholeMaskedImage()
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 });
        using var session = engine.Open(SyntheticRaw.Chart(RawWidth, RawHeight, new SyntheticRawOptions { Orientation = 8 }));
        var soft = new MaskSet([new MaskGroup("soft", [new GroupMember(new EllipseForm(new MaskPoint(0.45, 0.55), 0.3, 0.2, 40) { Feather = 0.1 })])]);
        var edit = Edit.Empty.With("crop", Crop).With("exposure", new ExposureParams { Exposure = 1 }, new BlendParams { Mask = "soft", Opacity = 0.9 }) with { Masks = soft };
        var full = Roi.Full(session.OutputSize(edit), 0.5);
        using var whole = await session.RenderAsync(edit, full);
        var region = new Roi(5, 7, 19, 23, 0.5);
        using var part = await session.RenderAsync(edit, region);
        var (wholePixels, partPixels) = (Pixels(whole), Pixels(part));
        for (var y = 0; y < region.Height; y++)
            for (var i = 0; i < region.Width * 4; i++)
                Assert.Equal(wholePixels[((region.Y + y) * full.Width + region.X) * 4 + i], partPixels[y * region.Width * 4 + i], 1e-5f);
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public void TheOrientationMapAgreesWithTheFlipsPixels(int orientation)
    {
        const int width = 7, height = 5;
        var state = new FlipOperation.Orientation(orientation, new ImageSize(width, height));
        var map = Affine2.FromOriented(orientation, width, height);
        var (outWidth, outHeight) = state.Transposes ? (height, width) : (width, height);
        for (var y = 0; y < outHeight; y++)
            for (var x = 0; x < outWidth; x++)
            {
                var (sx, sy) = map.Apply(x + 0.5, y + 0.5);
                Assert.Equal(state.Source(x, y, width, height), ((int)Math.Floor(sx), (int)Math.Floor(sy)));
            }
    }
}
