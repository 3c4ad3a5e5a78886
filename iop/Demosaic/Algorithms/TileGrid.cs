namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>Runs a body over a grid of tiles in parallel, stopping between tiles when cancelled.</summary>
internal static class TileGrid
{
    /// <summary>The body gets each tile's left, top, width and height; tiles start at multiples of the tile size.</summary>
    public static void ForEach(int width, int height, int tileWidth, int tileHeight, CancellationToken ct, Action<int, int, int, int> body)
    {
        var columns = (width + tileWidth - 1) / tileWidth;
        var rows = (height + tileHeight - 1) / tileHeight;
        Parallel.For(0, columns * rows, (index, state) =>
        {
            if (ct.IsCancellationRequested)
            {
                state.Stop();
                return;
            }
            var left = index % columns * tileWidth;
            var top = index / columns * tileHeight;
            body(left, top, Math.Min(tileWidth, width - left), Math.Min(tileHeight, height - top));
        });
        ct.ThrowIfCancellationRequested();
    }
}
