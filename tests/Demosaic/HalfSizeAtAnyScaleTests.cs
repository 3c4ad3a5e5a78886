using RawEngine.Engine.Edits;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.Demosaic;
using RawEngine.Tests.Pipeline;

namespace RawEngine.Tests.Demosaic;

/// <summary>
/// The half-size method chosen for a render at full size (<c>convert --demosaic half</c>): its half-resolution
/// result resampled up to the size asked for, in place, not a half-size buffer handed to a full-size one.
/// </summary>
public class HalfSizeAtAnyScaleTests
{
    [Theory]
    [InlineData("RGGB", 1.0)]
    [InlineData("RGGB", 0.7)]
    [InlineData("XTRANS", 1.0)]
    public async Task RendersAtTheAskedSizeAndAgreesWithTheFullMethodOnBlockMeans(string cfa, double scale)
    {
        var pattern = cfa == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Bayer(cfa);
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 });
        using var session = engine.Open(SyntheticRaw.Create(SmoothScene(144, 96), new SyntheticRawOptions { Cfa = pattern }));
        var half = Edit.Empty.With("demosaic", new DemosaicParams { Method = DemosaicChoice.HalfSize });
        var roi = Roi.Full(session.OutputSize(half), scale);
        using var fast = await session.RenderAsync(half, roi, PipeKind.Export);
        using var full = await session.RenderAsync(Edit.Empty, roi, PipeKind.Export);
        Assert.Equal((roi.Width, roi.Height), (fast.Width, fast.Height));

        // Detail differs; position and colour do not: 12x12 block means agree.
        var (a, b) = (PipeFixture.Pixels(fast), PipeFixture.Pixels(full));
        double total = 0;
        var blocks = 0;
        for (var by = 0; by + 12 <= roi.Height; by += 12)
            for (var bx = 0; bx + 12 <= roi.Width; bx += 12)
                for (var c = 0; c < 3; c++)
                {
                    double sa = 0, sb = 0;
                    for (var y = by; y < by + 12; y++)
                        for (var x = bx; x < bx + 12; x++)
                        {
                            sa += a[(y * roi.Width + x) * 4 + c];
                            sb += b[(y * roi.Width + x) * 4 + c];
                        }
                    total += Math.Abs(sa - sb) / 144;
                    blocks++;
                }
        Assert.True(total / blocks < 0.005, $"block means differ by {total / blocks} on average");
    }

    /// <summary>Gradients and slow waves: a scene whose block means half size keeps.</summary>
    private static LinearScene SmoothScene(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var at = (y * width + x) * 3;
                rgb[at] = (byte)(30 + 200 * x / width);
                rgb[at + 1] = (byte)(30 + 200 * y / height);
                rgb[at + 2] = (byte)(128 + 90 * Math.Sin(x / 9.0) * Math.Cos(y / 13.0));
            }
        return LinearScene.FromSrgb8(new Srgb8Image(width, height, rgb));
    }
}
