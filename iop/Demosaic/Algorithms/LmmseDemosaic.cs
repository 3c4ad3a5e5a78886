using System.Buffers;
using System.Numerics;
using static RawEngine.Iop.Demosaic.Algorithms.TilePlanes;

namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>
/// Bayer demosaic after Zhang &amp; Wu (2005), "Color demosaicking via directional linear minimum mean
/// square-error estimation", run on a perceptually encoded mosaic:
/// <list type="number">
/// <item>Along rows and columns, a Hamilton-Adams estimate gives a noisy green-minus-colour difference at every pixel.</item>
/// <item>Each direction's difference is denoised by LMMSE (signal = Gaussian-smoothed difference, statistics over
/// 9 taps), and the two are fused by their estimation error variances; green = sample + fused difference.</item>
/// <item>Red/blue at blue/red pixels from the four diagonal colour differences, then at green pixels from the four neighbours.</item>
/// <item>Median passes over the colour differences remove zipper and false colour; each pixel keeps its own CFA sample.</item>
/// </list>
/// Works on tiles with a mirrored halo.
/// </summary>
internal static class LmmseDemosaic
{
    /// <summary>Pixels from the image edge whose neighbourhood is partly mirrored (less accurate).</summary>
    public const int BorderPixels = 16;
    private const int MedianPasses = 1;
    private const int Pad = 18;
    private const int TileWidth = 256;
    private const int TileHeight = 128;
    private const float VarianceFloor = 1e-10f;
    private static readonly float[] Gaussian = GaussianTaps();

    private enum Plane { Mosaic, DiffH, DiffV, SmoothH, SmoothV, Own, DiffR, DiffB, ScratchR, ScratchB, Count }

    public static void Run(CfaPlane input, RgbaPlane output, CancellationToken ct)
    {
        // Green sits where (row + column) has this parity, counted from the plane's origin.
        var greenParity = input.Pattern.ColorAt(0, 0) == 1 ? 0 : 1;
        var redRowParity = input.Pattern.ColorAt(0, 0) == 0 || input.Pattern.ColorAt(0, 1) == 0 ? 0 : 1;
        TileGrid.ForEach(input.Width, input.Height, TileWidth, TileHeight, ct,
            (left, top, width, height) => ProcessTile(input, output, greenParity, redRowParity, left, top, width, height));
    }

    private static float[] GaussianTaps()
    {
        var taps = new float[9];
        var sum = 0.0;
        for (var k = -4; k <= 4; k++) sum += Math.Exp(-k * k / 8.0);
        for (var k = -4; k <= 4; k++) taps[k + 4] = (float)(Math.Exp(-k * k / 8.0) / sum);
        return taps;
    }

    /// <summary>One tile: its geometry and the pooled buffer all its planes live in.</summary>
    private readonly struct Tile(float[] buffer, int width, int rows, int stride, int greenParity, int redRowParity)
    {
        public readonly float[] Buffer = buffer;
        public readonly int Width = width;
        public readonly int Rows = rows;
        public readonly int Stride = stride;
        /// <summary>Green at tile pixels where (y + x) has this parity.</summary>
        public readonly int GreenParity = greenParity;
        /// <summary>Red (not blue) on tile rows with this parity.</summary>
        public readonly int RedRowParity = redRowParity;

        public ref float this[Plane plane] => ref At(Buffer, (int)plane * Stride * Rows);

        public Vector<int> GreenLanes(int y) => ParityMask(GreenParity ^ (y & 1));
    }

    private static void ProcessTile(in CfaPlane input, in RgbaPlane output, int greenParity, int redRowParity, int left, int top, int width, int height)
    {
        var tileWidth = width + 2 * Pad;
        var rows = height + 2 * Pad;
        var stride = StrideFor(tileWidth, 4);
        var buffer = ArrayPool<float>.Shared.Rent(stride * rows * (int)Plane.Count);
        try
        {
            // Tile pixel (y, x) is image pixel (top - Pad + y, left - Pad + x); Pad is even, so parities carry over.
            var tile = new Tile(buffer, tileWidth, rows, stride, greenParity ^ ((top + left) & 1), redRowParity ^ (top & 1));
            CfaTile.Load(input, left - Pad, top - Pad, tileWidth, rows, buffer.AsSpan(0, stride * rows), stride, encode: true);
            Differences(tile);
            Smooth(tile);
            FuseGreen(tile);
            ColourDifferences(tile);
            var (r, b) = Refine(tile);
            WriteRgba(tile, r, b, output, left, top, width, height);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Hamilton-Adams green-minus-colour differences along rows (valid x in [2, w-2)) and columns (y in [2, h-2)).</summary>
    private static void Differences(in Tile tile)
    {
        ref var m = ref tile[Plane.Mosaic];
        ref var dH = ref tile[Plane.DiffH];
        ref var dV = ref tile[Plane.DiffV];
        var s = tile.Stride;
        var half = new Vector<float>(0.5f);
        var quarter = new Vector<float>(0.25f);
        for (var y = 0; y < tile.Rows; y++)
        {
            // At green pixels the estimate is of the colour (diff = G - estimate), elsewhere of green (diff = estimate - sample).
            var sign = Vector.ConditionalSelect(tile.GreenLanes(y), Vector<float>.One, -Vector<float>.One);
            for (var x = 2; x < tile.Width - 2; x += Lanes)
            {
                var i = y * s + x;
                var c = Load(ref m, i);
                var estimate = half * (Load(ref m, i - 1) + Load(ref m, i + 1) + c) - quarter * (Load(ref m, i - 2) + Load(ref m, i + 2));
                Store(sign * (c - estimate), ref dH, i);
            }
            if (y < 2 || y >= tile.Rows - 2) continue;
            for (var x = 0; x < tile.Width; x += Lanes)
            {
                var i = y * s + x;
                var c = Load(ref m, i);
                var estimate = half * (Load(ref m, i - s) + Load(ref m, i + s) + c) - quarter * (Load(ref m, i - 2 * s) + Load(ref m, i + 2 * s));
                Store(sign * (c - estimate), ref dV, i);
            }
        }
    }

    /// <summary>9-tap Gaussian (sigma 2) of each difference along its own direction: the signal estimate.</summary>
    private static void Smooth(in Tile tile)
    {
        ref var dH = ref tile[Plane.DiffH];
        ref var dV = ref tile[Plane.DiffV];
        ref var sH = ref tile[Plane.SmoothH];
        ref var sV = ref tile[Plane.SmoothV];
        var s = tile.Stride;
        var g = Gaussian;
        for (var y = 0; y < tile.Rows; y++)
        {
            for (var x = 6; x < tile.Width - 6; x += Lanes)
            {
                var i = y * s + x;
                var sum = new Vector<float>(g[4]) * Load(ref dH, i);
                for (var k = 1; k <= 4; k++) sum += new Vector<float>(g[4 + k]) * (Load(ref dH, i - k) + Load(ref dH, i + k));
                Store(sum, ref sH, i);
            }
            if (y < 6 || y >= tile.Rows - 6) continue;
            for (var x = 0; x < tile.Width; x += Lanes)
            {
                var i = y * s + x;
                var sum = new Vector<float>(g[4]) * Load(ref dV, i);
                for (var k = 1; k <= 4; k++) sum += new Vector<float>(g[4 + k]) * (Load(ref dV, i - k * s) + Load(ref dV, i + k * s));
                Store(sum, ref sV, i);
            }
        }
    }

    /// <summary>
    /// LMMSE estimate of each direction's difference and its error variance, fused by those variances.
    /// Writes green-minus-own-colour at non-green pixels (valid in [10, size-10)).
    /// </summary>
    private static void FuseGreen(in Tile tile)
    {
        ref var dH = ref tile[Plane.DiffH];
        ref var dV = ref tile[Plane.DiffV];
        ref var sH = ref tile[Plane.SmoothH];
        ref var sV = ref tile[Plane.SmoothV];
        ref var own = ref tile[Plane.Own];
        var s = tile.Stride;
        for (var y = 10; y < tile.Rows - 10; y++)
        {
            var green = tile.GreenLanes(y);
            for (var x = 10; x < tile.Width - 10; x += Lanes)
            {
                var i = y * s + x;
                var (estimateH, errorH) = Estimate(ref dH, ref sH, i, 1);
                var (estimateV, errorV) = Estimate(ref dV, ref sV, i, s);
                var fused = (estimateH * errorV + estimateV * errorH) / (errorH + errorV);
                Store(Vector.ConditionalSelect(green, Vector<float>.Zero, fused), ref own, i);
            }
        }
    }

    private static (Vector<float> Estimate, Vector<float> Error) Estimate(ref float noisy, ref float smooth, int i, int step)
    {
        var sum = Vector<float>.Zero;
        var sumSquares = Vector<float>.Zero;
        var noise = Vector<float>.Zero;
        for (var k = -4; k <= 4; k++)
        {
            var signal = Load(ref smooth, i + k * step);
            var residual = Load(ref noisy, i + k * step) - signal;
            sum += signal;
            sumSquares += signal * signal;
            noise += residual * residual;
        }
        var ninth = new Vector<float>(1f / 9);
        var floor = new Vector<float>(VarianceFloor);
        var mean = sum * ninth;
        var signalVariance = Vector.Max(sumSquares * ninth - mean * mean, Vector<float>.Zero) + floor;
        var noiseVariance = noise * ninth + floor;
        var total = signalVariance + noiseVariance;
        var estimate = mean + signalVariance / total * (Load(ref noisy, i) - mean);
        return (estimate, signalVariance * noiseVariance / total);
    }

    /// <summary>
    /// Green-minus-red and green-minus-blue everywhere: at red/blue pixels the missing one averages the
    /// four diagonal neighbours (valid from 12 px in), at green pixels both average the four direct neighbours (from 14 px).
    /// </summary>
    private static void ColourDifferences(in Tile tile)
    {
        ref var own = ref tile[Plane.Own];
        ref var dR = ref tile[Plane.DiffR];
        ref var dB = ref tile[Plane.DiffB];
        var s = tile.Stride;
        var quarter = new Vector<float>(0.25f);
        for (var y = 12; y < tile.Rows - 12; y++)
        {
            var redRow = (y & 1) == tile.RedRowParity;
            for (var x = 12; x < tile.Width - 12; x += Lanes)
            {
                var i = y * s + x;
                var mine = Load(ref own, i);
                var other = quarter * (Load(ref own, i - s - 1) + Load(ref own, i - s + 1) + Load(ref own, i + s - 1) + Load(ref own, i + s + 1));
                Store(redRow ? mine : other, ref dR, i);
                Store(redRow ? other : mine, ref dB, i);
            }
        }
        for (var y = 14; y < tile.Rows - 14; y++)
        {
            var green = tile.GreenLanes(y);
            for (var x = 14; x < tile.Width - 14; x += Lanes)
            {
                var i = y * s + x;
                // Only green lanes change, and their four neighbours are not green: updating in place is safe.
                var red = quarter * (Load(ref dR, i - 1) + Load(ref dR, i + 1) + Load(ref dR, i - s) + Load(ref dR, i + s));
                var blue = quarter * (Load(ref dB, i - 1) + Load(ref dB, i + 1) + Load(ref dB, i - s) + Load(ref dB, i + s));
                Store(Vector.ConditionalSelect(green, red, Load(ref dR, i)), ref dR, i);
                Store(Vector.ConditionalSelect(green, blue, Load(ref dB, i)), ref dB, i);
            }
        }
    }

    /// <summary>3x3 median passes over both colour-difference planes; returns the planes holding the result.</summary>
    private static (Plane Red, Plane Blue) Refine(in Tile tile)
    {
        var (red, blue, spareRed, spareBlue) = (Plane.DiffR, Plane.DiffB, Plane.ScratchR, Plane.ScratchB);
        for (var pass = 0; pass < MedianPasses; pass++)
        {
            var margin = 15 + pass;
            Median3x3(tile, red, spareRed, margin);
            Median3x3(tile, blue, spareBlue, margin);
            (red, spareRed) = (spareRed, red);
            (blue, spareBlue) = (spareBlue, blue);
        }
        return (red, blue);
    }

    private static void Median3x3(in Tile tile, Plane source, Plane target, int margin)
    {
        ref var src = ref tile[source];
        ref var dst = ref tile[target];
        var s = tile.Stride;
        for (var y = margin; y < tile.Rows - margin; y++)
            for (var x = margin; x < tile.Width - margin; x += Lanes)
            {
                var i = y * s + x;
                Store(MedianOfNine(
                    Load(ref src, i - s - 1), Load(ref src, i - s), Load(ref src, i - s + 1),
                    Load(ref src, i - 1), Load(ref src, i), Load(ref src, i + 1),
                    Load(ref src, i + s - 1), Load(ref src, i + s), Load(ref src, i + s + 1)), ref dst, i);
            }
    }

    /// <summary>Median of nine by the classic 19-exchange network (Paeth / Devillard).</summary>
    internal static Vector<float> MedianOfNine(
        Vector<float> p0, Vector<float> p1, Vector<float> p2, Vector<float> p3, Vector<float> p4,
        Vector<float> p5, Vector<float> p6, Vector<float> p7, Vector<float> p8)
    {
        Sort(ref p1, ref p2); Sort(ref p4, ref p5); Sort(ref p7, ref p8);
        Sort(ref p0, ref p1); Sort(ref p3, ref p4); Sort(ref p6, ref p7);
        Sort(ref p1, ref p2); Sort(ref p4, ref p5); Sort(ref p7, ref p8);
        Sort(ref p0, ref p3); Sort(ref p5, ref p8); Sort(ref p4, ref p7);
        Sort(ref p3, ref p6); Sort(ref p1, ref p4); Sort(ref p2, ref p5);
        Sort(ref p4, ref p7); Sort(ref p4, ref p2); Sort(ref p6, ref p4);
        Sort(ref p4, ref p2);
        return p4;
    }

    private static void Sort(ref Vector<float> low, ref Vector<float> high)
    {
        var min = Vector.Min(low, high);
        high = Vector.Max(low, high);
        low = min;
    }

    /// <summary>Each pixel keeps its CFA sample and rebuilds the other two from the colour differences, decoded to linear.</summary>
    private static void WriteRgba(in Tile tile, Plane red, Plane blue, in RgbaPlane output, int left, int top, int width, int height)
    {
        ref var m = ref tile[Plane.Mosaic];
        ref var dR = ref tile[red];
        ref var dB = ref tile[blue];
        var pixels = output.Data.Span;
        for (var y = 0; y < height; y++)
        {
            var ty = y + Pad;
            var redRow = (ty & 1) == tile.RedRowParity;
            var row = pixels.Slice((top + y) * output.Stride + left * 4, width * 4);
            var i = ty * tile.Stride + Pad;
            for (var x = 0; x < width; x++, i++)
            {
                var sample = System.Runtime.CompilerServices.Unsafe.Add(ref m, i);
                var toRed = System.Runtime.CompilerServices.Unsafe.Add(ref dR, i);
                var toBlue = System.Runtime.CompilerServices.Unsafe.Add(ref dB, i);
                float g;
                if (((ty + x + Pad) & 1) == tile.GreenParity) g = sample;
                else g = sample + (redRow ? toRed : toBlue);
                row[4 * x] = PerceptualCurve.Decode(g - toRed);
                row[4 * x + 1] = PerceptualCurve.Decode(g);
                row[4 * x + 2] = PerceptualCurve.Decode(g - toBlue);
            }
        }
    }
}
