using RawEngine.AI.Kernels;
using RawEngine.Engine.Pipeline;

namespace RawEngine.AI.Tiling;

/// <summary>
/// One network tile: its core (the part it owns), the tensor window the network sees (core plus halo,
/// shifted onto the model's CFA phase; may reach past the image, where it is mirrored), and where its
/// output blends into the image.
/// </summary>
public readonly record struct Tile(int Column, int Row, Roi Core, Roi Window, TilePlacement Placement);

/// <summary>
/// The tiles a network runs on for one image, anchored at the image's origin so that any region of the
/// image is made of the same tiles as the whole (a region render is exactly the crop of the full one).
/// Every tile has one tensor size; cores are a whole number of CFA periods, so every window starts on the
/// phase the model expects. Columns and rows are balanced (equal cores) rather than filled greedily.
/// </summary>
public sealed class TileGrid
{
    private TileGrid(ImageSize image, int tensorWidth, int tensorHeight, int coreWidth, int coreHeight, int overlap, int shiftX, int shiftY, int ladderSize,
        int period, IReadOnlyList<TileTransform> transforms)
    {
        Period = period;
        Transforms = transforms;
        Image = image;
        TensorWidth = tensorWidth;
        TensorHeight = tensorHeight;
        CoreWidth = coreWidth;
        CoreHeight = coreHeight;
        Overlap = overlap;
        ShiftX = shiftX;
        ShiftY = shiftY;
        LadderSize = ladderSize;
        Columns = (image.Width + coreWidth - 1) / coreWidth;
        Rows = (image.Height + coreHeight - 1) / coreHeight;
    }

    public ImageSize Image { get; }

    /// <summary>The network's input width and height for every tile.</summary>
    public int TensorWidth { get; }
    public int TensorHeight { get; }

    public int CoreWidth { get; }
    public int CoreHeight { get; }

    /// <summary>Halo per side in pixels; neighbours blend across twice this width.</summary>
    public int Overlap { get; }

    /// <summary>
    /// How far a tile's output reaches past its core to blend with its neighbour: half the halo, so the
    /// blend runs over the halo's inner half and every pixel a tile contributes still has at least half
    /// the halo of context beyond it (a ramp over the whole halo would take in pixels a network sees
    /// next to nothing around).
    /// </summary>
    public int BlendReach => (Overlap + 1) / 2;

    /// <summary>Extra pixels left of (above) the halo that put the window's origin on the model's CFA phase.</summary>
    public int ShiftX { get; }
    public int ShiftY { get; }

    /// <summary>The ladder size (longest side the model's memory guidance allows) the grid was made for.</summary>
    public int LadderSize { get; }

    public int Columns { get; }
    public int Rows { get; }
    public int Count => Columns * Rows;

    /// <summary>CFA period the cores are multiples of (1 for RGB).</summary>
    public int Period { get; }

    /// <summary>
    /// The views every tile runs in (a self-ensemble, averaged; the identity alone by default). A view other
    /// than the identity may move its window by less than a CFA period to meet the model's phase.
    /// </summary>
    public IReadOnlyList<TileTransform> Transforms { get; }

    /// <summary>How far past its window a view may read: under one CFA period when some view is not the identity.</summary>
    public int ViewSlack => Transforms.Any(t => !t.IsIdentity) ? Period - 1 : 0;

    /// <param name="image">The whole image at scale 1.</param>
    /// <param name="ladderSize">Largest tensor side allowed.</param>
    /// <param name="overlap">Halo per side.</param>
    /// <param name="align">Tensor sides are multiples of this (the network's downsampling).</param>
    /// <param name="period">CFA period (1 for RGB): cores are multiples of it.</param>
    /// <param name="phase">Where, modulo the period, a window must start for the model's CFA pattern (0, 0 for RGB).</param>
    /// <param name="transforms">The views of a self-ensemble (<see cref="TileTransform.Ensemble"/>); null: the identity alone.</param>
    public static TileGrid Create(ImageSize image, int ladderSize, int overlap, int align, int period, (int Dy, int Dx) phase,
        IReadOnlyList<TileTransform>? transforms = null)
    {
        if (image.Width < 1 || image.Height < 1) throw new ArgumentOutOfRangeException(nameof(image), $"image {image} is empty");
        if (overlap < 0) throw new ArgumentOutOfRangeException(nameof(overlap), $"overlap {overlap} is negative");
        if (align < 1 || period < 1) throw new ArgumentOutOfRangeException(nameof(align), $"align {align} and CFA period {period} must be positive");
        transforms ??= [TileTransform.Identity];
        if (transforms.Count == 0) throw new ArgumentException("a grid needs at least one view", nameof(transforms));
        // A moved view must still hold the blend placement: the halo beyond the blend reach covers the move.
        if (transforms.Any(t => !t.IsIdentity) && overlap - (overlap + 1) / 2 < period - 1)
            throw new ArgumentException($"a {overlap} px halo leaves no room to move an ensemble's views by up to {period - 1} px onto the CFA phase", nameof(transforms));
        var shiftX = Mod(-overlap - phase.Dx, period);
        var shiftY = Mod(-overlap - phase.Dy, period);
        var (coreWidth, tensorWidth) = Axis(image.Width, ladderSize, overlap, align, period, shiftX);
        var (coreHeight, tensorHeight) = Axis(image.Height, ladderSize, overlap, align, period, shiftY);
        return new TileGrid(image, tensorWidth, tensorHeight, coreWidth, coreHeight, overlap, shiftX, shiftY, ladderSize, period, transforms);
    }

    /// <summary>Balanced core and the tensor side that holds it: as few tiles as the ladder size allows, all equal.</summary>
    private static (int Core, int Tensor) Axis(int length, int ladderSize, int overlap, int align, int period, int shift)
    {
        var maxCore = (ladderSize - 2 * overlap - shift) / period * period;
        while (maxCore > 0 && RoundUp(maxCore + 2 * overlap + shift, align) > ladderSize) maxCore -= period;
        if (maxCore <= 0)
            throw new ArgumentException($"a {ladderSize} px tile cannot hold a {overlap} px halo on each side (align {align}, CFA period {period})");
        var tiles = (length + maxCore - 1) / maxCore;
        var core = RoundUp((length + tiles - 1) / tiles, period);
        return (core, RoundUp(core + 2 * overlap + shift, align));
    }

    /// <summary>The tiles whose output reaches <paramref name="region"/> (scale-1 image coordinates), row by row.</summary>
    public IReadOnlyList<Tile> TilesFor(Roi region)
    {
        var tiles = new List<Tile>();
        if (region.IsEmpty) return tiles;
        // A tile's placement reaches BlendReach past its core.
        int c0 = Math.Max(0, (region.X - BlendReach) / CoreWidth - 1), c1 = Math.Min(Columns - 1, (region.Right - 1 + BlendReach) / CoreWidth);
        int r0 = Math.Max(0, (region.Y - BlendReach) / CoreHeight - 1), r1 = Math.Min(Rows - 1, (region.Bottom - 1 + BlendReach) / CoreHeight);
        for (var row = r0; row <= r1; row++)
            for (var column = c0; column <= c1; column++)
            {
                var tile = TileAt(column, row);
                var p = tile.Placement;
                if (p.X < region.Right && p.X + p.Width > region.X && p.Y < region.Bottom && p.Y + p.Height > region.Y) tiles.Add(tile);
            }
        return tiles;
    }

    public Tile TileAt(int column, int row)
    {
        var core = new Roi(column * CoreWidth, row * CoreHeight,
            Math.Min(CoreWidth, Image.Width - column * CoreWidth), Math.Min(CoreHeight, Image.Height - row * CoreHeight));
        var window = new Roi(core.X - Overlap - ShiftX, core.Y - Overlap - ShiftY, TensorWidth, TensorHeight);
        bool left = column > 0, top = row > 0, right = column < Columns - 1, bottom = row < Rows - 1;
        var blend = BlendReach;
        int x0 = left ? core.X - blend : core.X, y0 = top ? core.Y - blend : core.Y;
        int x1 = right ? Math.Min(Image.Width, core.Right + blend) : core.Right, y1 = bottom ? Math.Min(Image.Height, core.Bottom + blend) : core.Bottom;
        var edges = (left ? TileEdges.Left : 0) | (top ? TileEdges.Top : 0) | (right ? TileEdges.Right : 0) | (bottom ? TileEdges.Bottom : 0);
        return new Tile(column, row, core, window, new TilePlacement(x0, y0, x1 - x0, y1 - y0, blend, edges));
    }

    /// <summary>The input a region needs: the union of its tiles' windows (widened by <see cref="ViewSlack"/>),
    /// clamped to the image (past the edge, windows are mirrored from inside).</summary>
    public Roi InputFor(Roi region)
    {
        var tiles = TilesFor(region);
        if (tiles.Count == 0) return region;
        var slack = ViewSlack;
        int x0 = tiles.Min(t => t.Window.X) - slack, y0 = tiles.Min(t => t.Window.Y) - slack;
        int x1 = tiles.Max(t => t.Window.Right) + slack, y1 = tiles.Max(t => t.Window.Bottom) + slack;
        return new Roi(x0, y0, x1 - x0, y1 - y0).ClampTo(Image);
    }

    public override string ToString() =>
        $"{Columns}x{Rows} tiles of {TensorWidth}x{TensorHeight} (cores {CoreWidth}x{CoreHeight}, halo {Overlap}, ladder {LadderSize}" +
        (Transforms.Count > 1 ? $", {Transforms.Count} views)" : ")");

    private static int RoundUp(int value, int step) => (value + step - 1) / step * step;

    private static int Mod(int value, int m) => ((value % m) + m) % m;
}
