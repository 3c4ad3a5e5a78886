using RawEngine.Engine.Color;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Tests.Pipeline;

namespace RawEngine.Tests.Iop;

/// <summary>
/// Non-square sensor pixels (Kodak DC120: 848x976 samples shown 1301x976) come out square: the picture is
/// stretched the shorter way, and regions, tiles and scales agree with the whole picture.
/// </summary>
public class PixelAspectTests
{
    private static RawImage Stretched(double aspect, CfaPattern? cfa) =>
        SyntheticRaw.Chart(120, 90, new SyntheticRawOptions { Cfa = cfa }) with { PixelAspect = aspect };

    [Theory]
    [InlineData(1.5, 180, 90)]
    [InlineData(1.534, 184, 90)]
    [InlineData(0.75, 120, 120)]
    [InlineData(1.0, 120, 90)]
    public void TheShorterSideIsStretched(double aspect, int width, int height)
    {
        using var engine = WholePicture.Engine();
        using var session = engine.Open(Stretched(aspect, CfaPattern.Bayer("RGGB")));
        Assert.Equal(new ImageSize(width, height), session.OutputSize(Edit.Empty));
    }

    [Theory]
    [InlineData(1.5, 1.0)]
    [InlineData(0.75, 1.0)]
    [InlineData(1.5, 0.4)]
    public async Task RegionsAndTilesEqualTheWholePicture(double aspect, double scale)
    {
        await WholePicture.AssertRegionsAndTilesEqualTheWholeAsync(Stretched(aspect, CfaPattern.Bayer("GRBG")), scale, tiledBudget: 60_000, tiledTolerance: 0, regionTolerance: 1e-5f);
    }

    [Fact]
    public async Task ContentLandsWhereTheStretchPutsIt()
    {
        // The square-pixel render, interpolated 1.5x wide by hand, must equal the stretched render: no tone curve
        // and nothing clipped after the stretch, which interpolates linear light.
        var raw = SyntheticRaw.Chart(120, 90, new SyntheticRawOptions { Cfa = null });
        var linear = Edit.Empty.With("sigmoid", new RawEngine.Iop.Sigmoid.SigmoidParams()).WithEnabled("sigmoid", false)
            .With("exposure", new RawEngine.Iop.Exposure.ExposureParams { Exposure = -1 });
        using var engine = WholePicture.Engine();
        using var square = engine.Open(raw);
        using var stretched = engine.Open(raw with { PixelAspect = 1.5 });
        using var a = await square.RenderAsync(linear, Roi.Full(square.OutputSize(linear)));
        using var b = await stretched.RenderAsync(linear, Roi.Full(stretched.OutputSize(linear)));
        // colorout encodes sRGB; the stretch interpolates linear light.
        static float[] Linear(float[] encoded) => encoded.Select(v => (float)TransferFunction.Srgb.Decode(v)).ToArray();
        var (pa, pb) = (Linear(PipeFixture.Pixels(a)), Linear(PipeFixture.Pixels(b)));
        double error = 0;
        var count = 0;
        for (var y = 0; y < 90; y++)
            for (var x = 0; x < 180; x++)
            {
                var source = (x + 0.5) / 1.5 - 0.5;
                var left = Math.Clamp((int)Math.Floor(source), 0, 118);
                var weight = Math.Clamp(source - left, 0, 1);
                for (var c = 0; c < 3; c++)
                {
                    var expected = pa[(y * 120 + left) * 4 + c] * (1 - weight) + pa[(y * 120 + left + 1) * 4 + c] * weight;
                    error += Math.Abs(expected - pb[(y * 180 + x) * 4 + c]);
                    count++;
                }
            }
        Assert.True(error / count < 1e-3, $"mean difference {error / count}");
    }
}
