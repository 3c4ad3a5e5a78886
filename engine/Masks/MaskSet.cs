using System.Collections.Immutable;

namespace RawEngine.Engine.Masks;

/// <summary>
/// An edit's masks: named groups that blend params refer to by <see cref="MaskGroup.Id"/>. Immutable;
/// compares by content (its canonical JSON), so edits with equal masks are equal.
/// </summary>
public sealed record MaskSet
{
    public MaskSet(IEnumerable<MaskGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Groups = [.. groups];
        for (var i = 0; i < Groups.Length; i++)
        {
            if (string.IsNullOrEmpty(Groups[i].Id)) throw new ArgumentException($"Mask group {i} has no id.", nameof(groups));
            for (var j = 0; j < i; j++)
                if (Groups[j].Id == Groups[i].Id) throw new ArgumentException($"Mask group id '{Groups[i].Id}' appears twice.", nameof(groups));
        }
    }

    public static MaskSet Empty { get; } = new([]);

    public ImmutableArray<MaskGroup> Groups { get; }

    public bool IsEmpty => Groups.IsEmpty;

    /// <summary>The group named <paramref name="id"/>, or null.</summary>
    public MaskGroup? Find(string id)
    {
        foreach (var group in Groups)
            if (group.Id == id) return group;
        return null;
    }

    /// <summary>These masks with <paramref name="group"/> added, or replacing the group of the same id in place.</summary>
    public MaskSet With(MaskGroup group)
    {
        for (var i = 0; i < Groups.Length; i++)
            if (Groups[i].Id == group.Id) return new MaskSet(Groups.SetItem(i, group));
        return new MaskSet(Groups.Add(group));
    }

    /// <summary>These masks without the group named <paramref name="id"/> (unchanged when there is none).</summary>
    public MaskSet Without(string id) => new(Groups.Where(g => g.Id != id));

    private string? _json;

    /// <summary>Compact canonical JSON (see <see cref="MaskJson"/>), made once: the set is immutable.</summary>
    public string ToJson() => _json ??= MaskJson.Write(this).ToJsonString();

    public bool Equals(MaskSet? other) => other is not null && (ReferenceEquals(this, other) || ToJson() == other.ToJson());

    public override int GetHashCode() => ToJson().GetHashCode();
}

/// <summary>What a mask is rendered into: a grid of pixels and how pixel coordinates map to the image.</summary>
/// <param name="Width">Pixels per row of the coverage.</param>
/// <param name="Height">Rows of the coverage.</param>
/// <param name="PixelToImage">
/// From continuous pixel coordinates of the grid (pixel i spans [i, i + 1], centre i + 0.5) to
/// normalised image coordinates (<see cref="MaskPoint"/>). An affine covers crop, flip, 90-degree
/// turns and scale.
/// </param>
public readonly record struct MaskView(int Width, int Height, Affine2 PixelToImage)
{
    /// <summary>
    /// The image's width over its height in pixels. Lengths and angles are measured in the image's
    /// pixel proportions (see <see cref="MaskNode"/>), so a view must know them; <see cref="Image"/> sets it.
    /// </summary>
    public double ImageAspect { get; init; } = 1.0;

    /// <summary>
    /// The grid column and row of the view's first pixel: a view can be a window onto a larger grid
    /// whose origin <see cref="PixelToImage"/> describes, and renders exactly the window's part of it.
    /// </summary>
    public int Left { get; init; }

    public int Top { get; init; }

    /// <summary>
    /// Null when <see cref="PixelToImage"/> carries the view's pixels to the image. Otherwise the map (lens distortion)
    /// from the view's grid to a drawing grid, which <see cref="PixelToImage"/> carries to the image: the mask is drawn
    /// there and resampled at each view pixel's point on it (exact through maps no affine can follow).
    /// </summary>
    public PointMap? Bend { get; init; }

    /// <summary>The whole image at <paramref name="width"/> x <paramref name="height"/> pixels.</summary>
    public static MaskView Image(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        return new MaskView(width, height, Affine2.Scaling(1.0 / width, 1.0 / height)) { ImageAspect = (double)width / height };
    }

    /// <summary>The part of this view's grid from (<paramref name="left"/>, <paramref name="top"/>) (grid pixels) of the given size.</summary>
    public MaskView Window(int left, int top, int width, int height) => this with { Width = width, Height = height, Left = left, Top = top };

    /// <summary>From grid pixels to isotropic image units: normalised coordinates stretched so the shorter side is 1.</summary>
    internal Affine2 PixelToIsotropic => PixelToImage.Then(Affine2.Scaling(Math.Max(ImageAspect, 1), Math.Max(1 / ImageAspect, 1)));

    /// <summary>From normalised image coordinates to isotropic units.</summary>
    internal Affine2 ImageToIsotropic => Affine2.Scaling(Math.Max(ImageAspect, 1), Math.Max(1 / ImageAspect, 1));
}
