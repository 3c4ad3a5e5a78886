using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Tests.Pipeline;
using RawEngine.Tests.Pipeline.TestOps;

namespace RawEngine.Tests.Masks;

/// <summary>Blending through masks in the pipe, with the test modules (no geometry: mask view = image).</summary>
public class MaskedBlendTests
{
    private const int Width = 64, Height = 48;

    private static readonly MaskGroup Spot = new("spot", [
        new GroupMember(new EllipseForm(new MaskPoint(0.4, 0.5), 0.3, 0.2, 25) { Feather = 0.1 }),
        new GroupMember(new PathForm([PathNode.Corner(0.5, 0.1), PathNode.Corner(0.95, 0.2), PathNode.Corner(0.7, 0.9)]), CombineMode.Union),
    ]);

    private static readonly MaskGroup Everywhere = new("all", [new GroupMember(new RasterForm(1, 1, [255]))]);

    private static Edit Masked(BlendParams blend, params MaskGroup[] groups) =>
        Edit.Empty.With("gain", new GainParams { Gain = 2, Offset = 0.05f }, blend) with { Masks = new MaskSet(groups) };

    private static float[] Coverage(MaskGroup group)
    {
        var coverage = new float[Width * Height];
        MaskRasterizer.Render(group, MaskView.Image(Width, Height), coverage);
        return coverage;
    }

    private static async Task<float[]> Render(PipeFixture fixture, Edit edit, Roi? roi = null)
    {
        using var session = fixture.Engine.Open(TestRaws.Rgb(Width, Height));
        using var image = await session.RenderAsync(edit, roi ?? new Roi(0, 0, Width, Height));
        return PipeFixture.Pixels(image);
    }

    [Fact]
    public async Task OpacityZeroGivesTheInputAndOneTheOutputExactly()
    {
        using var fixture = new PipeFixture();
        var input = await Render(fixture, Edit.Empty);
        var output = await Render(fixture, Edit.Empty.With("gain", new GainParams { Gain = 2, Offset = 0.05f }));
        Assert.NotEqual(input, output);
        Assert.Equal(input, await Render(fixture, Masked(new BlendParams { Opacity = 0, Mask = "spot" }, Spot)));
        Assert.Equal(input, await Render(fixture, Masked(new BlendParams { Opacity = 0 })));
        Assert.Equal(output, await Render(fixture, Masked(new BlendParams { Opacity = 1, Mask = "all" }, Everywhere)));
        // An inverted full mask is no mask at all: the input.
        Assert.Equal(input, await Render(fixture, Masked(new BlendParams { Mask = "none" }, Everywhere with { Id = "none", Inverted = true })));
    }

    [Fact]
    public async Task TheMaskWeighsTheOutputPixelByPixel()
    {
        using var fixture = new PipeFixture();
        var input = await Render(fixture, Edit.Empty);
        var output = await Render(fixture, Edit.Empty.With("gain", new GainParams { Gain = 2, Offset = 0.05f }));
        var blended = await Render(fixture, Masked(new BlendParams { Opacity = 0.8, Mask = "spot" }, Spot));
        var coverage = Coverage(Spot);
        Assert.Contains(coverage, c => c == 0);
        Assert.Contains(coverage, c => c == 1);
        Assert.Contains(coverage, c => c is > 0.1f and < 0.9f);
        for (var i = 0; i < blended.Length; i++)
        {
            var w = 0.8f * coverage[i / 4];
            Assert.Equal(input[i] * (1 - w) + output[i] * w, blended[i], 1e-6f);
        }
    }

    [Theory]
    [InlineData(BlendMode.Multiply)]
    [InlineData(BlendMode.Screen)]
    [InlineData(BlendMode.Overlay)]
    [InlineData(BlendMode.Lighten)]
    [InlineData(BlendMode.Darken)]
    public async Task BlendModesArePointwiseFormulas(BlendMode mode)
    {
        using var fixture = new PipeFixture();
        var a = await Render(fixture, Edit.Empty);
        var gain = new GainParams { Gain = 0.5f, Offset = 0.3f };
        var b = await Render(fixture, Edit.Empty.With("gain", gain));
        var edit = Edit.Empty.With("gain", gain, new BlendParams { Mode = mode });
        Assert.False(edit.Modules[0].Blend!.IsIdentity);
        var blended = await Render(fixture, edit);
        Func<float, float, float> formula = mode switch
        {
            BlendMode.Multiply => (x, y) => x * y,
            BlendMode.Screen => (x, y) => x + y - x * y,
            BlendMode.Overlay => (x, y) => x < 0.5f ? 2 * x * y : 1 - 2 * (1 - x) * (1 - y),
            BlendMode.Lighten => MathF.Max,
            _ => MathF.Min,
        };
        for (var i = 0; i < a.Length; i++) Assert.Equal(formula(a[i], b[i]), blended[i], Math.Abs(blended[i]) * 1e-6f);
    }

    [Fact]
    public async Task TiledRendersAndRegionsEqualTheWholeUntiledRender()
    {
        var edit = Masked(new BlendParams { Opacity = 0.7, Mask = "spot", Mode = BlendMode.Screen }, Spot)
            .With("box_blur", new BoxBlurParams { Strength = 0.5f });
        using var whole = new PipeFixture();
        var expected = await Render(whole, edit);
        using var tight = new PipeFixture(new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = 0, MemoryBudgetBytes = 6 << 10 });
        Assert.Equal(expected, await Render(tight, edit));
        var region = new Roi(9, 7, 31, 23);
        var part = await Render(whole, edit, region);
        for (var y = 0; y < region.Height; y++)
            Assert.Equal(expected.AsSpan(((region.Y + y) * Width + region.X) * 4, region.Width * 4).ToArray(), part.AsSpan(y * region.Width * 4, region.Width * 4).ToArray());
    }

    [Fact]
    public async Task ChangingTheMaskRecomputesFromItsModuleOnOnly()
    {
        using var fixture = new PipeFixture(new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = 64L << 20 });
        using var session = fixture.Engine.Open(TestRaws.Rgb(Width, Height));
        var roi = new Roi(0, 0, Width, Height);
        var other = new MaskGroup("other", [new GroupMember(new GradientForm(new MaskPoint(0.5, 0.5), 0))]);
        var edit = Edit.Empty
            .With("gain", new GainParams { Gain = 2 })
            .With("box_blur", new BoxBlurParams { Strength = 0.5f }, new BlendParams { Mask = "spot" })
            .With("late_gain", new GainParams { Gain = 0.5f }) with { Masks = new MaskSet([Spot, other]) };
        (int, int, int) Calls() => (fixture.Gain.ProcessCalls, fixture.Blur.ProcessCalls, fixture.Gain2.ProcessCalls);

        using var first = await session.RenderAsync(edit, roi);
        Assert.Equal((1, 1, 1), Calls());
        // A group no blend uses changes nothing.
        (await session.RenderAsync(edit with { Masks = edit.Masks.With(other with { Members = [new GroupMember(new GradientForm(new MaskPoint(0.2, 0.5), 0))] }) }, roi)).Dispose();
        Assert.Equal((1, 1, 1), Calls());
        // Moving the blend's mask recomputes the blend's module and what follows.
        var moved = Spot with { Members = [new GroupMember(new EllipseForm(new MaskPoint(0.6, 0.5), 0.3, 0.2))] };
        using var second = await session.RenderAsync(edit with { Masks = edit.Masks.With(moved) }, roi);
        Assert.Equal((1, 2, 2), Calls());
        Assert.NotEqual(PipeFixture.Pixels(first), PipeFixture.Pixels(second));
        // Back to the first mask: cached.
        (await session.RenderAsync(edit, roi)).Dispose();
        Assert.Equal((1, 2, 2), Calls());
    }

    [Fact]
    public async Task MissingOrBrokenMasksAreNamed()
    {
        using var fixture = new PipeFixture();
        using var session = fixture.Engine.Open(TestRaws.Rgb(Width, Height));
        var roi = new Roi(0, 0, 8, 8);
        var missing = Masked(new BlendParams { Mask = "sky" }, Spot);
        Assert.Equal("modules[0].blend.mask: no mask group 'sky' in the edit's masks (known: spot)",
            (await Assert.ThrowsAsync<EditException>(() => session.RenderAsync(missing, roi))).Message);
        var broken = Masked(new BlendParams { Mask = "bad" }, Spot, new MaskGroup("bad", [new GroupMember(new BrushForm([new BrushPoint(new MaskPoint(0.5, 0.5), 0)]))]));
        Assert.Equal("masks.groups[1]: mask group 'bad' member 0 brush point 0 radius is 0; it must be a finite number > 0.",
            (await Assert.ThrowsAsync<EditException>(() => session.RenderAsync(broken, roi))).Message);
    }
}
