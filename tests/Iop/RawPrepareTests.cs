using RawEngine.Engine.Dng;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.ColorOut;

namespace RawEngine.Tests.Iop;

public class RawPrepareTests
{
    private static async Task<float[]> RenderLinearAsync(RawImage raw)
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 });
        using var session = engine.Open(raw);
        var edit = Edit.Empty
            .With("sigmoid", new RawEngine.Iop.Sigmoid.SigmoidParams()).WithEnabled("sigmoid", false)
            .With("colorout", new ColorOutParams { Profile = "srgb-linear" });
        using var buffer = await session.RenderExportAsync(edit);
        var pixels = new float[buffer.Width * buffer.Height * 4];
        for (var y = 0; y < buffer.Height; y++) buffer.Row(y).CopyTo(pixels.AsSpan(y * buffer.Width * 4));
        return pixels;
    }

    [Theory]
    [InlineData("GBRG")]
    [InlineData("XTRANS")]
    public async Task PerChannelBlackThroughADngDevelopsLikeAUniformBlack(string name)
    {
        var cfa = name == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Bayer(name);
        var scene = TestChart.Create(96, 72);
        var uniform = RawDecoder.Decode(DngWriter.ToBytes(SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = cfa })), "uniform.dng");
        var perChannel = RawDecoder.Decode(DngWriter.ToBytes(SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = cfa, ChannelBlack = [40, -30, 70, 10] })), "channels.dng");
        Assert.True(SensorBlack.Of(uniform).IsUniform);
        Assert.False(SensorBlack.Of(perChannel).IsUniform);

        var expected = await RenderLinearAsync(uniform);
        var actual = await RenderLinearAsync(perChannel);

        // Quantisation differs by a hair between the two raws; the demosaic's direction choices can
        // turn that into a few slightly different edge pixels, so the mean is the tight bound.
        var differences = expected.Zip(actual, (a, b) => Math.Abs(a - b)).ToArray();
        Assert.True(differences.Average() < 3e-4, $"mean difference {differences.Average()}");
        Assert.True(differences.Max() < 0.02f, $"largest difference {differences.Max()}");
    }
}
