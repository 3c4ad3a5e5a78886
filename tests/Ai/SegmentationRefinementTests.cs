using RawEngine.AI.Segmentation;
using RawEngine.Engine.Imaging;

namespace RawEngine.Tests.Ai;

/// <summary>
/// <see cref="MaskRefiner"/> on hand-made logits over a drawn picture: a red disc on grainy grey with a green
/// square touching it. The logits stand for a network that leaked, or that missed the object, at the
/// logit grid's resolution; the refined mask must follow the picture and the clicks.
/// </summary>
public class SegmentationRefinementTests
{
    private const int Side = 1024;
    private const double DiscX = 400, DiscY = 500, DiscRadius = 150;
    private static readonly (int X0, int Y0, int X1, int Y1) Square = (550, 380, 800, 620);

    [Fact]
    public void ALeakIntoTheBackgroundIsCutAway()
    {
        var (frame, guide, truth) = Picture();
        // The network's mask: the disc and a wide lobe of the grey background below it, at the grid's resolution.
        var logits = Logits((x, y) => InDisc(x, y) || (x > 250 && x < 550 && y > DiscY && y < 850) ? 4f : -4f);
        var click = new PromptPoint(DiscX, DiscY);
        using var network = SegmentationMask.FromLogits(logits, frame, click, 0.9f, 1);
        using var refined = SegmentationMask.FromLogits(logits, frame, click, 0.9f, 1, new MaskRefiner(guide, [click]));
        var (before, after) = (IoU(network, truth), IoU(refined, truth));
        Assert.True(before < 0.75, $"the leaky logits already fit the disc (IoU {before:0.000})");
        Assert.True(after > 0.97, $"refined IoU {after:0.000} (network {before:0.000})");
    }

    [Fact]
    public void EdgesFollowThePictureAtFrameResolution()
    {
        var (frame, guide, truth) = Picture();
        // The disc, right, but only as sharp as a grid cell (4 frame pixels) at its edge.
        var logits = Logits((x, y) => (float)(DiscRadius - Math.Sqrt((x - DiscX) * (x - DiscX) + (y - DiscY) * (y - DiscY))) / 4f);
        var click = new PromptPoint(DiscX, DiscY);
        using var network = SegmentationMask.FromLogits(logits, frame, click, 0.9f, 1);
        using var refined = SegmentationMask.FromLogits(logits, frame, click, 0.9f, 1, new MaskRefiner(guide, [click]));
        var (before, after) = (Errors(network, truth), Errors(refined, truth));
        Assert.True(after < before, $"refined: {after} pixels wrong, the network's alone {before}");
        Assert.True(IoU(refined, truth) > 0.99, $"refined IoU {IoU(refined, truth):0.0000}");
    }

    [Fact]
    public void AMaskThatMissesTheClickIsRebuiltFromTheClickedColour()
    {
        var (frame, guide, truth) = Picture();
        // The network found the square, not the clicked disc.
        var logits = Logits((x, y) => InSquare(x, y) ? 6f : -6f);
        var click = new PromptPoint(DiscX - 40, DiscY + 30);
        using var refined = SegmentationMask.FromLogits(logits, frame, click, 0.9f, 1, new MaskRefiner(guide, [click]));
        Assert.True(IoU(refined, truth) > 0.95, $"refined IoU {IoU(refined, truth):0.000}");
    }

    [Fact]
    public void ABackgroundClickHoldsItsNeighbourhoodOutside()
    {
        var (frame, guide, _) = Picture();
        // The network took the green square with the disc; the colour model alone keeps it (the surroundings lack its
        // colour), a background click on it holds at least the cells around the click out.
        var logits = Logits((x, y) => InDisc(x, y) || InSquare(x, y) ? 4f : -4f);
        PromptPoint inside = new(DiscX, DiscY), outside = new(700, 450, Positive: false);
        using var refined = SegmentationMask.FromLogits(logits, frame, inside, 0.9f, 1, new MaskRefiner(guide, [inside, outside]));
        Assert.True(refined.Coverage[450 * Side + 700] < 0.5f, $"coverage {refined.Coverage[450 * Side + 700]} at the background click");
        Assert.True(refined.Coverage[(int)DiscY * Side + (int)DiscX] > 0.5f, $"coverage {refined.Coverage[(int)DiscY * Side + (int)DiscX]} at the click");
    }

    private static bool InDisc(double x, double y) => (x - DiscX) * (x - DiscX) + (y - DiscY) * (y - DiscY) <= DiscRadius * DiscRadius;

    private static bool InSquare(double x, double y) => x >= Square.X0 && x < Square.X1 && y >= Square.Y0 && y < Square.Y1;

    /// <summary>The picture as the encoder's frame sees it (1024x1024, 0..255), its guide, and the disc's pixels (the disc is painted over the square).</summary>
    private static (SamFrame Frame, FrameGuide Guide, byte[] Truth) Picture()
    {
        var random = new Random(5);
        var rgba = new float[4 * Side * Side];
        var truth = new byte[Side * Side];
        for (var y = 0; y < Side; y++)
            for (var x = 0; x < Side; x++)
            {
                var p = y * Side + x;
                var disc = InDisc(x + 0.5, y + 0.5);
                (float r, float g, float b) = disc ? (200f, 40f, 40f) : InSquare(x + 0.5, y + 0.5) ? (40f, 170f, 60f) : (120f, 120f, 120f);
                var grain = (float)(random.NextDouble() - 0.5) * 30;
                (rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2], rgba[4 * p + 3]) = (r + grain, g + grain, b + grain, 255f);
                truth[p] = disc ? (byte)1 : (byte)0;
            }
        return (new SamFrame(Side, Side), new FrameGuide(rgba, Side, Side), truth);
    }

    /// <summary>256x256 logits sampled at each cell's centre in frame pixels.</summary>
    private static float[] Logits(Func<double, double, float> at)
    {
        const int cells = SamFrame.LowResSide, per = Side / cells;
        var logits = new float[cells * cells];
        for (var j = 0; j < cells; j++)
            for (var i = 0; i < cells; i++)
                logits[j * cells + i] = at((i + 0.5) * per, (j + 0.5) * per);
        return logits;
    }

    private static double IoU(SegmentationMask mask, byte[] truth)
    {
        var binary = new byte[truth.Length];
        mask.CopyBinary(binary);
        return ImageQuality.IoU(binary, truth);
    }

    private static int Errors(SegmentationMask mask, byte[] truth)
    {
        var binary = new byte[truth.Length];
        mask.CopyBinary(binary);
        return binary.Where((v, i) => v != truth[i]).Count();
    }
}
