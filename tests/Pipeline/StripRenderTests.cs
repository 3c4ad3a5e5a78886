using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.Crop;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.Highlights;

namespace RawEngine.Tests.Pipeline;

/// <summary>Exports render band by band; the bands must put together exactly the image a whole render makes.</summary>
public class StripRenderTests
{
    // Small enough that a 300-pixel-wide image is cut into 32-row bands.
    private static readonly EngineOptions TightBudget = new() { CacheBytes = 0, MemoryBudgetBytes = 1L << 20 };

    [Theory]
    [InlineData(HighlightsMode.Reconstruct, 1, 1.0, "RGGB")]
    [InlineData(HighlightsMode.Clip, 1, 1.0, "GBRG")]
    [InlineData(HighlightsMode.Reconstruct, 6, 1.0, "XTRANS")]
    [InlineData(HighlightsMode.Reconstruct, 8, 0.41, "RGGB")]
    public async Task BandsPutTogetherEqualTheWholeRender(HighlightsMode highlights, int orientation, double scale, string cfa)
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), TightBudget);
        // Exposure 3 clips the chart's brighter patches, so reconstruction has work that spans bands.
        using var session = engine.Open(SyntheticRaw.Chart(300, 220, new SyntheticRawOptions
        {
            Cfa = cfa == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Bayer(cfa), Exposure = 3, Orientation = orientation,
        }));
        // A masked exposure: the mask is rasterised per band, mapped back through flip and crop.
        var edit = (Edit.Empty with { Masks = new MaskSet([new MaskGroup("spot", [new GroupMember(new EllipseForm(new MaskPoint(0.4, 0.5), 0.3, 0.2, 25) { Feather = 0.05 })])]) })
            .With("highlights", new HighlightsParams { Mode = highlights })
            .With("crop", new CropParams { X = 0.05, Y = 0.1, Width = 0.9, Height = 0.8 })
            .With("exposure", new ExposureParams { Exposure = 1 }, new BlendParams { Mask = "spot" });
        var roi = Roi.Full(session.OutputSize(edit, PipeKind.Export), scale);
        using var whole = await session.RenderAsync(edit, roi, PipeKind.Export);

        using var pixels = session.RenderForExport(edit, roi);
        Assert.Equal((whole.Width, whole.Height), (pixels.Width, pixels.Height));
        Assert.True(pixels.BandHeight < pixels.Height, $"{pixels.BandHeight}-row bands for {pixels.Height} rows");
        for (var top = 0; top < pixels.Height; top += pixels.BandHeight)
        {
            var rows = Math.Min(pixels.BandHeight, pixels.Height - top);
            using var band = pixels.OpenBand(top, rows, CancellationToken.None);
            for (var y = top; y < top + rows; y++)
                Assert.True(whole.Row(y).SequenceEqual(pixels.Row(y)), $"row {y} differs from the whole render");
        }
    }

    [Theory]
    [InlineData(HighlightsMode.Reconstruct, 3)]
    [InlineData(HighlightsMode.Clip, 0)]
    public void OnlyModulesThatReadTheWholeImageRunOnItOnce(HighlightsMode highlights, int wholeRegionStages)
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), TightBudget);
        var edit = Edit.Empty.With("highlights", new HighlightsParams { Mode = highlights });
        var program = engine.Pipe.Build(edit, new RawSource(SyntheticRaw.Chart(200, 160)), "chart", PipeKind.Export);
        using var strips = engine.Pipe.OpenStrips(program, Roi.Full(program.OutputSize));
        Assert.Equal(wholeRegionStages, strips.WholeRegionStages);
        Assert.Equal(["rawprepare", "temperature", "highlights"], program.Nodes.Take(3).Select(n => n.Instance));
    }

    [Fact]
    public void ABandOutsideTheRegionIsRefused()
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), TightBudget);
        using var session = engine.Open(SyntheticRaw.Chart(120, 80));
        using var pixels = session.RenderForExport(Edit.Empty);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => pixels.OpenBand(70, 20, CancellationToken.None));
        Assert.Contains("outside the region", error.Message);
    }
}
