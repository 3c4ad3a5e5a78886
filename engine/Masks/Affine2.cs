namespace RawEngine.Engine.Masks;

/// <summary>
/// A 2-D affine map <c>x' = M11 x + M12 y + OffsetX</c>, <c>y' = M21 x + M22 y + OffsetY</c>. Masks use it
/// to carry view pixels through the pipe's geometric modules (crop, flip, scale) back to the image.
/// Pixel coordinates are continuous: pixel i covers [i, i + 1] and its centre is i + 0.5.
/// </summary>
public readonly record struct Affine2(double M11, double M12, double M21, double M22, double OffsetX, double OffsetY)
{
    public static Affine2 Identity { get; } = new(1, 0, 0, 1, 0, 0);

    public static Affine2 Translation(double dx, double dy) => new(1, 0, 0, 1, dx, dy);

    public static Affine2 Scaling(double sx, double sy) => new(sx, 0, 0, sy, 0, 0);

    public static Affine2 Scaling(double s) => Scaling(s, s);

    /// <summary>
    /// The map from a point of the image as an EXIF orientation shows it to the same point in the
    /// stored image of <paramref name="inputWidth"/> x <paramref name="inputHeight"/> (orientation 1:
    /// identity; 6: turned 90 degrees clockwise for display; 5..8 swap width and height).
    /// </summary>
    public static Affine2 FromOriented(int orientation, double inputWidth, double inputHeight) => orientation switch
    {
        1 => Identity,
        2 => new(-1, 0, 0, 1, inputWidth, 0),
        3 => new(-1, 0, 0, -1, inputWidth, inputHeight),
        4 => new(1, 0, 0, -1, 0, inputHeight),
        5 => new(0, 1, 1, 0, 0, 0),
        6 => new(0, 1, -1, 0, 0, inputHeight),
        7 => new(0, -1, -1, 0, inputWidth, inputHeight),
        8 => new(0, -1, 1, 0, inputWidth, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(orientation), $"An EXIF orientation is 1..8, not {orientation}."),
    };

    public double Determinant => M11 * M22 - M12 * M21;

    public (double X, double Y) Apply(double x, double y) => (M11 * x + M12 * y + OffsetX, M21 * x + M22 * y + OffsetY);

    /// <summary>This map followed by <paramref name="next"/>.</summary>
    public Affine2 Then(Affine2 next) => new(
        next.M11 * M11 + next.M12 * M21, next.M11 * M12 + next.M12 * M22,
        next.M21 * M11 + next.M22 * M21, next.M21 * M12 + next.M22 * M22,
        next.M11 * OffsetX + next.M12 * OffsetY + next.OffsetX, next.M21 * OffsetX + next.M22 * OffsetY + next.OffsetY);

    public Affine2 Inverse()
    {
        var det = Determinant;
        if (det == 0 || !double.IsFinite(det)) throw new InvalidOperationException($"The map {this} cannot be inverted.");
        var i11 = M22 / det;
        var i12 = -M12 / det;
        var i21 = -M21 / det;
        var i22 = M11 / det;
        return new(i11, i12, i21, i22, -(i11 * OffsetX + i12 * OffsetY), -(i21 * OffsetX + i22 * OffsetY));
    }
}
