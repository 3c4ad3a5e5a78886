using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.ColorOut;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.Highlights;
using RawEngine.Iop.Sigmoid;
using Xunit.Abstractions;

namespace RawEngine.Tests.Iop;

public class HighlightsTests(ITestOutputHelper output)
{
    private const int Size = 160;

    /// <summary>An orange disc, three times brighter than white at its centre and well exposed at its rim, on grey-blue.</summary>
    private static LinearScene BlownDisc()
    {
        var rgb = new float[Size * Size * 3];
        for (var y = 0; y < Size; y++)
            for (var x = 0; x < Size; x++)
            {
                var r = Math.Sqrt((x - 80.0) * (x - 80.0) + (y - 80.0) * (y - 80.0)) / 60.0;
                float[] colour = r < 1 ? [1.0f, 0.45f, 0.12f] : [0.2f, 0.25f, 0.35f];
                var brightness = r < 1 ? (float)(0.5 + 2.5 * (1 - r)) : 1f;
                for (var c = 0; c < 3; c++) rgb[(y * Size + x) * 3 + c] = colour[c] * brightness;
            }
        return new LinearScene(Size, Size, rgb);
    }

    /// <summary>Linear sRGB out, -2 EV so rebuilt highlights stay below 1, no tone curve.</summary>
    private static async Task<float[]> RenderAsync(RawImage raw, HighlightsMode mode, CfaPattern? cfa, int budgetMegabytes = 512)
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0, MemoryBudgetBytes = (long)budgetMegabytes << 20 });
        using var session = engine.Open(raw, $"disc-{cfa}");
        var edit = Edit.Empty
            .With("highlights", new HighlightsParams { Mode = mode })
            .With("exposure", new ExposureParams { Exposure = -2, CompensateBaseline = false })
            .With("sigmoid", new SigmoidParams()).WithEnabled("sigmoid", false)
            .With("colorout", new ColorOutParams { Profile = "srgb-linear" });
        using var buffer = await session.RenderExportAsync(edit);
        var pixels = new float[Size * Size * 4];
        for (var y = 0; y < Size; y++) buffer.Row(y).CopyTo(pixels.AsSpan(y * Size * 4, Size * 4));
        return pixels;
    }

    /// <summary>Mean chromaticity error (r and g of r, g, b normalised) where the sensor clipped, against the scene.</summary>
    private static double HueError(LinearScene scene, float[] rendered)
    {
        double error = 0;
        var count = 0;
        for (var i = 0; i < Size * Size; i++)
        {
            float r = scene.Rgb[i * 3], g = scene.Rgb[i * 3 + 1], b = scene.Rgb[i * 3 + 2];
            if (Math.Max(r, Math.Max(g, b)) <= 1.05f) continue;
            if (Math.Min(r, Math.Min(g, b)) >= 1f) continue; // all three clipped: nothing left to rebuild from
            float or = rendered[i * 4], og = rendered[i * 4 + 1], ob = rendered[i * 4 + 2];
            error += Math.Abs(r / (r + g + b) - or / (or + og + ob)) + Math.Abs(g / (r + g + b) - og / (or + og + ob));
            count++;
        }
        Assert.True(count > 500, $"only {count} clipped pixels to judge");
        return error / count;
    }

    [Theory]
    [InlineData("RGGB")]
    [InlineData("XTRANS")]
    public async Task ReconstructionKeepsTheHueThatClippingLoses(string name)
    {
        var cfa = name == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Bayer(name);
        var scene = BlownDisc();
        var raw = SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = cfa });

        var clipped = HueError(scene, await RenderAsync(raw, HighlightsMode.Clip, cfa));
        var rebuilt = HueError(scene, await RenderAsync(raw, HighlightsMode.Reconstruct, cfa));

        output.WriteLine($"{name}: hue error reconstructed {rebuilt:0.0000}, clipped {clipped:0.0000}");
        Assert.True(rebuilt < clipped * 0.5, $"hue error reconstructed {rebuilt:0.0000} vs clipped {clipped:0.0000}");
    }

    [Fact]
    public async Task ReconstructionIsTheSameTiledAndUntiled()
    {
        var raw = SyntheticRaw.Create(BlownDisc(), new SyntheticRawOptions { Cfa = CfaPattern.Grbg });
        var untiled = await RenderAsync(raw, HighlightsMode.Reconstruct, CfaPattern.Grbg);
        var tiled = await RenderAsync(raw, HighlightsMode.Reconstruct, CfaPattern.Grbg, budgetMegabytes: 1);
        Assert.Equal(untiled, tiled);
    }

    [Fact]
    public async Task WithoutClippingReconstructionChangesNothing()
    {
        var scene = new LinearScene(Size, Size, [.. BlownDisc().Rgb.Select(v => v * 0.3f)]);
        var raw = SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = CfaPattern.Rggb });
        Assert.Equal(await RenderAsync(raw, HighlightsMode.Clip, CfaPattern.Rggb), await RenderAsync(raw, HighlightsMode.Reconstruct, CfaPattern.Rggb));
    }
}
