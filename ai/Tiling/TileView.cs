using RawEngine.AI.Kernels;

namespace RawEngine.AI.Tiling;

/// <summary>
/// A tile as one view of an ensemble sees it: tensor pixel (i, j) is the image pixel at row
/// <c>Y0 ± (Transpose ? j : i)</c>, column <c>X0 ± (Transpose ? i : j)</c> (see <see cref="TileTransform"/>).
/// The origin is the window's near corner, or its far one along a flipped axis, moved by less than a CFA
/// period where the transformed mosaic needs it to land on the model's phase.
/// </summary>
internal readonly record struct TileView(TileTransform Transform, int Y0, int X0)
{
    /// <param name="phase">The transform's signed phase for the image and model patterns (<see cref="TileTransform.PhaseOf"/>).</param>
    /// <param name="width">The window's width in the image (tensor width of the upright view).</param>
    /// <param name="height">The window's height in the image.</param>
    public static TileView For(TileTransform transform, (int Y, int X) phase, Tile tile, int width, int height, int period)
    {
        var place = tile.Placement;
        var y0 = Origin(tile.Window.Y, height, transform.FlipRows, phase.Y, period, place.Y, place.Y + place.Height);
        var x0 = Origin(tile.Window.X, width, transform.FlipColumns, phase.X, period, place.X, place.X + place.Width);
        return new TileView(transform, y0, x0);
    }

    /// <summary>
    /// The image coordinate of the tensor's first row (or column) along one image axis: on the phase
    /// (<c>±origin ≡ phase</c>), within a period of the window's edge, on the side that leaves the placement
    /// the widest margin inside the view.
    /// </summary>
    private static int Origin(int windowStart, int extent, bool flip, int phase, int period, int placeStart, int placeEnd)
    {
        var nominal = flip ? windowStart + extent - 1 : windowStart;
        var move = Mod((flip ? -phase : phase) - nominal, period);
        int best = nominal + move, bestMargin = Margin(best);
        if (move != 0 && Margin(nominal + move - period) > bestMargin) (best, bestMargin) = (nominal + move - period, Margin(nominal + move - period));
        if (bestMargin < 0)
            throw new InvalidOperationException($"a view {extent} px long cannot hold the placement {placeStart}..{placeEnd} on the CFA phase");
        return best;

        int Margin(int origin)
        {
            var low = flip ? origin - extent + 1 : origin;
            return Math.Min(placeStart - low, low + extent - placeEnd);
        }
    }

    /// <summary>
    /// Writes the network's planar output for this view (<paramref name="tensorWidth"/> x <paramref name="tensorHeight"/>)
    /// back upright over <paramref name="place"/>: planar RGB of the placement's size in <paramref name="upright"/>.
    /// </summary>
    public void MapBack(ReadOnlyMemory<float> output, int tensorWidth, int tensorHeight, TilePlacement place, float[] upright)
    {
        var view = this;
        var t = Transform;
        int tensorPlane = tensorWidth * tensorHeight, placePlane = place.Width * place.Height;
        Parallel.For(0, place.Height, py =>
        {
            var source = output.Span;
            var dy = place.Y + py - view.Y0;
            if (t.FlipRows) dy = -dy;
            for (var px = 0; px < place.Width; px++)
            {
                var dx = place.X + px - view.X0;
                if (t.FlipColumns) dx = -dx;
                var at = t.Transpose ? dx * tensorWidth + dy : dy * tensorWidth + dx;
                var to = py * place.Width + px;
                upright[to] = source[at];
                upright[placePlane + to] = source[tensorPlane + at];
                upright[2 * placePlane + to] = source[2 * tensorPlane + at];
            }
        });
    }

    private static int Mod(int value, int m) => ((value % m) + m) % m;
}
