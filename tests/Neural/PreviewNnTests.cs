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

/// <summary>Previews stay previews: demosaic_nn in a preview pipe runs the network on a binned mosaic, not the sensor's.</summary>
public sealed class PreviewNnTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    private ModelServices Models(ILoggerFactory? loggers = null) => NeuralPipeTests.Models(_home.Path, loggers);

    private static RenderEngine Engine(ModelServices models) => NeuralPipeTests.Engine(models);

    [Theory]
    [InlineData("RGGB")]
    [InlineData("XTRANS")]
    public async Task APreviewRunsTheNetworkOnTheBinnedMosaicAndAnExportOnTheWholeOne(string cfa)
    {
        var recorder = new LoggedValues<TileGrid>("Grid"); // the tile grids the tiler logs it ran: what the network saw
        using var models = Models(recorder);
        using var engine = Engine(models);
        var pattern = cfa == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Rggb;
        using var session = engine.Open(SyntheticRaw.Chart(960, 636, new SyntheticRawOptions { Cfa = pattern }), cfa);
        var edit = Edit.Empty.With(ModuleIds.DemosaicNn, new DemosaicNnParams());

        // Long side 240 of 960: scale 1/4, so the network sees the mosaic binned 4x4, 240x159, in one view.
        using (var preview = await session.RenderPreviewAsync(edit, 240))
            Assert.Equal((240, 159), (preview.Width, preview.Height));
        var seen = Assert.Single(recorder.Values);
        output.WriteLine($"{cfa} preview: the network saw {seen.Image} ({seen})");
        Assert.Equal(new ImageSize(240, 159), seen.Image);
        Assert.Single(seen.Transforms);

        // A viewer's pipe at the same scale (and an export) runs it on tiles of the whole mosaic.
        using (await session.RenderAsync(edit, new Roi(10, 10, 30, 30, 0.25), PipeKind.Full)) { }
        Assert.Equal(new ImageSize(960, 636), recorder.Values[^1].Image);
    }

    [Fact]
    public async Task TheBinnedPreviewLooksLikeTheFullSizeNetworkScaledDown()
    {
        using var models = Models();
        using var engine = Engine(models);
        using var session = engine.Open(SyntheticRaw.FromSrgbFile(SharedData.Kodak(19), new SyntheticRawOptions { Noise = SensorNoise.AtIso(400) }), "kodim19");
        var edit = Edit.Empty.With(ModuleIds.DemosaicNn, new DemosaicNnParams { Ensemble = 1 });
        var quarter = Roi.Full(session.OutputSize(edit), 0.25);
        using var preview = await session.RenderAsync(edit, quarter, PipeKind.Preview);
        using var full = await session.RenderAsync(edit, quarter, PipeKind.Full);
        using var classical = await session.RenderAsync(Edit.Empty, quarter, PipeKind.Preview);
        var binned = Psnr(full, preview);
        var halfSize = Psnr(full, classical);
        output.WriteLine($"against the full-size network scaled down: binned network preview {binned:F2} dB, classical half-size preview {halfSize:F2} dB");
        // Measured 29.9 dB (tent half-width: the factor; half of it 28.2, one and a half 26.2), the classical half-size preview 33.3:
        // a demosaic at the preview's own resolution loses what 2x2 blocks averaged then resampled keep. A wrong colour or phase
        // in the binned mosaic costs far more than this margin.
        Assert.True(binned >= 28.5, $"the binned preview is {binned:F2} dB from the full-size render");
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

    [Theory]
    [InlineData("RGGB", 2)]
    [InlineData("RGGB", 3)]
    [InlineData("XTRANS", 2)]
    [InlineData("XTRANS", 5)]
    public void BinningKeepsEachColoursLevelAndThePattern(string cfa, int factor)
    {
        var pattern = cfa == "XTRANS" ? CfaPattern.XTrans.Shifted(1, 4) : CfaPattern.Bayer(cfa);
        float[] level = [0.2f, 0.5f, 0.8f];
        var (mosaic, binned) = Bin(pattern, factor, 61, 47, (x, y, colour) => level[colour]);
        for (var y = 0; y < binned.Height; y++)
            for (var x = 0; x < binned.Width; x++)
                Assert.Equal(level[pattern.ColorAt(y, x)], binned.Row(y)[x], 5);
        mosaic.Dispose();
        binned.Dispose();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void BayerBinningPlacesEveryColourAtItsBlocksCentre(int factor)
    {
        // A ramp along x in every colour: plain same-colour binning would put red and blue half a binned pixel off.
        var (mosaic, binned) = Bin(CfaPattern.Rggb, factor, 64, 32, (x, y, colour) => 0.01f * x + 0.003f * y);
        for (var y = 1; y < binned.Height - 1; y++)
            for (var x = 1; x < binned.Width - 1; x++)
            {
                double cx = factor * x + (factor - 1) / 2.0, cy = factor * y + (factor - 1) / 2.0;
                Assert.Equal(0.01 * cx + 0.003 * cy, binned.Row(y)[x], 4);
            }
        mosaic.Dispose();
        binned.Dispose();
    }

    private static (ImageBuffer Mosaic, ImageBuffer Binned) Bin(CfaPattern pattern, int factor, int width, int height, Func<int, int, int, float> value)
    {
        var pool = new BufferPool();
        var mosaic = ImageBuffer.Rent(pool, width, height, 1);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                mosaic.Row(y)[x] = value(x, y, pattern.ColorAt(y, x));
        var binning = new MosaicBinning(pattern, factor);
        var size = binning.BinnedSize(new ImageSize(width, height));
        Assert.Equal(new ImageSize(width / factor, height / factor), size);
        var binned = ImageBuffer.Rent(pool, size.Width, size.Height, 1);
        var format = new BufferFormat(PixelLayout.Cfa, ColorEncoding.LinearCamera, 1, pattern);
        binning.Run(new ProcessContext(format, format, pool, new ComputeDevices(), CancellationToken.None), mosaic, Roi.Full(new ImageSize(width, height)), binned, Roi.Full(size));
        return (mosaic, binned);
    }
}
