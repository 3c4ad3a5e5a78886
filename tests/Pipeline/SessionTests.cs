using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Tests.Pipeline.TestOps;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Pipeline;

public class SessionTests
{
    private static readonly Edit Chain = Edit.Empty
        .With("gain", new GainParams { Gain = 1.5f })
        .With("box_blur", new BoxBlurParams { Strength = 1 })
        .With("late_gain", new GainParams { Gain = 0.75f });

    [Fact]
    public async Task ConcurrentRendersOfDifferentRegionsMatchSequentialOnes()
    {
        using var fixture = new PipeFixture(new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = 8L << 20, MemoryBudgetBytes = 64 << 10 });
        using var session = fixture.Engine.Open(TestRaws.Rgb(120, 90));
        using var full = await session.RenderAsync(Chain, new Roi(0, 0, 120, 90));
        var rois = Enumerable.Range(0, 16).Select(i => new Roi(i * 5, i * 3, 40, 30)).ToArray();
        var results = await Task.WhenAll(rois.Select(roi => session.RenderAsync(Chain, roi)));
        for (var i = 0; i < rois.Length; i++)
        {
            using var result = results[i];
            Assert.Equal(PipeFixture.Crop(full, rois[i].X, rois[i].Y, 40, 30), PipeFixture.Pixels(result));
        }
    }

    [Fact]
    public async Task CancellationStopsTheRenderAndLeavesTheCacheConsistent()
    {
        using var fixture = new PipeFixture(new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = 8L << 20 });
        using var session = fixture.Engine.Open(TestRaws.Rgb(80, 60));
        var roi = new Roi(0, 0, 80, 60);

        using var cancel = new CancellationTokenSource();
        var stages = new List<string>();
        var progress = new SynchronousProgress(p =>
        {
            stages.Add(p.Stage);
            if (p.Stage == "gain" && p.Tiles == 0) cancel.Cancel();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.RenderAsync(Chain, roi, cancel.Token, progress));
        Assert.Equal(["source", "gain"], stages);
        Assert.Equal(0, fixture.Blur.ProcessCalls);

        using var resumed = await session.RenderAsync(Chain, roi);
        Assert.Equal((1, 1, 1), (fixture.Gain.ProcessCalls, fixture.Blur.ProcessCalls, fixture.Gain2.ProcessCalls));
        using var fresh = new PipeFixture();
        using var freshSession = fresh.Engine.Open(TestRaws.Rgb(80, 60));
        using var expected = await freshSession.RenderAsync(Chain, roi);
        Assert.Equal(PipeFixture.Pixels(expected), PipeFixture.Pixels(resumed));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.RenderAsync(Chain, roi, new CancellationToken(true)));
    }

    [Fact]
    public async Task ProgressCountsStagesAndTiles()
    {
        using var fixture = new PipeFixture(new EngineOptions { MaxThreads = 1, UseGpu = false, CacheBytes = 0, MemoryBudgetBytes = 20_000 });
        using var session = fixture.Engine.Open(TestRaws.Rgb(64, 64));
        var reports = new List<PipeProgress>();
        using var _ = await session.RenderAsync(Chain, new Roi(0, 0, 64, 64), default, new SynchronousProgress(reports.Add));
        Assert.Equal(new PipeProgress(4, 4, "late_gain"), reports[^1]);
        Assert.Contains(reports, r => r.Stage == "box_blur" && r.Tiles > 1 && r.Tile == r.Tiles);
        Assert.True(reports.Zip(reports.Skip(1)).All(pair => pair.First.Fraction <= pair.Second.Fraction));
    }

    [Fact]
    public async Task PreviewAndExportRenderTheWholeImage()
    {
        using var fixture = new PipeFixture();
        using var session = fixture.Engine.Open(TestRaws.Rgb(90, 60));
        using var preview = await session.RenderPreviewAsync(Chain, 30);
        Assert.Equal((30, 20), (preview.Width, preview.Height));
        using var export = await session.RenderExportAsync(Chain);
        Assert.Equal((90, 60), (export.Width, export.Height));
    }

    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public async Task OpensARawFileAndRendersIt()
    {
        using var fixture = new PipeFixture();
        using var session = fixture.Engine.Open(SharedData.CanonLinearDng);
        var size = session.OutputSize(Edit.Empty);
        Assert.Equal((session.Image.Visible.Width, session.Image.Visible.Height), (size.Width, size.Height));
        using var preview = await session.RenderPreviewAsync(Edit.Empty.With("gain", new GainParams { Gain = 2 }), 64);
        Assert.Equal(64, Math.Max(preview.Width, preview.Height));
        Assert.Contains(PipeFixture.Pixels(preview), v => v > 0);
    }

    private sealed class SynchronousProgress(Action<PipeProgress> report) : IProgress<PipeProgress>
    {
        public void Report(PipeProgress value) => report(value);
    }
}
