using System.Buffers;
using System.Runtime.CompilerServices;
using static RawEngine.Iop.Demosaic.Algorithms.TilePlanes;

namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>
/// X-Trans (any 6x6 CFA) demosaic by edge-weighted colour-difference interpolation, on a perceptually encoded
/// mosaic. Every 3x3 window of X-Trans holds all three colours and every red/blue pixel touches three greens,
/// so colour differences, which are smooth where the picture is not, can be carried from close neighbours:
/// <list type="number">
/// <item>Start: each colour by a 5x5 tent over its own samples (green by a 3x3 tent).</item>
/// <item>Green at red/blue pixels = own sample + the weighted mean of (green - that colour) at the neighbouring
/// greens, where that colour comes from the current estimate.</item>
/// <item>Red and blue elsewhere = green - the weighted mean of (green - sample) at the 5x5 neighbours of that colour.</item>
/// <item>Repeat the last two steps (three rounds); each refines the estimates the other relies on.</item>
/// </list>
/// Weights are distance tents divided by the green difference to the neighbour, so averaging stops at edges.
/// </summary>
internal static class XTransDemosaic
{
    /// <summary>Radius of the neighbourhood one output pixel depends on; that border is less accurate at the image edge.</summary>
    public const int BorderPixels = 2 + Iterations * 3;
    private const int Iterations = 3;
    private const int Pad = 12;
    private const int TileSize = 186;
    /// <summary>Keeps edge weights finite where green is flat (encoded units, white = 1).</summary>
    private const float EdgeFloor = 0.05f;

    private enum Plane { Mosaic, Red, Green, Blue, NextGreen, Count }

    private readonly record struct Tap(int Offset, float Weight);

    /// <summary>Neighbour lists per CFA phase, as offsets in a tile of a given stride.</summary>
    private sealed class Layout
    {
        public readonly int Stride;
        public readonly int Rows;
        public readonly byte[] Colours = new byte[36];
        /// <summary>[phase]: green pixels of the 3x3 window (for red/blue phases).</summary>
        public readonly Tap[][] Greens = new Tap[36][];
        /// <summary>[phase * 3 + colour]: pixels of that colour in the 5x5 window.</summary>
        public readonly Tap[][] SameColour = new Tap[36 * 3][];

        public Layout(Engine.Raw.CfaPattern pattern, int stride, int rows)
        {
            Stride = stride;
            Rows = rows;
            for (var phase = 0; phase < 36; phase++)
            {
                int py = phase / 6, px = phase % 6;
                Colours[phase] = (byte)pattern.ColorAt(py, px);
                Greens[phase] = Taps(pattern, py, px, 1, 1, stride);
                for (var c = 0; c < 3; c++) SameColour[phase * 3 + c] = Taps(pattern, py, px, c, 2, stride);
            }
        }

        private static Tap[] Taps(Engine.Raw.CfaPattern pattern, int py, int px, int colour, int radius, int stride)
        {
            var taps = new List<Tap>();
            for (var dy = -radius; dy <= radius; dy++)
                for (var dx = -radius; dx <= radius; dx++)
                    if ((dy, dx) != (0, 0) && pattern.ColorAt(py + dy, px + dx) == colour)
                        taps.Add(new Tap(dy * stride + dx, (radius + 1f - Math.Abs(dy)) * (radius + 1f - Math.Abs(dx))));
            return taps.ToArray();
        }
    }

    public static void Run(CfaPlane input, RgbaPlane output, CancellationToken ct)
    {
        var width = TileSize + 2 * Pad;
        var layout = new Layout(input.Pattern, StrideFor(width, 2), width);
        TileGrid.ForEach(input.Width, input.Height, TileSize, TileSize, ct,
            (left, top, tileWidth, tileHeight) => ProcessTile(input, output, layout, left, top, tileWidth, tileHeight));
    }

    private static void ProcessTile(in CfaPlane input, in RgbaPlane output, Layout layout, int left, int top, int width, int height)
    {
        var size = layout.Stride * layout.Rows;
        var buffer = ArrayPool<float>.Shared.Rent(size * (int)Plane.Count);
        try
        {
            // Tiles start at multiples of 6 and Pad is one too, so a tile pixel's CFA phase is (y mod 6, x mod 6).
            var tileWidth = width + 2 * Pad;
            var rows = height + 2 * Pad;
            CfaTile.Load(input, left - Pad, top - Pad, tileWidth, rows, buffer.AsSpan(0, size), layout.Stride, encode: true);
            var planes = new Planes(buffer, size);
            Start(planes, layout, tileWidth, rows);
            var margin = 2;
            for (var pass = 0; pass < Iterations; pass++)
            {
                margin += 1;
                UpdateGreen(planes, layout, tileWidth, rows, margin);
                margin += 2;
                UpdateRedBlue(planes, layout, tileWidth, rows, margin);
            }
            WriteRgba(planes, layout, output, left, top, width, height);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private readonly struct Planes(float[] buffer, int size)
    {
        public ref float this[Plane plane] => ref At(buffer, (int)plane * size);

        /// <summary>The plane holding colour 0 (red), 1 (green) or 2 (blue).</summary>
        public ref float Colour(int colour) => ref this[(Plane)(colour + 1)];
    }

    private static void Start(in Planes planes, Layout layout, int width, int rows)
    {
        ref var m = ref planes[Plane.Mosaic];
        for (var y = 2; y < rows - 2; y++)
        {
            var phaseRow = y % 6 * 6;
            for (var x = 2; x < width - 2; x++)
            {
                var i = y * layout.Stride + x;
                var phase = phaseRow + x % 6;
                var own = layout.Colours[phase];
                for (var c = 0; c < 3; c++)
                {
                    var value = c == own ? Unsafe.Add(ref m, i) : WeightedMean(ref m, i, c == 1 && own != 1 ? layout.Greens[phase] : layout.SameColour[phase * 3 + c]);
                    Unsafe.Add(ref planes.Colour(c), i) = value;
                }
            }
        }
    }

    /// <summary>Measured from the first tap, so equal samples give exactly their value (a flat field stays flat).</summary>
    private static float WeightedMean(ref float plane, int i, Tap[] taps)
    {
        var anchor = Unsafe.Add(ref plane, i + taps[0].Offset);
        float sum = 0, weights = 0;
        foreach (var tap in taps)
        {
            sum += tap.Weight * (Unsafe.Add(ref plane, i + tap.Offset) - anchor);
            weights += tap.Weight;
        }
        return anchor + sum / weights;
    }

    private static float EdgeWeight(float tapWeight, float greenHere, float greenThere) =>
        tapWeight / (EdgeFloor + MathF.Abs(greenHere - greenThere));

    /// <summary>Green at red/blue pixels from the neighbouring greens' colour differences.</summary>
    private static void UpdateGreen(in Planes planes, Layout layout, int width, int rows, int margin)
    {
        ref var m = ref planes[Plane.Mosaic];
        ref var g = ref planes[Plane.Green];
        ref var next = ref planes[Plane.NextGreen];
        for (var y = margin; y < rows - margin; y++)
        {
            var phaseRow = y % 6 * 6;
            for (var x = margin; x < width - margin; x++)
            {
                var i = y * layout.Stride + x;
                var phase = phaseRow + x % 6;
                var own = layout.Colours[phase];
                var here = Unsafe.Add(ref g, i);
                if (own == 1)
                {
                    Unsafe.Add(ref next, i) = here;
                    continue;
                }
                ref var colour = ref planes.Colour(own);
                float sum = 0, weights = 0;
                foreach (var tap in layout.Greens[phase])
                {
                    var j = i + tap.Offset;
                    var green = Unsafe.Add(ref g, j);
                    var w = EdgeWeight(tap.Weight, here, green);
                    sum += w * (green - Unsafe.Add(ref colour, j));
                    weights += w;
                }
                Unsafe.Add(ref next, i) = Unsafe.Add(ref m, i) + sum / weights;
            }
        }
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref g), ref Unsafe.As<float, byte>(ref next), (uint)(layout.Stride * rows * sizeof(float)));
    }

    /// <summary>Red and blue where they were not sampled, from the colour differences at their 5x5 samples.</summary>
    private static void UpdateRedBlue(in Planes planes, Layout layout, int width, int rows, int margin)
    {
        ref var m = ref planes[Plane.Mosaic];
        ref var g = ref planes[Plane.Green];
        for (var y = margin; y < rows - margin; y++)
        {
            var phaseRow = y % 6 * 6;
            for (var x = margin; x < width - margin; x++)
            {
                var i = y * layout.Stride + x;
                var phase = phaseRow + x % 6;
                var own = layout.Colours[phase];
                var here = Unsafe.Add(ref g, i);
                for (var c = 0; c < 3; c += 2)
                {
                    if (c == own) continue;
                    float sum = 0, weights = 0;
                    foreach (var tap in layout.SameColour[phase * 3 + c])
                    {
                        var j = i + tap.Offset;
                        var green = Unsafe.Add(ref g, j);
                        var w = EdgeWeight(tap.Weight, here, green);
                        sum += w * (green - Unsafe.Add(ref m, j));
                        weights += w;
                    }
                    Unsafe.Add(ref planes.Colour(c), i) = here - sum / weights;
                }
            }
        }
    }

    private static void WriteRgba(in Planes planes, Layout layout, in RgbaPlane output, int left, int top, int width, int height)
    {
        var pixels = output.Data.Span;
        Span<float> channel = stackalloc float[Lanes];
        for (var y = 0; y < height; y++)
        {
            var row = pixels.Slice((top + y) * output.Stride + left * 4, width * 4);
            var start = (y + Pad) * layout.Stride + Pad;
            for (var c = 0; c < 3; c++)
            {
                ref var plane = ref planes.Colour(c);
                for (var x = 0; x < width; x += Lanes)
                {
                    PerceptualCurve.Decode(Load(ref plane, start + x)).CopyTo(channel);
                    var count = Math.Min(Lanes, width - x);
                    for (var k = 0; k < count; k++) row[4 * (x + k) + c] = channel[k];
                }
            }
        }
    }
}
