using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.Engine.Raw;
using Xunit.Abstractions;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Ai;

/// <summary>
/// The real pretrained demosaicnet models from ../shared/models, reached the way a user's would be:
/// through the registry and their manifests, then loaded, validated and run on a small tile.
/// </summary>
public class DemosaicNetTests(ITestOutputHelper output)
{
    private const int Border = 8;

    private static ModelRegistry SharedRegistry(TempFolder home) =>
        ModelRegistry.Discover(new ModelSearchOptions([AiTestFiles.ShippedModels], AiTestFiles.IsolatedEnvironment(home.Path)));

    [Theory]
    [InlineData("RGGB", "demosaic-demosaicnet-bayer")]
    [InlineData("GRBG", "demosaic-demosaicnet-bayer")]
    [InlineData("XTRANS", "demosaic-demosaicnet-xtrans")]
    public void RegistryPicksTheModelWhoseCfaFitsTheImage(string cfa, string expectedId)
    {
        using var home = new TempFolder();
        var registry = SharedRegistry(home);
        var pattern = cfa == "XTRANS" ? CfaPattern.XTrans.Shifted(1, 2) : CfaPattern.Bayer(cfa);
        var choice = registry.Choose("demosaic", ModelInputTraits.Mosaic(pattern));
        Assert.Equal(expectedId, choice.Package.Id);
        Assert.Throws<ModelNotFoundException>(() => registry.Choose("demosaic", ModelInputTraits.Rgb));
    }

    [Theory]
    [InlineData("demosaic-demosaicnet-bayer", 64)]
    [InlineData("demosaic-demosaicnet-xtrans", 72)]
    public void RealModelBeatsNeighbourhoodAveragingOnATile(string id, int size)
    {
        using var home = new TempFolder();
        var package = SharedRegistry(home).Get(id);
        using var host = new ModelHost(new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: 2));
        var loaded = host.Open(package);
        Assert.Equal(ExecutionProvider.Cpu, loaded.Provider);
        Assert.Equal("masked-mosaic", loaded.Io.Layout);
        var cfa = CfaPattern.FromRows(loaded.Io.Cfa!.Pattern);
        var inputName = loaded.Io.Inputs["image"];
        var outputName = loaded.Io.Outputs["image"];

        var truth = SyntheticImage(size);
        using var binding = loaded.Network.Bind(new Dictionary<string, long[]>
        {
            [inputName] = [1, 3, size, size],
            [outputName] = [1, 3, size, size],
        });
        // The sensor's view: one value per site, the colour the CFA lets through; packed straight into
        // the model's input tensor by the kernel the demosaic op uses.
        var sensor = new float[size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                sensor[y * size + x] = truth[(cfa.ColorAt(y, x) * size + y) * size + x];
        CpuKernels.CfaToMaskedMosaic(sensor, size, size, size, cfa, Transfer.None, binding[inputName].Memory);
        binding.Run();

        var network = Psnr(truth, binding[outputName].Span, size);
        var reference = Psnr(truth, NeighbourhoodAverage(truth, cfa, size), size);
        output.WriteLine($"{id}: {size}x{size} tile, network {network:F2} dB, neighbourhood average {reference:F2} dB");
        Assert.True(network > reference + 1.0, $"network {network:F2} dB should beat the simple reference {reference:F2} dB");
        Assert.True(network > 30, $"network PSNR {network:F2} dB is too low for a smooth image");
    }

    [Fact]
    public void CancellationStopsARunMidwayAndTheBindingStaysUsable()
    {
        using var home = new TempFolder();
        using var host = new ModelHost(new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: 1));
        var loaded = host.Open(SharedRegistry(home).Get("demosaic-demosaicnet-bayer"));
        var network = loaded.Network;
        var cfa = CfaPattern.FromRows(loaded.Io.Cfa!.Pattern);
        using var big = network.Bind(new Dictionary<string, long[]> { ["mosaic"] = [1, 3, 768, 768], ["rgb"] = [1, 3, 768, 768] });
        using var cts = new CancellationTokenSource();
        // A dedicated thread cancels: a timer's callback waits for a pool thread, which a busy test run may not have.
        var canceller = new Thread(() => { Thread.Sleep(50); cts.Cancel(); }) { IsBackground = true };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        canceller.Start();
        Assert.Throws<OperationCanceledException>(() => big.Run(cts.Token));
        canceller.Join();
        output.WriteLine($"cancelled after {watch.ElapsedMilliseconds} ms");
        using var small = network.Bind(new Dictionary<string, long[]> { ["mosaic"] = [1, 3, 16, 16], ["rgb"] = [1, 3, 16, 16] });
        var mosaic = small["mosaic"].Span;
        for (var y = 0; y < 16; y++)
            for (var x = 0; x < 16; x++)
                mosaic[(cfa.ColorAt(y, x) * 16 + y) * 16 + x] = 0.5f; // flat grey, mosaicked
        small.Run();
        for (var c = 0; c < 3; c++) Assert.InRange(small["rgb"].Span[(c * 16 + 8) * 16 + 8], 0.45f, 0.55f);
    }

    /// <summary>Smooth colour gradients, a sinusoid and a hard-edged disc, planar RGB in [0,1].</summary>
    private static float[] SyntheticImage(int size)
    {
        var image = new float[3 * size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                float u = x / (float)size, v = y / (float)size;
                var disc = (x - size * 0.6f) * (x - size * 0.6f) + (y - size * 0.4f) * (y - size * 0.4f) < size * size * 0.05f;
                var wave = 0.15f * MathF.Sin(6.2832f * (u * 1.5f + v * 0.7f));
                float r = 0.25f + 0.5f * u + wave, g = 0.3f + 0.4f * v, b = 0.6f - 0.3f * u + 0.2f * v - wave;
                if (disc) (r, g, b) = (0.85f, 0.2f + 0.1f * u, 0.15f);
                image[(0 * size + y) * size + x] = Math.Clamp(r, 0f, 1f);
                image[(1 * size + y) * size + x] = Math.Clamp(g, 0f, 1f);
                image[(2 * size + y) * size + x] = Math.Clamp(b, 0f, 1f);
            }
        return image;
    }

    /// <summary>Each missing colour from the mean of the same colour's sites in the 3x3 (else 5x5)
    /// neighbourhood: bilinear on Bayer, its nearest equivalent on X-Trans.</summary>
    private static float[] NeighbourhoodAverage(float[] truth, CfaPattern cfa, int size)
    {
        var result = new float[truth.Length];
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                {
                    if (cfa.ColorAt(y, x) == c)
                    {
                        result[(c * size + y) * size + x] = truth[(c * size + y) * size + x];
                        continue;
                    }
                    for (var radius = 1; radius <= 2; radius++)
                    {
                        float sum = 0; var n = 0;
                        for (var dy = -radius; dy <= radius; dy++)
                            for (var dx = -radius; dx <= radius; dx++)
                            {
                                int yy = y + dy, xx = x + dx;
                                if (yy < 0 || xx < 0 || yy >= size || xx >= size || cfa.ColorAt(yy, xx) != c) continue;
                                sum += truth[(c * size + yy) * size + xx];
                                n++;
                            }
                        if (n == 0) continue;
                        result[(c * size + y) * size + x] = sum / n;
                        break;
                    }
                }
        return result;
    }

    private static double Psnr(float[] truth, ReadOnlySpan<float> estimate, int size)
    {
        double sum = 0; var n = 0;
        for (var c = 0; c < 3; c++)
            for (var y = Border; y < size - Border; y++)
                for (var x = Border; x < size - Border; x++)
                {
                    var d = truth[(c * size + y) * size + x] - Math.Clamp(estimate[(c * size + y) * size + x], 0f, 1f);
                    sum += d * d;
                    n++;
                }
        return 10 * Math.Log10(1.0 / (sum / n));
    }
}
