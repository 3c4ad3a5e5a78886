namespace RawEngine.Engine.Pipeline;

/// <summary>A width and height in pixels.</summary>
public readonly record struct ImageSize(int Width, int Height)
{
    public long Pixels => (long)Width * Height;

    /// <summary>The size of this image seen at <paramref name="scale"/> (at least 1x1).</summary>
    public ImageSize Scaled(double scale) =>
        new(Math.Max(1, (int)Math.Floor(Width * scale + 1e-9)), Math.Max(1, (int)Math.Floor(Height * scale + 1e-9)));

    public override string ToString() => $"{Width}x{Height}";
}

/// <summary>
/// A region of interest: a rectangle in the coordinates of the whole image as seen at
/// <see cref="Scale"/> (1 = full resolution), like darktable's <c>dt_iop_roi_t</c>.
/// </summary>
public readonly record struct Roi(int X, int Y, int Width, int Height, double Scale = 1.0)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;
    public long Pixels => (long)Width * Height;
    public ImageSize Size => new(Width, Height);
    public bool IsEmpty => Width <= 0 || Height <= 0;

    /// <summary>The whole of an image of <paramref name="fullSize"/> (at scale 1) seen at <paramref name="scale"/>.</summary>
    public static Roi Full(ImageSize fullSize, double scale = 1.0)
    {
        var size = fullSize.Scaled(scale);
        return new Roi(0, 0, size.Width, size.Height, scale);
    }

    /// <summary>This region grown by <paramref name="pixels"/> on every side.</summary>
    public Roi Expand(int pixels) => this with { X = X - pixels, Y = Y - pixels, Width = Width + 2 * pixels, Height = Height + 2 * pixels };

    /// <summary>The part of this region inside an image of <paramref name="fullSize"/> (scale 1) at this scale.</summary>
    public Roi ClampTo(ImageSize fullSize)
    {
        var size = fullSize.Scaled(Scale);
        var x0 = Math.Clamp(X, 0, size.Width);
        var y0 = Math.Clamp(Y, 0, size.Height);
        var x1 = Math.Clamp(Right, 0, size.Width);
        var y1 = Math.Clamp(Bottom, 0, size.Height);
        return this with { X = x0, Y = y0, Width = x1 - x0, Height = y1 - y0 };
    }

    public bool Contains(Roi other) =>
        other.X >= X && other.Y >= Y && other.Right <= Right && other.Bottom <= Bottom;

    public override string ToString() => $"({X}, {Y}, {Width}x{Height} @ {Scale:0.####})";
}
