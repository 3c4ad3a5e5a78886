using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Tests.Pipeline.TestOps;

namespace RawEngine.Tests.Pipeline;

public class CacheTests
{
    private static readonly Edit Base = Edit.Empty
        .With("gain", new GainParams { Gain = 2 })
        .With("box_blur", new BoxBlurParams { Strength = 0.5f })
        .With("late_gain", new GainParams { Gain = 0.5f });

    private static PipeFixture Cached(long bytes = 64L << 20) =>
        new(new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = bytes });

    private static (int Gain, int Blur, int Late) Calls(PipeFixture f) => (f.Gain.ProcessCalls, f.Blur.ProcessCalls, f.Gain2.ProcessCalls);

    [Fact]
    public async Task ChangingOneModuleRecomputesItAndTheModulesAfterItOnly()
    {
        using var fixture = Cached();
        using var session = fixture.Engine.Open(TestRaws.Rgb(64, 48));
        var roi = new Roi(4, 4, 40, 30);
        (await session.RenderAsync(Base, roi)).Dispose();
        Assert.Equal((1, 1, 1), Calls(fixture));

        (await session.RenderAsync(Base, roi)).Dispose();
        Assert.Equal((1, 1, 1), Calls(fixture));

        (await session.RenderAsync(Base.With("late_gain", new GainParams { Gain = 0.25f }), roi)).Dispose();
        Assert.Equal((1, 1, 2), Calls(fixture));

        (await session.RenderAsync(Base.With("box_blur", new BoxBlurParams { Strength = 0.1f }), roi)).Dispose();
        Assert.Equal((1, 2, 3), Calls(fixture));

        (await session.RenderAsync(Base.With("box_blur", new BoxBlurParams { Strength = 0.5f }, new BlendParams { Opacity = 0.5 }), roi)).Dispose();
        Assert.Equal((1, 3, 4), Calls(fixture));

        // Back to the first edit: every stage is still cached.
        (await session.RenderAsync(Base, roi)).Dispose();
        Assert.Equal((1, 3, 4), Calls(fixture));

        // A different region is a different key for every stage.
        (await session.RenderAsync(Base, roi with { X = 5 })).Dispose();
        Assert.Equal((2, 4, 5), Calls(fixture));
    }

    [Fact]
    public async Task CachedResultsEqualFreshOnesAndTheCacheStaysWithinItsBytes()
    {
        var roi = new Roi(0, 0, 64, 48);
        var bytesPerStage = 64 * 48 * 16;
        using var fixture = Cached(bytesPerStage * 2 + 100);
        using var session = fixture.Engine.Open(TestRaws.Rgb(64, 48));
        using var first = await session.RenderAsync(Base, roi);
        Assert.True(fixture.Engine.Cache.Bytes <= bytesPerStage * 2 + 100);
        Assert.Equal(2, fixture.Engine.Cache.Count);
        var changed = Base.With("late_gain", new GainParams { Gain = 3 });
        using var second = await session.RenderAsync(changed, roi);
        Assert.Equal((1, 1, 2), Calls(fixture));

        using var fresh = new PipeFixture();
        using var freshSession = fresh.Engine.Open(TestRaws.Rgb(64, 48));
        using var expected = await freshSession.RenderAsync(changed, roi);
        Assert.Equal(PipeFixture.Pixels(expected), PipeFixture.Pixels(second));
        Assert.NotEqual(PipeFixture.Pixels(first), PipeFixture.Pixels(second));
    }

    [Fact]
    public void ChainKeysDependOnEveryLink()
    {
        var root = ChainKey.Root("image a");
        Assert.Equal(root.Then("x").Then("y"), root.Then("x").Then("y"));
        Assert.NotEqual(root.Then("x").Then("y"), root.Then("y").Then("x"));
        Assert.NotEqual(root.Then("x"), ChainKey.Root("image b").Then("x"));
    }
}
