namespace RawEngine.Engine.Masks;

/// <summary>
/// A point in normalised image coordinates: (0, 0) is the top-left and (1, 1) the bottom-right corner
/// of the raw's visible image as the pipe's first stage sees it, before any flip or crop. A caller
/// holding pixel coordinates of the oriented image converts them with <see cref="MaskCoordinates"/>.
/// </summary>
public readonly record struct MaskPoint(double X, double Y)
{
    public override string ToString() => FormattableString.Invariant($"({X:0.######}, {Y:0.######})");
}

/// <summary>Conversions between mask coordinates and pixels of the image as its EXIF orientation shows it.</summary>
public static class MaskCoordinates
{
    /// <summary>
    /// The mask point under (<paramref name="x"/>, <paramref name="y"/>) of the oriented image of
    /// <paramref name="width"/> x <paramref name="height"/> pixels (continuous: pixel i spans [i, i + 1],
    /// so a click on pixel (i, j) is (i + 0.5, j + 0.5)).
    /// </summary>
    public static MaskPoint FromOrientedPixel(double x, double y, int width, int height, int orientation)
    {
        var (storedWidth, storedHeight) = StoredSize(width, height, orientation);
        var (sx, sy) = Affine2.FromOriented(orientation, storedWidth, storedHeight).Apply(x, y);
        return new MaskPoint(sx / storedWidth, sy / storedHeight);
    }

    /// <summary>The inverse of <see cref="FromOrientedPixel"/>: where <paramref name="point"/> lies in the oriented image.</summary>
    public static (double X, double Y) ToOrientedPixel(MaskPoint point, int width, int height, int orientation)
    {
        var (storedWidth, storedHeight) = StoredSize(width, height, orientation);
        return Affine2.FromOriented(orientation, storedWidth, storedHeight).Inverse().Apply(point.X * storedWidth, point.Y * storedHeight);
    }

    private static (int Width, int Height) StoredSize(int width, int height, int orientation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        return orientation >= 5 ? (height, width) : (width, height);
    }
}
