using Microsoft.Extensions.Logging;
using RawEngine.AI.Hosting;
using RawEngine.AI.Tiling;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Ai;
using RawEngine.Iop;
using RawEngine.Iop.DemosaicNn;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Neural;

/// <summary>Previews stay previews: demosaic_nn in a preview pipe at small scales shows the classical demosaic's preview.</summary>
public sealed class PreviewNnTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    private ModelServices Models(ILoggerFactory? loggers = null) => NeuralPipeTests.Models(_home.Path, loggers);

    private static RenderEngine Engine(ModelServices models) => NeuralPipeTests.Engine(models);

    [Theory]
    [InlineData("RGGB")]
    [InlineData("XTRANS")]
    public async Task APreviewRunsNoNetworkAndAViewerOrExportRunsItOnTheWholeMosaic(string cfa)
    {
        var recorder = new LoggedValues<TileGrid>("Grid"); // the tile grids the tiler logs it ran: what the network saw
        using var models = Models(recorder);
        using var engine = Engine(models);
        var pattern = cfa == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Rggb;
        using var session = engine.Open(SyntheticRaw.Chart(960, 636, new SyntheticRawOptions { Cfa = pattern }), cfa);
        var edit = Edit.Empty.With(ModuleIds.DemosaicNn, new DemosaicNnParams());

        // Long side 240 of 960: scale 1/4, the classical preview's pixels, and they equal the classical edit's preview.
        using (var preview = await session.RenderPreviewAsync(edit, 240))
        using (var classical = await session.RenderPreviewAsync(Edit.Empty, 240))
        {
            Assert.Equal((240, 159), (preview.Width, preview.Height));
            for (var y = 0; y < preview.Height; y++)
                Assert.True(preview.Row(y)[..(4 * preview.Width)].SequenceEqual(classical.Row(y)[..(4 * classical.Width)]), $"row {y} differs from the classical preview");
        }
        Assert.Empty(recorder.Values);

        // A viewer's pipe at the same scale (and an export) runs the network on tiles of the whole mosaic.
        using (await session.RenderAsync(edit, new Roi(10, 10, 30, 30, 0.25), PipeKind.Full)) { }
        Assert.Equal(new ImageSize(960, 636), Assert.Single(recorder.Values).Image);
    }

    [Fact]
    public async Task ThePreviewLooksLikeTheFullSizeNetworkScaledDown()
    {
        using var models = Models();
        using var engine = Engine(models);
        using var session = engine.Open(SyntheticRaw.FromSrgbFile(SharedData.Kodak(19), new SyntheticRawOptions { Noise = SensorNoise.AtIso(400) }), "kodim19");
        var edit = Edit.Empty.With(ModuleIds.DemosaicNn, new DemosaicNnParams { Ensemble = 1 });
        var quarter = Roi.Full(session.OutputSize(edit), 0.25);
        using var preview = await session.RenderAsync(edit, quarter, PipeKind.Preview);
        using var full = await session.RenderAsync(edit, quarter, PipeKind.Full);
        var psnr = Psnr(full, preview);
        output.WriteLine($"against the full-size network scaled down: the preview {psnr:F2} dB");
        // Measured 33.3 dB; the network on the mosaic binned 4x4 (the previous preview) scored 29.9. A wrong colour or
        // phase costs far more than this margin.
        Assert.True(psnr >= 32.5, $"the preview is {psnr:F2} dB from the full-size render");
    }

    private static double Psnr(ImageBuffer reference, ImageBuffer test)
    {
        double sum = 0;
        long count = 0;
        for (var y = 0; y < reference.Height; y++)
        {
            var a = reference.Row(y);
            var b = test.Row(y);
            for (var i = 0; i < 4 * reference.Width; i++)
            {
                if (i % 4 == 3) continue;
                double d = Math.Clamp(a[i], 0, 1) - Math.Clamp(b[i], 0, 1);
                sum += d * d;
                count++;
            }
        }
        return 10 * Math.Log10(1 / (sum / count));
    }
}
