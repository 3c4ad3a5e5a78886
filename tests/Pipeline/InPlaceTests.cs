using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Tests.Pipeline.TestOps;

namespace RawEngine.Tests.Pipeline;

/// <summary>Pointwise modules may be handed one buffer as input and output when nothing else holds the input.</summary>
public class InPlaceTests
{
    private static readonly Edit Gains = Edit.Empty.With("gain", new GainParams { Gain = 2 }).With("late_gain", new GainParams { Gain = 0.5f, Offset = 0.1f });

    private sealed class Modules(bool inPlace)
    {
        public GainOperation Gain { get; } = new("gain", inPlace);
        public GainOperation Late { get; } = new("late_gain", inPlace);
        public ModuleRegistry Registry => new([Gain, Late], ["gain", "late_gain"]);
    }

    private static async Task<float[]> RenderAsync(ModuleRegistry registry, EngineOptions options, Edit edit, Roi roi)
    {
        using var engine = new RenderEngine(registry, options);
        using var session = engine.Open(TestRaws.Rgb(96, 64), "in-place");
        using var result = await session.RenderAsync(edit, roi);
        return PipeFixture.Pixels(result);
    }

    [Fact]
    public async Task WithoutACacheTheSecondModuleReusesTheFirstOnesOutput()
    {
        var roi = new Roi(0, 0, 96, 64);
        var options = new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = 0 };
        var inPlace = new Modules(inPlace: true);
        var separate = new Modules(inPlace: false);

        var reused = await RenderAsync(inPlace.Registry, options, Gains, roi);
        var copied = await RenderAsync(separate.Registry, options, Gains, roi);

        Assert.Equal(copied, reused);
        Assert.True(inPlace.Late.InPlaceCalls > 0);
        Assert.Equal(0, separate.Late.InPlaceCalls);
    }

    [Fact]
    public async Task TiledInPlaceEqualsUntiled()
    {
        var roi = new Roi(5, 3, 80, 50);
        var modules = new Modules(inPlace: true);
        var untiled = await RenderAsync(modules.Registry, new EngineOptions { UseGpu = false, CacheBytes = 0 }, Gains, roi);
        var tiled = await RenderAsync(new Modules(inPlace: true).Registry, new EngineOptions { UseGpu = false, CacheBytes = 0, MemoryBudgetBytes = 8 << 10 }, Gains, roi);
        Assert.Equal(untiled, tiled);
    }

    [Fact]
    public async Task CachedStagesAreNeverOverwritten()
    {
        var modules = new Modules(inPlace: true);
        using var engine = new RenderEngine(modules.Registry, new EngineOptions { UseGpu = false, CacheBytes = 64L << 20 });
        using var session = engine.Open(TestRaws.Rgb(96, 64), "cached");
        var roi = new Roi(0, 0, 96, 64);
        var changed = Gains.With("late_gain", new GainParams { Gain = 3 });

        (await session.RenderAsync(Gains, roi)).Dispose();
        using var second = await session.RenderAsync(changed, roi);

        Assert.Equal(0, modules.Late.InPlaceCalls); // its input was the cached output of "gain"
        var fresh = await RenderAsync(new Modules(inPlace: false).Registry, new EngineOptions { UseGpu = false, CacheBytes = 0 }, changed, roi);
        Assert.Equal(fresh, PipeFixture.Pixels(second));
    }
}
