using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// SIMD over rows: the CFA phase differs per lane, so each stencil tap carries a per-lane weight vector
/// (zero where the neighbour has the wrong colour), chosen by the row's phase and the vector's start phase.
/// </summary>
internal static class XTransDemosaic
{
    private const int Iterations = 3;
    /// <summary>Radius of the neighbourhood one output pixel depends on; that border is less accurate at the image edge.</summary>
    public const int BorderPixels = 2 + Iterations * 3;
    private const int Pad = 12;
    private const int TileSize = 186;
    /// <summary>Keeps edge weights finite where green is flat (encoded units, white = 1).</summary>
    private const float EdgeFloor = 0.05f;
    private const int Window = 25;

    private enum Plane { Mosaic, Red, Green, Blue, NextGreen, Count }

    /// <summary>
    /// Per (row phase, vector start phase): lane masks of each colour and, per 5x5 offset, lane weights.
    /// Index a layout as (y mod 6) * 6 + (x mod 6).
    /// </summary>
    private sealed class Layout
    {
        public readonly int Stride;
        public readonly int Rows;
        public readonly int[] Offsets = new int[Window];
        public readonly Vector<int>[] IsRed = new Vector<int>[36];
        public readonly Vector<int>[] IsGreen = new Vector<int>[36];
        /// <summary>[(layout * 25 + offset) * 3 + colour]: normalised tent weights of that colour's samples, for the start.</summary>
        public readonly Vector<float>[] Start = new Vector<float>[36 * Window * 3];
        /// <summary>[(layout * 25 + offset) * 3 + colour]: tent weights of that colour's samples where the pixel is not that colour
        /// (green: 3x3 only).</summary>
        public readonly Vector<float>[] Taps = new Vector<float>[36 * Window * 3];

        public Layout(Engine.Raw.CfaPattern pattern, int stride, int rows)
        {
            Stride = stride;
            Rows = rows;
            for (var o = 0; o < Window; o++) Offsets[o] = (o / 5 - 2) * stride + o % 5 - 2;
            Span<int> red = stackalloc int[Lanes];
            Span<int> green = stackalloc int[Lanes];
            Span<float> start = stackalloc float[Lanes];
            Span<float> taps = stackalloc float[Lanes];
            Span<float> totals = stackalloc float[Lanes];
            for (var layout = 0; layout < 36; layout++)
            {
                int py = layout / 6, px = layout % 6;
                for (var lane = 0; lane < Lanes; lane++)
                {
                    red[lane] = pattern.ColorAt(py, px + lane) == 0 ? -1 : 0;
                    green[lane] = pattern.ColorAt(py, px + lane) == 1 ? -1 : 0;
                }
                IsRed[layout] = new Vector<int>(red);
                IsGreen[layout] = new Vector<int>(green);
                for (var c = 0; c < 3; c++)
                {
                    var radius = c == 1 ? 1 : 2;
                    totals.Clear();
                    for (var o = 0; o < Window; o++)
                        for (var lane = 0; lane < Lanes; lane++) totals[lane] += Tent(pattern, py, px + lane, o, c, radius);
                    for (var o = 0; o < Window; o++)
                    {
                        for (var lane = 0; lane < Lanes; lane++)
                        {
                            var weight = Tent(pattern, py, px + lane, o, c, radius);
                            start[lane] = weight / totals[lane];
                            taps[lane] = pattern.ColorAt(py, px + lane) == c ? 0 : weight;
                        }
                        Start[(layout * Window + o) * 3 + c] = new Vector<float>(start);
                        Taps[(layout * Window + o) * 3 + c] = new Vector<float>(taps);
                    }
                }
            }
        }

        /// <summary>Tent weight of window offset <paramref name="o"/> if it is a sample of colour <paramref name="c"/> within the radius.</summary>
        private static float Tent(Engine.Raw.CfaPattern pattern, int y, int x, int o, int c, int radius)
        {
            int dy = o / 5 - 2, dx = o % 5 - 2;
            if ((dy, dx) == (0, 0) || Math.Abs(dy) > radius || Math.Abs(dx) > radius || pattern.ColorAt(y + dy, x + dx) != c) return 0;
            return (radius + 1f - Math.Abs(dy)) * (radius + 1f - Math.Abs(dx));
        }
    }

    /// <summary>Demosaics the <paramref name="output"/>-sized region at (<paramref name="left"/>, <paramref name="top"/>) of the input.</summary>
    public static void Run(CfaPlane input, RgbaPlane output, int left, int top, CancellationToken ct)
    {
        var width = TileSize + 2 * Pad;
        var layout = new Layout(input.Pattern, StrideFor(width, 2), width);
        TileGrid.ForEach(output.Width, output.Height, TileSize, TileSize, ct,
            (x, y, tileWidth, tileHeight) => ProcessTile(input, output, layout, left + x, top + y, tileWidth, tileHeight, x, y));
    }

    /// <summary>The tile at input (<paramref name="left"/>, <paramref name="top"/>), written at output (<paramref name="outputLeft"/>, <paramref name="outputTop"/>).</summary>
    private static void ProcessTile(in CfaPlane input, in RgbaPlane output, Layout layout, int left, int top, int width, int height, int outputLeft, int outputTop)
    {
        var size = layout.Stride * layout.Rows;
        var buffer = ArrayPool<float>.Shared.Rent(size * (int)Plane.Count);
        try
        {
            var tileWidth = width + 2 * Pad;
            var rows = height + 2 * Pad;
            CfaTile.Load(input, left - Pad, top - Pad, tileWidth, rows, buffer.AsSpan(0, size), layout.Stride, encode: true);
            // Tile pixel (y, x) is input pixel (top - Pad + y, left - Pad + x): its CFA phase is shifted by the tile origin's.
            var planes = new Planes(buffer, size, Modulo6(top - Pad), Modulo6(left - Pad));
            Start(planes, layout, tileWidth, rows);
            var margin = 2;
            for (var pass = 0; pass < Iterations; pass++)
            {
                margin += 1;
                UpdateGreen(planes, layout, tileWidth, rows, margin);
                planes = planes.WithNextGreen();
                margin += 2;
                UpdateRedBlue(planes, layout, tileWidth, rows, margin);
            }
            WriteRgba(planes, layout, output, outputLeft, outputTop, width, height);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static int Modulo6(int value) => (value % 6 + 6) % 6;

    /// <summary>The tile's planes; green and its successor swap places after each green update.</summary>
    private readonly struct Planes(float[] buffer, int size, int phaseY, int phaseX, bool swapped = false)
    {
        public ref float this[Plane plane] => ref At(buffer, (int)Swap(plane) * size);

        public Planes WithNextGreen() => new(buffer, size, phaseY, phaseX, !swapped);

        private Plane Swap(Plane plane) => !swapped ? plane : plane switch
        {
            Plane.Green => Plane.NextGreen,
            Plane.NextGreen => Plane.Green,
            _ => plane,
        };

        /// <summary>Index of the first of the 25 window entries of the layout for a vector starting at tile pixel (y, x).</summary>
        public int LayoutAt(int y, int x) => ((y + phaseY) % 6 * 6 + (x + phaseX) % 6) * Window;
    }

    /// <summary>Each colour as the tent-weighted mean of its samples, measured from the pixel's own sample so a flat field stays exact.</summary>
    private static void Start(in Planes planes, Layout layout, int width, int rows)
    {
        ref var offsets = ref Element(layout.Offsets, 0);
        ref var m = ref planes[Plane.Mosaic];
        ref var r = ref planes[Plane.Red];
        ref var g = ref planes[Plane.Green];
        ref var b = ref planes[Plane.Blue];
        for (var y = 2; y < rows - 2; y++)
            for (var x = 2; x < width - 2; x += Lanes)
            {
                var i = y * layout.Stride + x;
                var at = planes.LayoutAt(y, x);
                var centre = Load(ref m, i);
                Vector<float> red = Vector<float>.Zero, green = Vector<float>.Zero, blue = Vector<float>.Zero;
                ref var weights = ref Element(layout.Start, at * 3);
                for (var o = 0; o < Window; o++)
                {
                    var difference = Load(ref m, i + Unsafe.Add(ref offsets, o)) - centre;
                    red += Unsafe.Add(ref weights, 3 * o) * difference;
                    green += Unsafe.Add(ref weights, 3 * o + 1) * difference;
                    blue += Unsafe.Add(ref weights, 3 * o + 2) * difference;
                }
                var layoutIndex = at / Window;
                var isRed = layout.IsRed[layoutIndex];
                var isGreen = layout.IsGreen[layoutIndex];
                var isBlue = ~(isRed | isGreen);
                Store(Vector.ConditionalSelect(isRed, centre, centre + red), ref r, i);
                Store(Vector.ConditionalSelect(isGreen, centre, centre + green), ref g, i);
                Store(Vector.ConditionalSelect(isBlue, centre, centre + blue), ref b, i);
            }
    }

    private static ref T Element<T>(T[] array, int index) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), index);

    private static Vector<float> EdgeWeight(Vector<float> here, Vector<float> there) =>
        Vector<float>.One / (new Vector<float>(EdgeFloor) + Vector.Abs(here - there));

    /// <summary>
    /// Green at red/blue pixels from the neighbouring greens' colour differences, into the next green plane
    /// (not in place: a vector's lanes past the valid columns would spoil the row below's neighbours).
    /// </summary>
    private static void UpdateGreen(in Planes planes, Layout layout, int width, int rows, int margin)
    {
        ref var offsets = ref Element(layout.Offsets, 0);
        ref var m = ref planes[Plane.Mosaic];
        ref var r = ref planes[Plane.Red];
        ref var g = ref planes[Plane.Green];
        ref var b = ref planes[Plane.Blue];
        ref var next = ref planes[Plane.NextGreen];
        for (var y = margin; y < rows - margin; y++)
            for (var x = margin; x < width - margin; x += Lanes)
            {
                var i = y * layout.Stride + x;
                var at = planes.LayoutAt(y, x);
                var isRed = layout.IsRed[at / Window];
                var here = Load(ref g, i);
                Vector<float> sum = Vector<float>.Zero, weights = Vector<float>.Zero;
                ref var taps = ref Element(layout.Taps, at * 3);
                for (var o = 6; o <= 18; o++)
                {
                    if (o % 5 is 0 or 4) continue; // the 3x3 window
                    var j = i + Unsafe.Add(ref offsets, o);
                    var green = Load(ref g, j);
                    var w = Unsafe.Add(ref taps, 3 * o + 1) * EdgeWeight(here, green);
                    sum += w * (green - Vector.ConditionalSelect(isRed, Load(ref r, j), Load(ref b, j)));
                    weights += w;
                }
                var updated = Load(ref m, i) + sum / weights;
                Store(Vector.ConditionalSelect(layout.IsGreen[at / Window], here, updated), ref next, i);
            }
    }

    /// <summary>Red and blue where they were not sampled, from the colour differences at their 5x5 samples.</summary>
    private static void UpdateRedBlue(in Planes planes, Layout layout, int width, int rows, int margin)
    {
        ref var offsets = ref Element(layout.Offsets, 0);
        ref var m = ref planes[Plane.Mosaic];
        ref var r = ref planes[Plane.Red];
        ref var g = ref planes[Plane.Green];
        ref var b = ref planes[Plane.Blue];
        for (var y = margin; y < rows - margin; y++)
            for (var x = margin; x < width - margin; x += Lanes)
            {
                var i = y * layout.Stride + x;
                var at = planes.LayoutAt(y, x);
                var here = Load(ref g, i);
                Vector<float> red = Vector<float>.Zero, redWeights = Vector<float>.Zero;
                Vector<float> blue = Vector<float>.Zero, blueWeights = Vector<float>.Zero;
                ref var taps = ref Element(layout.Taps, at * 3);
                for (var o = 0; o < Window; o++)
                {
                    var j = i + Unsafe.Add(ref offsets, o);
                    var green = Load(ref g, j);
                    var edge = EdgeWeight(here, green);
                    var difference = green - Load(ref m, j);
                    var wr = Unsafe.Add(ref taps, 3 * o) * edge;
                    var wb = Unsafe.Add(ref taps, 3 * o + 2) * edge;
                    red += wr * difference;
                    redWeights += wr;
                    blue += wb * difference;
                    blueWeights += wb;
                }
                // Lanes that sampled a colour have no weights for it (0/0): they keep the sample.
                var isRed = layout.IsRed[at / Window];
                var isBlue = ~(isRed | layout.IsGreen[at / Window]);
                Store(Vector.ConditionalSelect(isRed, Load(ref r, i), here - red / redWeights), ref r, i);
                Store(Vector.ConditionalSelect(isBlue, Load(ref b, i), here - blue / blueWeights), ref b, i);
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
                ref var plane = ref planes[(Plane)(c + 1)];
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
