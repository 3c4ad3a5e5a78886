using RawEngine.AI.Tiling;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Tests.Neural;

/// <summary>The tile grid's geometry: phase, coverage, sizes, and the CFA-keeping mirror.</summary>
public class TileGridTests
{
    public static TheoryData<string, string, int, int, int> Grids => new()
    {
        // image CFA, model CFA, ladder, overlap, align
        { "RGGB", "GRBG", 128, 32, 2 },
        { "BGGR", "GRBG", 512, 32, 2 },
        { "XTRANS+2+1", "XTRANS", 252, 18, 6 },
        { "RGB", "RGB", 256, 32, 16 },
    };

    private static CfaPattern? Pattern(string name) => name switch
    {
        "RGB" => null,
        "XTRANS" => CfaPattern.XTrans,
        "XTRANS+2+1" => CfaPattern.XTrans.Shifted(2, 1),
        _ => CfaPattern.Bayer(name),
    };

    [Theory]
    [MemberData(nameof(Grids))]
    public void EveryWindowStartsOnTheModelsPhaseAndCoresCoverTheImageOnce(string imageCfa, string modelCfa, int ladder, int overlap, int align)
    {
        var image = Pattern(imageCfa);
        var model = Pattern(modelCfa);
        var period = image?.Width ?? 1;
        var phase = image is null ? (0, 0) : image.OffsetTo(model!)!.Value;
        var size = new ImageSize(301, 217);
        var grid = TileGrid.Create(size, ladder, overlap, align, period, phase);
        Assert.True(grid.TensorWidth <= ladder && grid.TensorHeight <= ladder, grid.ToString());
        Assert.Equal(0, grid.TensorWidth % align);
        Assert.Equal(0, grid.TensorHeight % align);
        var covered = new int[size.Width * size.Height];
        var tiles = grid.TilesFor(new Roi(0, 0, size.Width, size.Height));
        Assert.Equal(grid.Count, tiles.Count);
        foreach (var tile in tiles)
        {
            if (image is not null) Assert.Equal(model, image.Shifted(tile.Window.Y, tile.Window.X));
            Assert.True(tile.Window.Contains(tile.Core));
            var p = tile.Placement;
            Assert.True(tile.Window.Contains(new Roi(p.X, p.Y, p.Width, p.Height)), $"placement of tile {tile.Column},{tile.Row} leaves its window");
            // Every pixel a tile contributes has at least half the halo of context inside its window.
            Assert.True(p.X - tile.Window.X >= overlap / 2 && tile.Window.Right - (p.X + p.Width) >= overlap / 2, $"placement of tile {tile.Column},{tile.Row}");
            Assert.True(p.Y - tile.Window.Y >= overlap / 2 && tile.Window.Bottom - (p.Y + p.Height) >= overlap / 2, $"placement of tile {tile.Column},{tile.Row}");
            for (var y = tile.Core.Y; y < tile.Core.Bottom; y++)
                for (var x = tile.Core.X; x < tile.Core.Right; x++) covered[y * size.Width + x]++;
        }
        Assert.All(covered, n => Assert.Equal(1, n));
    }

    [Fact]
    public void ARegionUsesTheSameTilesAsTheWholeImageAndAsksForTheirWindows()
    {
        var grid = TileGrid.Create(new ImageSize(640, 480), 160, 32, 2, 2, (0, 1));
        var region = new Roi(200, 150, 50, 40);
        var tiles = grid.TilesFor(region);
        var all = grid.TilesFor(new Roi(0, 0, 640, 480));
        Assert.All(tiles, t => Assert.Contains(t, all));
        // Every tile whose placement reaches the region is there, and no other.
        foreach (var t in all)
        {
            var p = t.Placement;
            var reaches = p.X < region.Right && p.X + p.Width > region.X && p.Y < region.Bottom && p.Y + p.Height > region.Y;
            Assert.Equal(reaches, tiles.Contains(t));
        }
        var input = grid.InputFor(region);
        Assert.All(tiles, t => Assert.True(input.Contains(t.Window.ClampTo(new ImageSize(640, 480)))));
    }

    [Fact]
    public void AnEnsembleAsksForUnderOneCfaPeriodMoreAndNeedsTheHaloToMoveItsViews()
    {
        var size = new ImageSize(640, 480);
        var region = new Roi(200, 150, 50, 40);
        var one = TileGrid.Create(size, 160, 18, 6, 6, (1, 4));
        var views = TileGrid.Create(size, 160, 18, 6, 6, (1, 4), TileTransform.All);
        Assert.Equal(0, one.ViewSlack);
        Assert.Equal(5, views.ViewSlack);
        var plain = one.InputFor(region);
        Assert.Equal(new Roi(plain.X - 5, plain.Y - 5, plain.Width + 10, plain.Height + 10), views.InputFor(region));
        // A 6 px halo blends over 3 px and has 3 px left: too few to move an X-Trans view by up to 5.
        Assert.Contains("halo", Assert.Throws<ArgumentException>(() => TileGrid.Create(size, 160, 6, 6, 6, (0, 0), TileTransform.All)).Message);
    }

    [Fact]
    public void TheGridIsBalancedNotGreedy()
    {
        // 768 px with at most ~446 px cores: two equal cores of 384, not 446 + 322.
        var grid = TileGrid.Create(new ImageSize(768, 512), 512, 32, 2, 2, (0, 1));
        Assert.Equal((2, 2), (grid.Columns, grid.Rows));
        Assert.Equal((384, 256), (grid.CoreWidth, grid.CoreHeight));
        Assert.Throws<ArgumentException>(() => TileGrid.Create(new ImageSize(768, 512), 64, 32, 2, 2, (0, 0)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(1)]
    public void MirroringByWholePeriodsKeepsEveryPixelsColour(int period)
    {
        var pattern = period == 6 ? CfaPattern.XTrans : period == 2 ? CfaPattern.Rggb : null;
        foreach (var size in new[] { period, 7, 13, 40 })
        {
            if (size < period) continue;
            for (var x = -3 * size; x < 4 * size; x++)
            {
                var m = TiledInference.MirrorByPeriods(x, size, period);
                Assert.InRange(m, 0, size - 1);
                if (x >= 0 && x < size) Assert.Equal(x, m);
                if (pattern is not null) Assert.Equal(pattern.ColorAt(1, x), pattern.ColorAt(1, m));
            }
        }
        // Near an edge it is a mirror: the first block outside repeats the block inside the edge, reflected by blocks.
        Assert.Equal(period == 1 ? 0 : period - 1, TiledInference.MirrorByPeriods(-1, 40, period));
        Assert.Equal(40 - period, TiledInference.MirrorByPeriods(40, 40, period));
    }
}
