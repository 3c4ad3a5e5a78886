using RawEngine.Engine.Imaging;
namespace RawEngine.Engine.Pipeline;

/// <summary>
/// Splits a module's output region into tiles whose memory need fits a budget. Tile corners sit
/// on a grid of the alignment (in image coordinates, so a CFA phase is the same in every tile);
/// full-width bands are preferred (long rows suit row-parallel loops), square tiles when even a
/// band of one alignment step does not fit. Each tile's input is what <c>ModifyRoiIn</c> says,
/// halo included; tiles write only their cores.
/// </summary>
public static class TilePlanner
{
    /// <summary>Bytes the module needs to produce <paramref name="roiOut"/> in one go.</summary>
    public static long NeedFor(ICommittedOperation op, Roi roiOut, BufferFormat input)
    {
        var roiIn = op.ModifyRoiIn(roiOut);
        return op.Tiling.BytesFor(roiIn.Pixels * input.BytesPerPixel, roiOut.Pixels * op.OutputFormat.BytesPerPixel);
    }

    /// <summary>The tile cores covering <paramref name="roiOut"/>; one tile when it all fits.</summary>
    public static IReadOnlyList<Roi> Plan(ICommittedOperation op, Roi roiOut, BufferFormat input, long budgetBytes, string instance)
    {
        if (NeedFor(op, roiOut, input) <= budgetBytes) return [roiOut];
        var align = Periodic.Lcm(Math.Max(1, op.Tiling.Alignment), input.CfaPeriod);

        // Bands: the tallest multiple of the alignment that fits.
        var bandRows = LargestFitting(align, RoundUp(roiOut.Height, align), align,
            rows => MaxNeed(op, Grid(roiOut, int.MaxValue, rows), input) <= budgetBytes);
        if (bandRows > 0) return Grid(roiOut, int.MaxValue, bandRows);

        var side = LargestFitting(align, RoundUp(Math.Max(roiOut.Width, roiOut.Height), align), align,
            s => MaxNeed(op, Grid(roiOut, s, s), input) <= budgetBytes);
        if (side > 0) return Grid(roiOut, side, side);

        var minimal = Grid(roiOut, align, align);
        throw new PipeException(instance,
            $"a memory budget of {Megabytes(budgetBytes)} cannot hold one {align}x{align} tile with its " +
            $"{op.Tiling.Overlap} px halo (needs {Megabytes(MaxNeed(op, minimal, input))})");
    }

    /// <summary>Tiles on a grid of <paramref name="width"/> x <paramref name="height"/> anchored at image (0, 0), clipped to the region.</summary>
    private static List<Roi> Grid(Roi roi, int width, int height)
    {
        var tiles = new List<Roi>();
        for (var y = roi.Y; y < roi.Bottom;)
        {
            var y1 = (int)Math.Min(roi.Bottom, ((long)y / height + 1) * height);
            for (var x = roi.X; x < roi.Right;)
            {
                var x1 = (int)Math.Min(roi.Right, ((long)x / width + 1) * width);
                tiles.Add(roi with { X = x, Y = y, Width = x1 - x, Height = y1 - y });
                x = x1;
            }
            y = y1;
        }
        return tiles;
    }

    private static long MaxNeed(ICommittedOperation op, List<Roi> tiles, BufferFormat input) =>
        tiles.Max(tile => NeedFor(op, tile, input));

    /// <summary>
    /// The largest multiple of <paramref name="step"/> in [low, high] that fits (fitting shrinks as
    /// size grows), or 0. Large sizes are tried first: they make few tiles and are cheap to check.
    /// </summary>
    private static int LargestFitting(int low, int high, int step, Func<int, bool> fits)
    {
        // Invariant: multiples up to lo fit (lo = low/step - 1 means none known), those above hi do not.
        int lo = low / step - 1, hi = Math.Max(low, high) / step;
        while (lo < hi)
        {
            var mid = lo + (hi - lo + 1) / 2;
            if (fits(mid * step)) lo = mid; else hi = mid - 1;
        }
        return lo < low / step ? 0 : lo * step;
    }

    private static int RoundUp(int value, int step) => (value + step - 1) / step * step;

    private static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):0.##} MB";
}
