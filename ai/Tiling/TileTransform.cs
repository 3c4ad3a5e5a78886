using RawEngine.Engine.Raw;

namespace RawEngine.AI.Tiling;

/// <summary>
/// One view of a tile for a self-ensemble: the network sees the window transposed and/or flipped (an
/// element of the square's symmetry group), and its output is mapped back before blending. Tensor pixel
/// (i, j) shows the image pixel at row <c>Y0 ± (Transpose ? j : i)</c>, column <c>X0 ± (Transpose ? i : j)</c>,
/// minus where <see cref="FlipRows"/> (rows) or <see cref="FlipColumns"/> (columns) is set.
/// </summary>
public readonly record struct TileTransform(bool Transpose, bool FlipRows, bool FlipColumns)
{
    public static TileTransform Identity => default;

    public bool IsIdentity => !Transpose && !FlipRows && !FlipColumns;

    /// <summary>
    /// The group's eight elements in an order whose first 1, 2 and 4 are subgroups: identity, transpose
    /// (horizontal and vertical trade places, the choice a demosaic most often gets wrong), the half turn,
    /// the anti-transpose, then the mirrors and quarter turns.
    /// </summary>
    public static IReadOnlyList<TileTransform> All { get; } =
    [
        Identity,
        new(true, false, false),
        new(false, true, true),
        new(true, true, true),
        new(false, false, true),
        new(false, true, false),
        new(true, true, false),
        new(true, false, true),
    ];

    public override string ToString() =>
        IsIdentity ? "identity" : string.Join("+", new[] { Transpose ? "transpose" : null, FlipRows ? "flip-rows" : null, FlipColumns ? "flip-columns" : null }.OfType<string>());

    /// <summary>Ensemble sizes a run may ask for.</summary>
    public static IReadOnlyList<int> Sizes { get; } = [1, 2, 4, 8];

    /// <summary>
    /// The first <paramref name="count"/> views of <see cref="All"/> that a model taking <paramref name="modelCfa"/>
    /// can run on an image whose CFA is <paramref name="imageCfa"/> (null: RGB, where every view fits): a view fits when
    /// the transformed mosaic is the model's pattern at some phase. Every view fits Bayer and Fujifilm's X-Trans
    /// layout (symmetric under the whole group up to a shift); a pattern that allows fewer gets fewer.
    /// </summary>
    public static IReadOnlyList<TileTransform> Ensemble(int count, CfaPattern? imageCfa, CfaPattern? modelCfa)
    {
        if (!Sizes.Contains(count))
            throw new ArgumentOutOfRangeException(nameof(count), count, $"an ensemble has {string.Join(", ", Sizes)} views, not {count}");
        return [.. All.Where(t => imageCfa is null || modelCfa is null || t.PhaseOf(imageCfa, modelCfa) is not null).Take(count)];
    }

    /// <summary>
    /// The (row, column) phase, modulo the period, that the tensor's first row and column must sit on for the
    /// transformed <paramref name="imageCfa"/> to be <paramref name="modelCfa"/>, as signed image coordinates
    /// <c>(±Y0, ±X0)</c>; null when no phase makes it so.
    /// </summary>
    internal (int Y, int X)? PhaseOf(CfaPattern imageCfa, CfaPattern modelCfa)
    {
        if (imageCfa.Transformed(Transpose, FlipRows, FlipColumns).OffsetTo(modelCfa) is not { } offset) return null;
        // The transformed pattern shifted by (a, b) is the model's: tensor rows walk the image's columns when transposed.
        return Transpose ? (offset.Dx, offset.Dy) : (offset.Dy, offset.Dx);
    }
}
