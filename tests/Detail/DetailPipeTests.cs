using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.Denoise;
using RawEngine.Iop.Sharpen;
using RawEngine.Tests.Pipeline;

namespace RawEngine.Tests.Detail;

/// <summary>
/// The pipe's contract for denoise, sharpen and sharpen_output: tiles and regions equal the whole picture, and
/// with defaults (none of them enabled) a render is what it was before they existed.
/// </summary>
public class DetailPipeTests
{
    // Larger than twice the denoise's 16 px reach, so tiles have cores away from the image's edges.
    private static readonly RawImage Noisy = SyntheticRaw.Chart(300, 200, new SyntheticRawOptions { Noise = new SensorNoise(1.6e-3, 1.6e-5), Seed = 3 });

    public static TheoryData<string> Modules => ["denoise", "sharpen", "sharpen_output"];

    private static Edit With(string module) => module switch
    {
        "denoise" => Edit.Empty.With("denoise", new DenoiseParams()),
        // The blur given (a chart's few edges are too little to measure) and small enough that the deconvolution's
        // reach (2 x 2 px x 20 iterations) lets square tiles fit the low budget below.
        "sharpen" => Edit.Empty.With("sharpen", new SharpenParams { Amount = 2, Radius = 0.66 }),
        _ => Edit.Empty.With("sharpen_output", new OutputSharpenParams()),
    };

    private static RenderEngine Engine(long budget = 0, ModuleRegistry? modules = null) =>
        new(modules ?? StandardModules.CreateRegistry(), budget > 0 ? new EngineOptions { CacheBytes = 0, MemoryBudgetBytes = budget } : new EngineOptions { CacheBytes = 0 });

    private static async Task<float[]> RenderAsync(Edit edit, Roi roi, long budget = 0, ModuleRegistry? modules = null)
    {
        using var engine = Engine(budget, modules);
        using var session = engine.Open(Noisy);
        using var buffer = await session.RenderAsync(edit, roi);
        return PipeFixture.Pixels(buffer);
    }

    private static Roi Whole(double scale = 1) => Roi.Full(new ImageSize(Noisy.Visible.Width, Noisy.Visible.Height), scale);

    [Theory]
    [MemberData(nameof(Modules))]
    public async Task TiledUnderALowBudgetEqualsTheWholeRender(string module)
    {
        var whole = await RenderAsync(With(module), Whole());
        // 4 MB: denoise and capture sharpening (7 stage-sized buffers of 960 kB) and output sharpening (5) run on
        // tiles, and a tile with its halo (16 px, 80 px and 2 px) on each side still fits.
        var tiled = await RenderAsync(With(module), Whole(), budget: 4_000_000);
        Assert.Equal(whole.Length, tiled.Length);
        for (var i = 0; i < whole.Length; i++) Assert.Equal(whole[i], tiled[i], 1e-5f);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public async Task ARegionEqualsTheSameCropOfTheWholeRender(string module)
    {
        var full = Whole();
        var whole = await RenderAsync(With(module), full);
        var region = new Roi(70, 50, 150, 90);
        var part = await RenderAsync(With(module), region);
        for (var y = 0; y < region.Height; y++)
            for (var i = 0; i < region.Width * 4; i++)
                Assert.Equal(whole[((region.Y + y) * full.Width + region.X) * 4 + i], part[y * region.Width * 4 + i], 1e-5f);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public async Task EachModuleChangesTheNoisyPicture(string module)
    {
        // The equality tests above would hold for a module that did nothing.
        var plain = await RenderAsync(Edit.Empty, Whole());
        var changed = await RenderAsync(With(module), Whole());
        var moved = plain.Zip(changed, (a, b) => Math.Abs(a - b)).Count(d => d > 1e-3f);
        Assert.True(moved > plain.Length / 20, $"{module} changed only {moved} of {plain.Length} samples");
    }

    [Fact]
    public async Task WithDefaultsTheRenderIsWhatItWasWithoutTheDetailModules()
    {
        var before = new ModuleRegistry([.. StandardModules.All().Where(m => m.Info.Id is not ("denoise" or "sharpen" or "sharpen_output"))], IopOrder.Default);
        foreach (var scale in new[] { 1.0, 0.5 })
            Assert.Equal(await RenderAsync(Edit.Empty, Whole(scale), modules: before), await RenderAsync(Edit.Empty, Whole(scale)));
    }

    [Fact]
    public async Task ZeroStrengthAndZeroAmountPassThePictureThrough()
    {
        var plain = await RenderAsync(Edit.Empty, Whole());
        Assert.Equal(plain, await RenderAsync(Edit.Empty.With("denoise", new DenoiseParams { Strength = 0 }), Whole()));
        Assert.Equal(plain, await RenderAsync(Edit.Empty.With("sharpen", new SharpenParams { Amount = 0 }), Whole()));
        Assert.Equal(plain, await RenderAsync(Edit.Empty.With("sharpen_output", new OutputSharpenParams { Amount = 0 }), Whole()));
    }

    [Fact]
    public async Task DenoiseOnAScaledDownViewEqualsItsCropToo()
    {
        var full = Whole(0.5);
        var whole = await RenderAsync(With("denoise"), full);
        var region = new Roi(20, 10, 90, 60, 0.5);
        var part = await RenderAsync(With("denoise"), region);
        for (var y = 0; y < region.Height; y++)
            for (var i = 0; i < region.Width * 4; i++)
                Assert.Equal(whole[((region.Y + y) * full.Width + region.X) * 4 + i], part[y * region.Width * 4 + i], 1e-5f);
    }
}
