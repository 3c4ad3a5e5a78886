using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Iop;
using Samples.Vignette;

namespace Samples.Vignette.Tests;

/// <summary>
/// Renders a raw (the path in RAWENGINE_SAMPLE_RAW; tools/samples.sh makes one with <c>rawengine demo -o demo.dng</c>)
/// with and without the module, the way an application would: a registry of the standard modules plus this one,
/// placed after exposure in the processing order.
/// </summary>
public sealed class VignetteTests
{
    private const double Scale = 0.25;

    private static readonly string Raw = Environment.GetEnvironmentVariable("RAWENGINE_SAMPLE_RAW") is { Length: > 0 } path
        ? path
        : throw new InvalidOperationException("set RAWENGINE_SAMPLE_RAW to a raw file (rawengine demo -o demo.dng makes one)");

    private static ModuleRegistry RegistryWithVignette()
    {
        var standard = StandardModules.CreateRegistry();
        var order = standard.Order.ToList();
        order.Insert(order.IndexOf("exposure") + 1, VignetteOperation.Id);
        return new ModuleRegistry([.. standard.Modules, new VignetteOperation()], order);
    }

    /// <summary>The region, or the whole image, at <see cref="Scale"/>.</summary>
    private static async Task<Picture> RenderAsync(Edit edit, Roi? region = null)
    {
        using var engine = new RenderEngine(RegistryWithVignette());
        using var session = engine.Open(Raw);
        var size = session.OutputSize(edit).Scaled(Scale);
        using ImageBuffer pixels = await session.RenderAsync(edit, region ?? new Roi(0, 0, size.Width, size.Height, Scale));
        var rgba = new float[pixels.Width * pixels.Height * 4];
        for (var y = 0; y < pixels.Height; y++) pixels.Row(y)[..(pixels.Width * 4)].CopyTo(rgba.AsSpan(y * pixels.Width * 4));
        return new Picture(rgba, pixels.Width, pixels.Height);
    }

    [Fact]
    public async Task Amount_zero_changes_nothing()
    {
        var without = await RenderAsync(Edit.Empty);
        var none = await RenderAsync(Edit.Empty.With(VignetteOperation.Id, new VignetteParams { Amount = 0 }));
        Assert.Equal(without.Rgba, none.Rgba);
    }

    [Fact]
    public async Task Corners_darken_and_the_centre_does_not()
    {
        var without = await RenderAsync(Edit.Empty);
        var with = await RenderAsync(Edit.Empty.With(VignetteOperation.Id, new VignetteParams { Amount = 0.8, Start = 0.3 }));
        var (w, h) = (without.Width, without.Height);
        Assert.Equal(without.Luminance(w / 2, h / 2), with.Luminance(w / 2, h / 2));
        foreach (var (x, y) in new[] { (2, 2), (w - 3, 2), (2, h - 3), (w - 3, h - 3) })
        {
            Assert.True(without.Luminance(x, y) > 0.05, $"the raw is too dark at ({x}, {y}) to see a vignette");
            Assert.True(with.Luminance(x, y) < 0.8 * without.Luminance(x, y), $"corner ({x}, {y}) did not darken");
        }
    }

    [Fact]
    public async Task A_region_gets_the_pixels_of_that_part_of_the_whole_image()
    {
        // The pipe calls Process on whatever region a viewer asks for, and on tiles and row bands of it: a module
        // that placed the vignette by the buffer instead of the image would centre it on the region.
        var edit = Edit.Empty.With(VignetteOperation.Id, new VignetteParams { Amount = 0.6 });
        var whole = await RenderAsync(edit);
        var (x0, y0) = (whole.Width / 2 & ~1, whole.Height / 3 & ~1);
        var region = await RenderAsync(edit, new Roi(x0, y0, whole.Width - x0, whole.Height - y0, Scale));
        for (var y = 0; y < region.Height; y++)
            Assert.Equal(whole.Rgba.AsSpan(((y0 + y) * whole.Width + x0) * 4, region.Width * 4), region.Rgba.AsSpan(y * region.Width * 4, region.Width * 4));
    }

    /// <summary>A rendered region, display-encoded RGBA rows packed without padding.</summary>
    private sealed record Picture(float[] Rgba, int Width, int Height)
    {
        public double Luminance(int x, int y)
        {
            var i = (y * Width + x) * 4;
            return 0.2126 * Rgba[i] + 0.7152 * Rgba[i + 1] + 0.0722 * Rgba[i + 2];
        }
    }
}
