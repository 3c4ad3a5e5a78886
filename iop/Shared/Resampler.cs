using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Iop.Shared;

/// <summary>
/// Separable Lanczos-3 resampling of RGBA between two scales of the same image. Each output pixel
/// depends only on source pixels inside the image (taps past an edge are dropped and the rest
/// renormalised), so any region, tiled or not, gets the same values. Downscaling widens the
/// kernel by the factor, which filters out what the smaller image cannot hold.
/// </summary>
public static class Resampler
{
    private const int Lobes = 3;

    /// <summary>The source span [start, end) at the source scale that output indices [start, end) read.</summary>
    public static (int Start, int End) SourceSpan(int outStart, int outEnd, double ratio, int sourceLength)
    {
        var support = Lobes * Math.Max(1, 1 / ratio);
        var first = (int)Math.Ceiling(Centre(outStart, ratio) - support);
        var last = (int)Math.Floor(Centre(outEnd - 1, ratio) + support);
        return (Math.Clamp(first, 0, sourceLength - 1), Math.Clamp(last, 0, sourceLength - 1) + 1);
    }

    /// <summary>The region at <paramref name="sourceScale"/> needed for <paramref name="roiOut"/>.</summary>
    public static Roi SourceRoi(Roi roiOut, double sourceScale, ImageSize fullSize)
    {
        var source = fullSize.Scaled(sourceScale);
        var ratio = roiOut.Scale / sourceScale;
        var (x0, x1) = SourceSpan(roiOut.X, roiOut.Right, ratio, source.Width);
        var (y0, y1) = SourceSpan(roiOut.Y, roiOut.Bottom, ratio, source.Height);
        return new Roi(x0, y0, x1 - x0, y1 - y0, sourceScale);
    }

    /// <summary>Resamples <paramref name="input"/> (covering <paramref name="roiIn"/>) into <paramref name="output"/> (<paramref name="roiOut"/>).</summary>
    public static void Run(ProcessContext context, ImageSize fullSize, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var source = fullSize.Scaled(roiIn.Scale);
        var ratio = roiOut.Scale / roiIn.Scale;
        var columns = Taps.For(roiOut.X, roiOut.Width, ratio, source.Width, roiIn.X, roiIn.Width);
        var rows = Taps.For(roiOut.Y, roiOut.Height, ratio, source.Height, roiIn.Y, roiIn.Height);
        using var horizontal = ImageBuffer.Rent(context.Pool, roiOut.Width, roiIn.Height, 4);
        context.ForRows(roiIn.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var from = input.Row(y);
                var to = horizontal.Row(y);
                for (var x = 0; x < roiOut.Width; x++)
                {
                    float r = 0, g = 0, b = 0, a = 0;
                    var start = columns.Start[x];
                    var weights = columns.Weights(x);
                    for (var t = 0; t < weights.Length; t++)
                    {
                        var w = weights[t];
                        var p = (start + t) * 4;
                        r += w * from[p];
                        g += w * from[p + 1];
                        b += w * from[p + 2];
                        a += w * from[p + 3];
                    }
                    to[4 * x] = r;
                    to[4 * x + 1] = g;
                    to[4 * x + 2] = b;
                    to[4 * x + 3] = a;
                }
            }
        });
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var to = output.Row(y);
                to.Clear();
                var start = rows.Start[y];
                var weights = rows.Weights(y);
                for (var t = 0; t < weights.Length; t++)
                {
                    var from = horizontal.Row(start + t);
                    var w = weights[t];
                    for (var i = 0; i < to.Length; i++) to[i] += w * from[i];
                }
            }
        });
    }

    private static double Centre(int index, double ratio) => (index + 0.5) / ratio - 0.5;

    private static double Lanczos(double x)
    {
        x = Math.Abs(x);
        if (x < 1e-9) return 1;
        if (x >= Lobes) return 0;
        var px = Math.PI * x;
        return Lobes * Math.Sin(px) * Math.Sin(px / Lobes) / (px * px);
    }

    /// <summary>Per output index: the first source index (relative to the source region) and normalised weights.</summary>
    private sealed class Taps
    {
        public required int[] Start { get; init; }
        public required int[] Count { get; init; }
        public required int Width { get; init; }
        public required float[] All { get; init; }

        public ReadOnlySpan<float> Weights(int index) => All.AsSpan(index * Width, Count[index]);

        public static Taps For(int outStart, int outLength, double ratio, int sourceLength, int regionStart, int regionLength)
        {
            var stretch = Math.Max(1, 1 / ratio);
            var support = Lobes * stretch;
            var width = (int)Math.Ceiling(2 * support) + 2;
            var starts = new int[outLength];
            var counts = new int[outLength];
            var all = new float[outLength * width];
            for (var i = 0; i < outLength; i++)
            {
                var centre = Centre(outStart + i, ratio);
                var first = Math.Max(0, (int)Math.Ceiling(centre - support));
                var last = Math.Min(sourceLength - 1, (int)Math.Floor(centre + support));
                if (first < regionStart || last >= regionStart + regionLength)
                    throw new PipeException($"resampling needs source {first}..{last}, outside the region {regionStart}..{regionStart + regionLength - 1}");
                double sum = 0;
                for (var s = first; s <= last; s++) sum += Lanczos((s - centre) / stretch);
                for (var s = first; s <= last; s++) all[i * width + s - first] = (float)(Lanczos((s - centre) / stretch) / sum);
                starts[i] = first - regionStart;
                counts[i] = last - first + 1;
            }
            return new Taps { Start = starts, Count = counts, Width = width, All = all };
        }
    }
}
