using Microsoft.Extensions.Logging;
using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.Demosaic;
using RawEngine.Iop.DemosaicNn;
using RawEngine.Iop.DenoiseNn;
using RawEngine.Iop.RawPrepare;
using RawEngine.Iop.Temperature;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Pipeline;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Neural;

/// <summary>demosaic_nn and denoise_nn as pipe modules: regions, scales, pipe tiling, and demosaic stepping aside.</summary>
public sealed class NeuralPipeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    private ModelServices Models() => Models(_home.Path);

    /// <summary>The shipped and test models on the CPU, two threads, in an environment of its own under <paramref name="home"/>.</summary>
    internal static ModelServices Models(string home, ILoggerFactory? loggers = null) =>
        new(new ModelSearchOptions([AiTestFiles.ShippedModels, AiTestFiles.TestModels], AiTestFiles.IsolatedEnvironment(home)),
            new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: 2), loggerFactory: loggers);

    /// <summary>The standard modules on two threads, without cache or GPU.</summary>
    internal static RenderEngine Engine(ModelServices models, long budget = 512L << 20) =>
        new(StandardModules.CreateRegistry(models), new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = 0, MemoryBudgetBytes = budget });

    private static readonly Edit NeuralDemosaic = Edit.Empty.With("demosaic_nn", new DemosaicNnParams());
    private static readonly Edit NeuralBoth = NeuralDemosaic.With("denoise_nn", new DenoiseNnParams { Model = "nafnet-small", Strength = 0.7 });

    private static RawImage Chart(CfaPattern cfa) =>
        SyntheticRaw.Chart(180, 132, new SyntheticRawOptions { Cfa = cfa, Noise = SensorNoise.AtIso(1600), Orientation = 6 });

    private static double MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0.0;
        for (var i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    public static TheoryData<string, bool, int> Cases => new() { { "RGGB", false, 1 }, { "RGGB", true, 1 }, { "XTRANS", false, 1 }, { "GBRG", false, 8 }, { "XTRANS", false, 4 } };

    /// <summary>With an ensemble, views moved onto the model's phase read past their windows: the region must ask for that too.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ARegionRenderEqualsTheCropOfTheWholeRender(string cfa, bool denoise, int ensemble)
    {
        using var models = Models();
        using var engine = Engine(models);
        using var session = engine.Open(Chart(cfa == "XTRANS" ? CfaPattern.XTrans.Shifted(1, 4) : CfaPattern.Bayer(cfa)));
        var edit = (denoise ? NeuralBoth : NeuralDemosaic).With("demosaic_nn", new DemosaicNnParams { Ensemble = ensemble });
        var size = session.OutputSize(edit);
        using var whole = await session.RenderAsync(edit, Roi.Full(size));
        var region = new Roi(37, 29, 61, 77);
        using var part = await session.RenderAsync(edit, region);
        var difference = MaxDifference(PipeFixture.Crop(whole, region.X, region.Y, region.Width, region.Height), PipeFixture.Pixels(part));
        output.WriteLine($"{cfa} denoise {denoise} ensemble {ensemble}: max |region - crop| {difference:E2}");
        Assert.True(difference <= 1e-5, $"region differs from the crop by {difference:E2}");

        using var half = await session.RenderAsync(edit, Roi.Full(size, 0.5));
        Assert.Equal(size.Scaled(0.5), new ImageSize(half.Width, half.Height));
    }

    [Fact]
    public async Task PipeTilingLeavesTheNetworksTilesAndSoItsResultUnchanged()
    {
        // demosaicnet Bayer repackaged with one small tile size, so that a small budget both fits the
        // network's tile and makes the pipe cut demosaic_nn into bands on a small image.
        var root = Directory.CreateDirectory(Path.Combine(_home.Path, "small-tiles")).FullName;
        var package = Directory.CreateDirectory(Path.Combine(root, "demosaicnet-small-tiles")).FullName;
        File.CreateSymbolicLink(Path.Combine(package, "model.onnx"), Path.Combine(AiTestFiles.ShippedModels, AiTestFiles.DemosaicNetBayer, "model.onnx"));
        File.WriteAllText(Path.Combine(package, "config.json"), """
            {"id": "demosaicnet-small-tiles", "name": "demosaicnet, 96 px tiles", "description": "", "task": "demosaic", "arch": "demosaicnet",
             "backend": "onnx", "version": "1.0", "tiling": true,
             "io": {"inputs": {"image": "mosaic"}, "outputs": {"image": "rgb"}, "layout": "masked-mosaic", "encoding": "srgb",
                    "cfa": {"type": "bayer", "pattern": ["GR", "BG"]}, "tile": {"sizes": [96], "overlap": 16, "align": 2}}}
            """);
        using var models = new ModelServices(new ModelSearchOptions([root], AiTestFiles.IsolatedEnvironment(_home.Path)),
            new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: 2));
        // Up to demosaic_nn only: linear camera RGB out.
        ModuleRegistry Registry() => new([new RawPrepareOperation(), new TemperatureOperation(), new DemosaicNnOperation(models)], IopOrder.Default);
        var raw = SyntheticRaw.Chart(480, 360, new SyntheticRawOptions { Noise = SensorNoise.AtIso(400) });
        using var roomy = new RenderEngine(Registry(), new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = 0 });
        using var tight = new RenderEngine(Registry(), new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = 0, MemoryBudgetBytes = 6L << 20 });
        var whole = Roi.Full(new ImageSize(480, 360));
        using var a = await roomy.Open(raw, "chart").RenderAsync(NeuralDemosaic, whole);
        var progress = new List<PipeProgress>();
        using var b = await tight.Open(raw, "chart").RenderAsync(NeuralDemosaic, whole, default, new Recorder(progress.Add));
        var bands = progress.Where(p => p.Stage == "demosaic_nn" && p.Tiles > 1).Select(p => p.Tiles).Distinct().ToList();
        var difference = MaxDifference(PipeFixture.Pixels(a), PipeFixture.Pixels(b));
        output.WriteLine($"demosaic_nn pipe tiles: {string.Join(",", bands)}; max |tight - roomy| {difference:E2}");
        Assert.NotEmpty(bands);
        Assert.Equal(0, difference);
    }

    [Fact]
    public void ClassicalDemosaicStepsAsideWhenTheNeuralOneIsEnabled()
    {
        using var models = Models();
        using var engine = Engine(models);
        var source = new RawSource(Chart(CfaPattern.Rggb));
        foreach (var edit in new[] { NeuralDemosaic, NeuralDemosaic.With("demosaic", new DemosaicParams { Method = DemosaicChoice.Lmmse }) })
        {
            var program = engine.Pipe.Build(edit, source, "chart", PipeKind.Export);
            var ids = program.Nodes.Select(n => n.Instance).ToList();
            Assert.Contains("demosaic_nn", ids);
            Assert.DoesNotContain("demosaic", ids);
        }
        var classical = engine.Pipe.Build(Edit.Empty, source, "chart", PipeKind.Export).Nodes.Select(n => n.Instance).ToList();
        Assert.Contains("demosaic", classical);
        Assert.DoesNotContain("demosaic_nn", classical);
    }

    [Fact]
    public async Task AnEnsembleSizeOutsideTheGroupFailsNamingIt()
    {
        using var models = Models();
        using var engine = Engine(models);
        using var session = engine.Open(Chart(CfaPattern.Rggb));
        var error = await Assert.ThrowsAsync<PipeException>(() => session.RenderAsync(NeuralDemosaic.With("demosaic_nn", new DemosaicNnParams { Ensemble = 3 }), new Roi(0, 0, 16, 16)));
        Assert.Contains("ensemble 3 is not one of 1, 2, 4, 8", error.Message);
    }

    [Fact]
    public void WithoutModelServicesANeuralModuleFailsAtBuildSayingSo()
    {
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { UseGpu = false });
        var e = Assert.Throws<PipeException>(() => engine.Pipe.Build(NeuralDemosaic, new RawSource(Chart(CfaPattern.Rggb)), "chart", PipeKind.Export));
        Assert.Contains("demosaic_nn", e.Message);
        Assert.Contains("model services", e.Message);
    }

    private sealed class Recorder(Action<PipeProgress> action) : IProgress<PipeProgress>
    {
        public void Report(PipeProgress value) => action(value);
    }
}
