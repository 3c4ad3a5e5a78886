namespace RawEngine.Engine.Masks;

/// <summary>
/// A map between continuous pixel coordinates of two grids (pixel i spans [i, i + 1]): affine (crop, flip, scale,
/// which masks follow by mapping their shapes), or one that bends (lens distortion), given point by point, which
/// masks follow by resampling (see <see cref="MaskView.Bend"/>). An <see cref="Affine2"/> converts to one.
/// </summary>
public sealed class PointMap
{
    private readonly Affine2 _affine;
    private readonly Func<double, double, (double X, double Y)>? _bend;

    private PointMap(Affine2 affine, Func<double, double, (double X, double Y)>? bend) => (_affine, _bend) = (affine, bend);

    public static implicit operator PointMap(Affine2 affine) => new(affine, null);

    /// <summary>A map that is not affine, as a function of a point; it must be pure (called from many threads).</summary>
    public static PointMap Bending(Func<double, double, (double X, double Y)> map) => new(Affine2.Identity, map ?? throw new ArgumentNullException(nameof(map)));

    public bool IsAffine => _bend is null;

    /// <summary>The map as an affine; only for one that <see cref="IsAffine"/>.</summary>
    public Affine2 Affine => _bend is null ? _affine : throw new InvalidOperationException("This map bends: it has no affine form.");

    public (double X, double Y) Apply(double x, double y) => _bend is null ? _affine.Apply(x, y) : _bend(x, y);

    /// <summary>This map followed by <paramref name="next"/>; affine when both are.</summary>
    public PointMap Then(PointMap next) => IsAffine && next.IsAffine
        ? _affine.Then(next._affine)
        : Bending((x, y) =>
        {
            var (u, v) = Apply(x, y);
            return next.Apply(u, v);
        });
}
