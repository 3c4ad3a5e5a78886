using System.Buffers;

namespace RawEngine.Engine.Masks.Vectorize;

/// <summary>
/// Turns a raster mask (a segmenter's output) into vector shapes for the mask manager: the outline where
/// coverage crosses <see cref="VectorizeOptions.Threshold"/> is traced with sub-pixel precision
/// (<see cref="IsoContourTracer"/>), noise islands and pinholes are dropped, and each outline is fitted
/// with cubic Béziers (<see cref="BezierFitter"/>) as a closed <see cref="PathForm"/>.
/// </summary>
/// <remarks>
/// The group unions one member per outer boundary, at any depth: a bare path when the region has no
/// holes, else a nested group of the outer path minus its holes. Islands inside holes are outer
/// boundaries of their own, so the regions are disjoint and the union is exact under the group's in-order,
/// fuzzy (min/max) combination, whatever order they come in. Coordinates are normalised by the mask's
/// width and height with pixel i spanning [i, i + 1], as <see cref="MaskView.Image"/> renders them, so
/// rendering the group at the mask's size gives coverage >= 0.5 where the mask had it.
/// </remarks>
public static class MaskVectorizer
{
    /// <summary>
    /// Vectorises <paramref name="coverage"/> (row-major, <paramref name="width"/> x <paramref name="height"/>,
    /// 0..1). A mask with nothing inside gives a group with no members: there is nothing to store, and
    /// callers skip adding it to an edit (mask groups there need a member).
    /// </summary>
    public static MaskGroup Vectorize(ReadOnlySpan<float> coverage, int width, int height, VectorizeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (coverage.Length != (long)width * height)
            throw new ArgumentException($"The coverage holds {coverage.Length} values, not {width}x{height} = {(long)width * height}.", nameof(coverage));

        using var outlines = new OutlineVectorizer();
        outlines.Run(coverage, width, height, options);
        return ToGroup(outlines, width, height, options.GroupId);
    }

    /// <summary>Vectorises an 8-bit mask (255 = covered); see <see cref="Vectorize(ReadOnlySpan{float}, int, int, VectorizeOptions)"/>.</summary>
    public static MaskGroup Vectorize(ReadOnlySpan<byte> coverage, int width, int height, VectorizeOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (coverage.Length != (long)width * height)
            throw new ArgumentException($"The coverage holds {coverage.Length} values, not {width}x{height} = {(long)width * height}.", nameof(coverage));
        var values = ArrayPool<float>.Shared.Rent(coverage.Length);
        try
        {
            for (var i = 0; i < coverage.Length; i++) values[i] = coverage[i] * (1f / 255);
            return Vectorize(values.AsSpan(0, coverage.Length), width, height, options);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(values);
        }
    }

    private static MaskGroup ToGroup(OutlineVectorizer outlines, int width, int height, string id)
    {
        var all = outlines.Outlines;
        var holes = new List<int>?[all.Count];
        for (var j = 0; j < all.Count; j++)
            if (!all[j].IsOuter) (holes[all[j].Parent] ??= []).Add(j);

        var members = new List<GroupMember>();
        for (var i = 0; i < all.Count; i++)
        {
            if (!all[i].IsOuter) continue;
            var outer = new GroupMember(ToPath(outlines, all[i], width, height));
            if (holes[i] is not { } cut)
            {
                members.Add(outer);
                continue;
            }
            var region = new List<GroupMember>(cut.Count + 1) { outer };
            foreach (var j in cut) region.Add(new GroupMember(ToPath(outlines, all[j], width, height), CombineMode.Difference));
            members.Add(new GroupMember(new MaskGroup($"{id}/region{members.Count}", region)));
        }
        return new MaskGroup(id, members);
    }

    /// <summary>
    /// The closed path through an outline's segments: node k is segment k's start, leaving along its first
    /// control and arriving along the previous segment's second control.
    /// </summary>
    private static PathForm ToPath(OutlineVectorizer outlines, FittedOutline outline, int width, int height)
    {
        var segments = outlines.Segments;
        var count = outline.SegmentCount;
        var nodes = new PathNode[count];
        for (var k = 0; k < count; k++)
        {
            var segment = segments[outline.FirstSegment + k];
            var previous = segments[outline.FirstSegment + (k + count - 1) % count];
            nodes[k] = new PathNode(Normalise(segment.Start, width, height), Normalise(previous.Control2, width, height),
                Normalise(segment.Control1, width, height));
        }
        return new PathForm(nodes);
    }

    private static MaskPoint Normalise(PlanePoint p, int width, int height) => new(p.X / width, p.Y / height);
}
