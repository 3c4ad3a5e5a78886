using System.Buffers;

namespace RawEngine.Engine.Imaging;

/// <summary>
/// Regions of a binary mask (one byte per pixel, non-zero = inside, rows packed): the 4-connected
/// component through a pixel, labels of every component, and the Euclidean distance from each inside
/// pixel to the nearest outside one (the image border counts as outside). Used to keep the object
/// under a click and to place clicks deep inside a region.
/// </summary>
public static class BinaryRegions
{
    /// <summary>
    /// Marks in <paramref name="component"/> (1 inside, 0 elsewhere) the 4-connected component of
    /// <paramref name="mask"/> that holds (<paramref name="x"/>, <paramref name="y"/>); returns its area
    /// (0 when that pixel is outside the mask).
    /// </summary>
    public static int ComponentAt(ReadOnlySpan<byte> mask, int width, int height, int x, int y, Span<byte> component)
    {
        CheckSize(mask.Length, width, height, nameof(mask));
        CheckSize(component.Length, width, height, nameof(component));
        if ((uint)x >= (uint)width || (uint)y >= (uint)height)
            throw new ArgumentOutOfRangeException(nameof(x), $"({x},{y}) is outside the {width}x{height} mask.");
        component[..(width * height)].Clear();
        var start = y * width + x;
        if (mask[start] == 0) return 0;
        component[start] = 1;
        return 1 + Grow(mask, width, height, component, start);
    }

    /// <summary>Breadth-first growth from <paramref name="seed"/> (already marked) through allowed, unmarked 4-neighbours; returns the pixels added.</summary>
    private static int Grow(ReadOnlySpan<byte> allowed, int width, int height, Span<byte> region, int seed)
    {
        var queue = ArrayPool<int>.Shared.Rent(width * height);
        try
        {
            int head = 0, tail = 0;
            queue[tail++] = seed;
            var added = 0;
            while (head < tail)
            {
                var p = queue[head++];
                int px = p % width, py = p / width;
                for (var n = 0; n < 4; n++)
                {
                    int q;
                    if (n == 0) { if (px == 0) continue; q = p - 1; }
                    else if (n == 1) { if (px == width - 1) continue; q = p + 1; }
                    else if (n == 2) { if (py == 0) continue; q = p - width; }
                    else { if (py == height - 1) continue; q = p + width; }
                    if (allowed[q] == 0 || region[q] != 0) continue;
                    region[q] = 1;
                    queue[tail++] = q;
                    added++;
                }
            }
            return added;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(queue);
        }
    }

    /// <summary>
    /// Labels the 4-connected components of <paramref name="mask"/> 1..n in <paramref name="labels"/>
    /// (0 outside) and returns each label's area, index 0 unused.
    /// </summary>
    public static int[] Label(ReadOnlySpan<byte> mask, int width, int height, Span<int> labels)
    {
        CheckSize(mask.Length, width, height, nameof(mask));
        CheckSize(labels.Length, width, height, nameof(labels));
        var count = width * height;
        labels[..count].Clear();
        var areas = new List<int> { 0 };
        var queue = ArrayPool<int>.Shared.Rent(count);
        try
        {
            for (var start = 0; start < count; start++)
            {
                if (mask[start] == 0 || labels[start] != 0) continue;
                var label = areas.Count;
                int head = 0, tail = 0;
                labels[start] = label;
                queue[tail++] = start;
                while (head < tail)
                {
                    var p = queue[head++];
                    int px = p % width, py = p / width;
                    if (px > 0 && mask[p - 1] != 0 && labels[p - 1] == 0) { labels[p - 1] = label; queue[tail++] = p - 1; }
                    if (px < width - 1 && mask[p + 1] != 0 && labels[p + 1] == 0) { labels[p + 1] = label; queue[tail++] = p + 1; }
                    if (py > 0 && mask[p - width] != 0 && labels[p - width] == 0) { labels[p - width] = label; queue[tail++] = p - width; }
                    if (py < height - 1 && mask[p + width] != 0 && labels[p + width] == 0) { labels[p + width] = label; queue[tail++] = p + width; }
                }
                areas.Add(tail);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(queue);
        }
        return [.. areas];
    }

    /// <summary>
    /// The exact Euclidean distance from every inside pixel to the nearest outside pixel, with everything
    /// beyond the image border outside (0 for outside pixels), by the separable squared-distance transform
    /// of Felzenszwalb and Huttenlocher: columns, then rows.
    /// </summary>
    public static void DistanceToOutside(ReadOnlySpan<byte> mask, int width, int height, Span<float> distance)
    {
        CheckSize(mask.Length, width, height, nameof(mask));
        CheckSize(distance.Length, width, height, nameof(distance));
        var n = Math.Max(width, height) + 2;
        var line = ArrayPool<float>.Shared.Rent(n);
        var result = ArrayPool<float>.Shared.Rent(n);
        var hull = ArrayPool<int>.Shared.Rent(n);
        var bounds = ArrayPool<float>.Shared.Rent(n + 1);
        try
        {
            // A line padded with one outside pixel at each end, so the border counts as outside.
            for (var x = 0; x < width; x++)
            {
                line[0] = line[height + 1] = 0;
                for (var y = 0; y < height; y++) line[y + 1] = mask[y * width + x] == 0 ? 0 : float.PositiveInfinity;
                Transform(line.AsSpan(0, height + 2), result, hull, bounds);
                for (var y = 0; y < height; y++) distance[y * width + x] = result[y + 1];
            }
            for (var y = 0; y < height; y++)
            {
                var row = distance.Slice(y * width, width);
                line[0] = line[width + 1] = 0;
                row.CopyTo(line.AsSpan(1));
                Transform(line.AsSpan(0, width + 2), result, hull, bounds);
                for (var x = 0; x < width; x++) row[x] = MathF.Sqrt(result[x + 1]);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(line);
            ArrayPool<float>.Shared.Return(result);
            ArrayPool<int>.Shared.Return(hull);
            ArrayPool<float>.Shared.Return(bounds);
        }
    }

    /// <summary>The deepest pixel of the inside of <paramref name="mask"/> (first in row order on ties) and its distance to the outside.</summary>
    public static (int X, int Y, float Depth) Deepest(ReadOnlySpan<byte> mask, int width, int height)
    {
        var distance = ArrayPool<float>.Shared.Rent(width * height);
        try
        {
            DistanceToOutside(mask, width, height, distance);
            var best = 0;
            for (var i = 1; i < width * height; i++)
                if (distance[i] > distance[best]) best = i;
            return (best % width, best / width, distance[best]);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(distance);
        }
    }

    /// <summary>1-D squared distance transform of sampled function <paramref name="f"/> (lower envelope of parabolas).</summary>
    private static void Transform(ReadOnlySpan<float> f, Span<float> d, Span<int> v, Span<float> z)
    {
        var n = f.Length;
        var k = -1;
        for (var q = 0; q < n; q++)
        {
            if (float.IsPositiveInfinity(f[q])) continue;
            var s = float.NegativeInfinity;
            while (k >= 0)
            {
                s = ((f[q] + (float)q * q) - (f[v[k]] + (float)v[k] * v[k])) / (2f * (q - v[k]));
                if (s > z[k]) break;
                k--;
            }
            k++;
            v[k] = q;
            z[k] = k == 0 ? float.NegativeInfinity : s;
            z[k + 1] = float.PositiveInfinity;
        }
        if (k < 0)
        {
            d[..n].Fill(float.PositiveInfinity);
            return;
        }
        var j = 0;
        for (var q = 0; q < n; q++)
        {
            while (z[j + 1] < q) j++;
            var dq = q - v[j];
            d[q] = (float)dq * dq + f[v[j]];
        }
    }

    private static void CheckSize(int length, int width, int height, string name)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"The mask size {width}x{height} is empty.");
        if (length < (long)width * height) throw new ArgumentException($"{name} holds {length} values; a {width}x{height} mask needs {(long)width * height}.", name);
    }
}
