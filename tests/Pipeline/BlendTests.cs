using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Tests.Pipeline.TestOps;

namespace RawEngine.Tests.Pipeline;

public class BlendTests
{
    [Fact]
    public async Task OpacityMixesTheModuleOutputWithItsInput()
    {
        using var fixture = new PipeFixture();
        using var session = fixture.Engine.Open(TestRaws.Rgb(20, 16));
        var roi = new Roi(2, 1, 15, 8);
        using var source = await session.RenderAsync(Edit.Empty, roi);
        using var blended = await session.RenderAsync(Edit.Empty.With("gain", new GainParams { Gain = 2 }, new BlendParams { Opacity = 0.25 }), roi);
        var expected = PipeFixture.Pixels(source).Select((v, i) => i % 4 == 3 ? v : v * 1.25f).ToArray();
        Assert.Equal(expected, PipeFixture.Pixels(blended));

        var tooOpaque = Edit.Empty.With("gain", new GainParams(), new BlendParams { Opacity = 1.5 });
        Assert.Equal("modules[0].blend.opacity: 1.5 is outside [0, 1]",
            (await Assert.ThrowsAsync<EditException>(() => session.RenderAsync(tooOpaque, roi))).Message);
        var masked = Edit.Empty.With("gain", new GainParams(), new BlendParams { Mask = "m1" });
        var error = await Assert.ThrowsAsync<EditException>(() => session.RenderAsync(masked, roi));
        Assert.Equal("modules[0].blend.mask: no mask group 'm1' in the edit's masks (known: none)", error.Message);
        var cfaOnly = Edit.Empty.With("cfa_smooth", new CfaSmoothParams(), new BlendParams { Opacity = 0.5 });
        using var mosaic = fixture.Engine.Open(TestRaws.Mosaic(16, 16, CfaPattern.Rggb));
        Assert.Equal("modules[0].blend: module 'cfa_smooth' does not support blending",
            (await Assert.ThrowsAsync<EditException>(() => mosaic.RenderAsync(cfaOnly, new Roi(0, 0, 8, 8)))).Message);
    }
}
