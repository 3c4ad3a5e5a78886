using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;

namespace RawEngine.Tests.Iop;

/// <summary>Viewer and preview pipes scale at demosaic (half-size in previews); exports resize at finalscale.</summary>
public class ScaledRenderTests
{
    private static float[] Copy(Engine.Buffers.ImageBuffer buffer)
    {
        var pixels = new float[buffer.Width * buffer.Height * 4];
        for (var y = 0; y < buffer.Height; y++) buffer.Row(y).CopyTo(pixels.AsSpan(y * buffer.Width * 4));
        return pixels;
    }

    [Theory]
    [InlineData(PipeKind.Full, 0.37, "RGGB")]
    [InlineData(PipeKind.Preview, 0.3, "RGGB")]
    [InlineData(PipeKind.Preview, 0.25, "XTRANS")]
    [InlineData(PipeKind.Export, 0.41, "XTRANS")]
    public async Task RegionsAtAScaleEqualTheCropOfTheWholeImage(PipeKind kind, double scale, string cfa)
    {
        var pattern = cfa == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Bayer(cfa);
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 });
        using var session = engine.Open(SyntheticRaw.Chart(300, 200, new SyntheticRawOptions { Cfa = pattern }));
        var full = Roi.Full(session.OutputSize(Edit.Empty, kind), scale);
        using var whole = await session.RenderAsync(Edit.Empty, full, kind);
        var region = new Roi(17, 9, 41, 33, scale);
        using var part = await session.RenderAsync(Edit.Empty, region, kind);

        Assert.Equal((full.Width, full.Height), (whole.Width, whole.Height));
        var wholePixels = Copy(whole);
        var partPixels = Copy(part);
        for (var y = 0; y < region.Height; y++)
            for (var i = 0; i < region.Width * 4; i++)
                Assert.Equal(wholePixels[((region.Y + y) * full.Width + region.X) * 4 + i], partPixels[y * region.Width * 4 + i], 1e-5f);
    }

    [Fact]
    public async Task APreviewLooksLikeTheExportAtTheSameScale()
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 });
        using var session = engine.Open(SyntheticRaw.FromSrgbFile(Support.SharedData.Kodak(23)));
        var roi = Roi.Full(session.OutputSize(Edit.Empty, PipeKind.Export), 0.25);
        using var export = await session.RenderAsync(Edit.Empty, roi, PipeKind.Export);
        using var preview = await session.RenderAsync(Edit.Empty, roi, PipeKind.Preview);
        var mean = Copy(export).Zip(Copy(preview), (a, b) => Math.Abs(a - b)).Average();
        Assert.True(mean < 0.01, $"mean difference {mean}");
    }
}
