using RawEngine.Engine.Imaging;
using RawEngine.Engine.Synthetic;

namespace RawEngine.Tests.Synthetic;

public class SegmentationSceneTests
{
    [Fact]
    public void ASeedGivesTheSameSceneWithTargetsOfAtLeastOnePointFivePercent()
    {
        var a = SegmentationScenes.Generate(seed: 42);
        var b = SegmentationScenes.Generate(seed: 42);
        Assert.Equal(a.Rgba, b.Rgba);
        Assert.NotEqual(a.Rgba, SegmentationScenes.Generate(seed: 43).Rgba);
        Assert.InRange(a.Objects.Count, 2, 5);
        foreach (var index in a.Targets)
            Assert.True(a.Objects[index].VisibleArea >= 0.015 * 256 * 256);
        Assert.All(a.Rgba, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void VisibleMasksOverlapOnlyAtHalfCoveredEdgesAndEveryShapeTurnsUp()
    {
        var kinds = new HashSet<SceneShape>();
        for (var seed = 0; seed < 30; seed++)
        {
            var scene = SegmentationScenes.Generate(seed);
            var owners = new int[256 * 256];
            foreach (var o in scene.Objects)
            {
                kinds.Add(o.Shape);
                for (var p = 0; p < owners.Length; p++) owners[p] += o.Visible[p];
                Assert.Equal(o.VisibleArea, o.Visible.Count(v => v != 0));
            }
            // A pixel half one object, half another belongs to both (coverage >= 0.5 each): only ever at edges, so rarely.
            Assert.All(owners, n => Assert.InRange(n, 0, 2));
            Assert.True(owners.Count(n => n == 2) < 0.005 * owners.Length);
        }
        Assert.Equal(4, kinds.Count); // every shape kind turns up
    }

    [Fact]
    public void FirstClicksLieDeepInsideAndRefinementClicksFixTheLargestError()
    {
        var scene = SegmentationScenes.Generate(seed: 7);
        var truth = scene.Objects[scene.Targets[0]].Visible;
        var depth = new float[truth.Length];
        BinaryRegions.DistanceToOutside(truth, 256, 256, depth);
        for (var i = 0; i < 20; i++)
        {
            var click = SegmentationScenes.FirstClick(truth, 256, new Random(i));
            Assert.True(click.Positive);
            Assert.True(depth[click.Y * 256 + click.X] >= 3f);
        }

        // A prediction that misses a 20x20 block deep in the target: the fix is a positive click in that block.
        var predicted = (byte[])truth.Clone();
        var (cx, cy, _) = BinaryRegions.Deepest(truth, 256, 256);
        for (var y = cy - 10; y < cy + 10; y++)
            for (var x = cx - 10; x < cx + 10; x++) predicted[y * 256 + x] = 0;
        Assert.Null(SegmentationScenes.RefinementClick(truth, truth, 256));
        var fix = SegmentationScenes.RefinementClick(truth, predicted, 256)!.Value;
        Assert.True(fix.Positive);
        Assert.InRange(fix.X, cx - 10, cx + 9);
        Assert.InRange(fix.Y, cy - 10, cy + 9);
        Assert.True(ImageQuality.IoU(truth, predicted) < 1);

        // A prediction of the whole canvas: the largest error is outside the target, so the click is negative.
        var everything = Enumerable.Repeat((byte)1, truth.Length).ToArray();
        var back = SegmentationScenes.RefinementClick(truth, everything, 256)!.Value;
        Assert.False(back.Positive);
        Assert.Equal(0, truth[back.Y * 256 + back.X]);
    }

    [Fact]
    public void DistanceToOutsideIsTheExactEuclideanDistanceWithTheBorderOutside()
    {
        var random = new Random(3);
        const int w = 23, h = 17;
        var mask = new byte[w * h];
        for (var i = 0; i < mask.Length; i++) mask[i] = random.NextDouble() < 0.85 ? (byte)1 : (byte)0;
        var distance = new float[w * h];
        BinaryRegions.DistanceToOutside(mask, w, h, distance);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                // Brute force over every outside pixel, the one-pixel frame beyond the border included.
                var best = double.MaxValue;
                for (var v = -1; v <= h; v++)
                    for (var u = -1; u <= w; u++)
                        if (u < 0 || v < 0 || u >= w || v >= h || mask[v * w + u] == 0)
                            best = Math.Min(best, Math.Sqrt((u - x) * (u - x) + (v - y) * (v - y)));
                Assert.Equal(mask[y * w + x] == 0 ? 0 : best, distance[y * w + x], 4);
            }
    }

    [Fact]
    public void ComponentsAreFourConnected()
    {
        // Two squares touching only at a corner are two components.
        var mask = new byte[8 * 8];
        for (var y = 0; y < 3; y++)
            for (var x = 0; x < 3; x++) { mask[y * 8 + x] = 1; mask[(y + 3) * 8 + x + 3] = 1; }
        var labels = new int[64];
        Assert.Equal([0, 9, 9], BinaryRegions.Label(mask, 8, 8, labels));
        var component = new byte[64];
        Assert.Equal(9, BinaryRegions.ComponentAt(mask, 8, 8, 4, 4, component));
        Assert.Equal(0, component[0]);
        Assert.Equal(0, BinaryRegions.ComponentAt(mask, 8, 8, 7, 0, component));
    }
}
