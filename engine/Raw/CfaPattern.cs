using RawEngine.Engine.Imaging;
namespace RawEngine.Engine.Raw;

public enum CfaKind { None, Bayer, XTrans }

/// <summary>
/// A colour filter array layout as a small repeating tile of colour indices (0 = R, 1 = G, 2 = B),
/// stated at a given origin (the visible area's top-left for a <see cref="RawImage"/>).
/// Bayer is 2x2, X-Trans 6x6; rows are written as strings like "GR", "BG".
/// </summary>
public sealed class CfaPattern : IEquatable<CfaPattern>
{
    private const string ColorLetters = "RGB";
    private readonly byte[] _colors;

    public int Width { get; }
    public int Height { get; }
    public CfaKind Kind => Width == 2 && Height == 2 ? CfaKind.Bayer : CfaKind.XTrans;

    public CfaPattern(int width, int height, ReadOnlySpan<byte> colors)
    {
        if (!((width == 2 && height == 2) || (width == 6 && height == 6)))
            throw new ArgumentException($"A CFA pattern is 2x2 (Bayer) or 6x6 (X-Trans), not {width}x{height}.");
        if (colors.Length != width * height)
            throw new ArgumentException($"A {width}x{height} CFA pattern needs {width * height} colours, got {colors.Length}.");
        foreach (var c in colors)
            if (c > 2) throw new ArgumentException($"CFA colour index {c} is not 0 (R), 1 (G) or 2 (B).");
        Width = width;
        Height = height;
        _colors = colors.ToArray();
    }

    /// <summary>Parses rows such as <c>["GR", "BG"]</c> or six rows of six letters.</summary>
    public static CfaPattern FromRows(IReadOnlyList<string> rows)
    {
        var height = rows.Count;
        var width = height == 0 ? 0 : rows[0].Length;
        var colors = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            if (rows[y].Length != width)
                throw new ArgumentException($"CFA row {y} \"{rows[y]}\" is not {width} letters long.");
            for (var x = 0; x < width; x++)
            {
                var index = ColorLetters.IndexOf(char.ToUpperInvariant(rows[y][x]));
                if (index < 0) throw new ArgumentException($"CFA row {y} \"{rows[y]}\" has '{rows[y][x]}', not R, G or B.");
                colors[y * width + x] = (byte)index;
            }
        }
        return new CfaPattern(width, height, colors);
    }

    /// <summary>A Bayer pattern from its four letters read row by row, e.g. "RGGB".</summary>
    public static CfaPattern Bayer(string letters) =>
        letters.Length == 4 ? FromRows([letters[..2], letters[2..]]) : throw new ArgumentException($"A Bayer pattern has four letters, not \"{letters}\".");

    public static CfaPattern Rggb { get; } = Bayer("RGGB");
    public static CfaPattern Grbg { get; } = Bayer("GRBG");
    public static CfaPattern Gbrg { get; } = Bayer("GBRG");
    public static CfaPattern Bggr { get; } = Bayer("BGGR");

    /// <summary>The X-Trans layout as Fujifilm sensors (and the demosaicnet X-Trans model) use it.</summary>
    public static CfaPattern XTrans { get; } = FromRows(["GBGGRG", "RGRBGB", "GBGGRG", "GRGGBG", "BGBRGR", "GRGGBG"]);

    public ReadOnlySpan<byte> Colors => _colors;

    /// <summary>Colour index at (row, col) relative to the pattern's origin; negative coordinates wrap.</summary>
    public int ColorAt(int row, int col) => _colors[Periodic.Wrap(row, Height) * Width + Periodic.Wrap(col, Width)];

    /// <summary>The same mosaic seen from an origin moved by (dy, dx).</summary>
    public CfaPattern Shifted(int dy, int dx)
    {
        var colors = new byte[_colors.Length];
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
                colors[y * Width + x] = (byte)ColorAt(y + dy, x + dx);
        return new CfaPattern(Width, Height, colors);
    }

    /// <summary>
    /// The mosaic as seen through a transpose and flips (an element of the square's symmetry group): colour
    /// (i, j) of the result is this pattern's at row <c>±(transpose ? j : i)</c>, column <c>±(transpose ? i : j)</c>,
    /// negated where <paramref name="flipRows"/> (rows) or <paramref name="flipColumns"/> (columns) is set.
    /// Any Bayer pattern stays a Bayer pattern at some phase, and Fujifilm's X-Trans an X-Trans one; other layouts may not.
    /// </summary>
    public CfaPattern Transformed(bool transpose, bool flipRows, bool flipColumns)
    {
        var colors = new byte[_colors.Length];
        for (var i = 0; i < Height; i++)
            for (var j = 0; j < Width; j++)
            {
                int row = transpose ? j : i, column = transpose ? i : j;
                colors[i * Width + j] = (byte)ColorAt(flipRows ? -row : row, flipColumns ? -column : column);
            }
        return new CfaPattern(Width, Height, colors);
    }

    /// <summary>The (dy, dx) within one period that maps this pattern onto <paramref name="target"/>, or null.</summary>
    public (int Dy, int Dx)? OffsetTo(CfaPattern target)
    {
        if (target.Width != Width || target.Height != Height) return null;
        for (var dy = 0; dy < Height; dy++)
            for (var dx = 0; dx < Width; dx++)
                if (Shifted(dy, dx).Equals(target)) return (dy, dx);
        return null;
    }

    public string[] Rows
    {
        get
        {
            var rows = new string[Height];
            for (var y = 0; y < Height; y++)
            {
                var chars = new char[Width];
                for (var x = 0; x < Width; x++) chars[x] = ColorLetters[_colors[y * Width + x]];
                rows[y] = new string(chars);
            }
            return rows;
        }
    }

    public bool Equals(CfaPattern? other) =>
        other is not null && other.Width == Width && other.Height == Height && other._colors.AsSpan().SequenceEqual(_colors);

    public override bool Equals(object? obj) => Equals(obj as CfaPattern);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Width);
        hash.AddBytes(_colors);
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join('/', Rows);

}
