using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Tests.Pipeline.TestOps;

namespace RawEngine.Tests.Pipeline;

public class TilingTests
{
    private static EngineOptions Budget(long bytes) => new() { MaxThreads = 2, UseGpu = false, CacheBytes = 0, MemoryBudgetBytes = bytes };

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.45)]
    public async Task TiledRgbEqualsUntiledOverRandomBudgets(double scale)
    {
        var raw = TestRaws.Rgb(150, 110);
        var edit = Edit.Empty.With("gain", new GainParams { Gain = 1.25f }).With("box_blur", new BoxBlurParams { Strength = 0.7f })
            .With("late_gain", new GainParams { Gain = 0.5f, Offset = 0.25f });
        var roi = new Roi((int)(5 * scale), (int)(7 * scale), (int)(140 * scale), (int)(100 * scale), scale);
        float[] reference;
        using (var untiled = new PipeFixture())
        using (var session = untiled.Engine.Open(raw))
        using (var buffer = await session.RenderAsync(edit, roi))
        {
            reference = PipeFixture.Pixels(buffer);
            Assert.Equal(1, untiled.Blur.ProcessCalls);
        }
        var random = new Random(3);
        for (var i = 0; i < 6; i++)
        {
            var budget = random.Next(2_000, (int)(200_000 * scale * scale));
            using var tiled = new PipeFixture(Budget(budget));
            using var session = tiled.Engine.Open(raw);
            using var buffer = await session.RenderAsync(edit, roi);
            Assert.True(tiled.Blur.ProcessCalls > 1, $"budget {budget} did not tile");
            Assert.Equal(reference, PipeFixture.Pixels(buffer));
        }
    }

    [Theory]
    [InlineData("GRBG", 2)]
    [InlineData("XTRANS", 6)]
    public async Task TiledCfaEqualsUntiledWithTilesAlignedToThePeriod(string pattern, int period)
    {
        var cfa = pattern == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Bayer(pattern);
        var raw = TestRaws.Mosaic(131, 97, cfa);
        var edit = Edit.Empty.With("cfa_smooth", new CfaSmoothParams { RedGain = 1.5f, GreenGain = 0.75f, BlueGain = 3 });
        var roi = new Roi(7, 5, 113, 83);
        float[] reference;
        using (var untiled = new PipeFixture())
        using (var session = untiled.Engine.Open(raw))
        using (var buffer = await session.RenderAsync(edit, roi))
            reference = PipeFixture.Pixels(buffer);

        var random = new Random(period);
        for (var i = 0; i < 6; i++)
        {
            var budget = random.Next(2 * 4 * 30 * 30, 40_000);
            using var tiled = new PipeFixture(Budget(budget));
            using var session = tiled.Engine.Open(raw);
            using var buffer = await session.RenderAsync(edit, roi);
            Assert.True(tiled.Cfa.ProcessCalls > 1);
            Assert.Equal(reference, PipeFixture.Pixels(buffer));
        }

        // The planner snaps every inner tile corner to the CFA period.
        using var fixture = new PipeFixture();
        var program = fixture.Engine.Pipe.Build(edit, new RawSource(raw), "tiles", PipeKind.Full);
        var node = program.Nodes.Single();
        const int planBudget = 2 * 4 * 40 * 40;
        var tiles = TilePlanner.Plan(node.Committed, roi, node.InputFormat, planBudget, "cfa_smooth");
        Assert.True(tiles.Count > 4);
        Assert.All(tiles, t => Assert.True(TilePlanner.NeedFor(node.Committed, t, node.InputFormat) <= planBudget, $"tile {t} over budget"));
        Assert.All(tiles, t =>
        {
            Assert.True(t.X == roi.X || t.X % period == 0, $"tile {t} x");
            Assert.True(t.Y == roi.Y || t.Y % period == 0, $"tile {t} y");
        });
        Assert.Equal(roi.Pixels, tiles.Sum(t => t.Pixels));
    }

    [Fact]
    public async Task AFourMegabyteBudgetTilesALargeImage()
    {
        using var fixture = new PipeFixture(Budget(4L << 20));
        using var session = fixture.Engine.Open(TestRaws.Rgb(1200, 1000));
        var edit = Edit.Empty.With("box_blur", new BoxBlurParams());
        using var buffer = await session.RenderAsync(edit, Roi.Full(new ImageSize(1200, 1000)));
        Assert.True(fixture.Blur.ProcessCalls >= 5, $"{fixture.Blur.ProcessCalls} tiles");
        Assert.Equal((1200, 1000), (buffer.Width, buffer.Height));
    }

    [Fact]
    public async Task ABudgetTooSmallForOneTileIsAnError()
    {
        using var fixture = new PipeFixture(Budget(200));
        using var session = fixture.Engine.Open(TestRaws.Rgb(64, 64));
        var error = await Assert.ThrowsAsync<PipeException>(() => session.RenderAsync(Edit.Empty.With("box_blur", new BoxBlurParams()), Roi.Full(new ImageSize(64, 64))));
        Assert.Contains("module 'box_blur'", error.Message);
        Assert.Contains("cannot hold one 1x1 tile with its 1 px halo", error.Message);
    }

    [Fact]
    public void ANonPositiveBudgetIsRefused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PipeFixture(Budget(0)));
        Assert.Contains("memory budget must be positive", error.Message);
    }
}
