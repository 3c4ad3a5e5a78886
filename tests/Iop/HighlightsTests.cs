using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.ColorOut;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.Highlights;
using RawEngine.Iop.RawPrepare;
using RawEngine.Iop.Temperature;
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
    private static async Task<float[]> RenderAsync(RawImage raw, HighlightsMode mode, CfaPattern? cfa, int budgetMegabytes = 512, double threshold = 1.0)
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0, MemoryBudgetBytes = (long)budgetMegabytes << 20 });
        using var session = engine.Open(raw, $"disc-{cfa}");
        var edit = Edit.Empty
            .With("highlights", new HighlightsParams { Mode = mode, Threshold = threshold })
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
    [InlineData("RGGB", 1.0)]
    [InlineData("RGGB", 0.99)]
    [InlineData("XTRANS", 1.0)]
    public async Task ReconstructionKeepsTheHueThatClippingLoses(string name, double threshold)
    {
        var cfa = name == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Bayer(name);
        var scene = BlownDisc();
        var raw = SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = cfa });

        var clipped = HueError(scene, await RenderAsync(raw, HighlightsMode.Clip, cfa));
        var rebuilt = HueError(scene, await RenderAsync(raw, HighlightsMode.Reconstruct, cfa, threshold: threshold));

        output.WriteLine($"{name} threshold {threshold}: hue error reconstructed {rebuilt:0.0000}, clipped {clipped:0.0000}");
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

    /// <summary>The white-balanced mosaic highlights writes (the pipe ends there), with the module on or off.</summary>
    private static async Task<float[]> MosaicAfterHighlightsAsync(RawImage raw, bool enabled)
    {
        var registry = new ModuleRegistry([new RawPrepareOperation(), new TemperatureOperation(), new HighlightsOperation()], IopOrder.Default);
        using var engine = new RenderEngine(registry, new EngineOptions { CacheBytes = 0 });
        using var session = engine.Open(raw, "mosaic");
        var edit = Edit.Empty.With("highlights", new HighlightsParams()).WithEnabled("highlights", enabled);
        using var buffer = await session.RenderExportAsync(edit);
        Assert.Equal(1, buffer.Channels);
        var samples = new float[buffer.Width * buffer.Height];
        for (var y = 0; y < buffer.Height; y++) buffer.Row(y).CopyTo(samples.AsSpan(y * buffer.Width, buffer.Width));
        return samples;
    }

    /// <summary>
    /// The orange disc (red and green clip, blue keeps its information) and a white one beside it (every
    /// channel clips), on a raw whose white balance gains are not 1, so that clip levels come out of float
    /// arithmetic rather than being exactly 1.
    /// </summary>
    [Fact]
    public async Task OnlySamplesAtTheWhiteLevelChangeAndBlownWhiteStaysAtTheClipLevel()
    {
        var disc = BlownDisc();
        var rgb = new float[2 * Size * Size * 3];
        for (var y = 0; y < Size; y++)
        {
            disc.Rgb.AsSpan(y * Size * 3, Size * 3).CopyTo(rgb.AsSpan(y * 2 * Size * 3));
            for (var x = 0; x < Size; x++)
            {
                // The orange disc's brightness profile four times over, in white: at its centre every channel clips.
                var grey = 4 * disc.Rgb[(y * Size + x) * 3];
                for (var c = 0; c < 3; c++) rgb[((y * 2 * Size) + Size + x) * 3 + c] = grey;
            }
        }
        var scene = new LinearScene(2 * Size, Size, rgb);
        var raw = SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = CfaPattern.Grbg, XyzToCamera = SyntheticCameras.TypicalDslr });
        Assert.True(raw.AsShotMultipliers.Any(m => Math.Abs(m - 1) > 0.05f), "the camera needs white balance gains");

        var before = await MosaicAfterHighlightsAsync(raw, enabled: false);
        var after = await MosaicAfterHighlightsAsync(raw, enabled: true);

        // The white level maps to the lowest channel saturation after white balance (green's, the reference).
        var clipLevel = before.Where((_, i) => raw.Cfa!.ColorAt(i / (2 * Size), i % (2 * Size)) == 1).Max();
        int rebuilt = 0, white = 0;
        for (var i = 0; i < before.Length; i++)
        {
            int y = i / (2 * Size), x = i % (2 * Size);
            var c = raw.Cfa!.ColorAt(y, x);
            var atWhite = raw.Data[(y + raw.Visible.Y) * raw.SensorWidth + x + raw.Visible.X] == raw.White;
            if (!atWhite)
            {
                Assert.True(before[i] == after[i], $"unclipped sample ({x}, {y}) changed from {before[i]} to {after[i]}");
                continue;
            }
            if (x >= Size && Math.Abs(x - 240) + Math.Abs(y - 80) < 20)
            {
                // Deep inside the white disc every colour of every block clipped: nothing to rebuild from.
                Assert.Equal(clipLevel, after[i], 4);
                white++;
            }
            else if (x < Size && c != 2 && after[i] > before[i] * 1.01f) rebuilt++;
        }
        output.WriteLine($"{rebuilt} clipped samples of the orange disc rebuilt above the white level, {white} white ones kept at {clipLevel}");
        Assert.True(white > 100, $"only {white} samples deep in the white disc");
        Assert.True(rebuilt > 200, $"only {rebuilt} clipped samples rebuilt above the white level");
    }
}
