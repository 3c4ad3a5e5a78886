using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RawEngine.Iop.Shared;
using static RawEngine.Iop.Demosaic.Algorithms.TilePlanes;

namespace RawEngine.Iop.Demosaic.Algorithms;

/// <summary>
/// Bayer demosaic after Zhang &amp; Wu (2005), "Color demosaicking via directional linear minimum mean
/// square-error estimation", run on a perceptually encoded mosaic:
/// <list type="number">
/// <item>Along rows and columns, a Hamilton-Adams estimate gives a noisy green-minus-colour difference at every pixel.</item>
/// <item>Each direction's difference is denoised by LMMSE (signal = Gaussian-smoothed difference, statistics over
/// 9 taps), and the two are fused by their estimation error variances; green = sample + fused difference.</item>
/// <item>Red/blue at blue/red pixels from the four diagonal colour differences, then at green pixels from the four
/// direct neighbours, each weighted by the inverse green gradient towards it.</item>
/// </list>
/// Works on tiles with a mirrored halo. Written so that a flat field stays exactly flat (every difference is exactly 0).
/// </summary>
internal static class LmmseDemosaic
{
    /// <summary>Pixels from the image edge whose neighbourhood is partly mirrored (less accurate).</summary>
    public const int BorderPixels = 13;
    private const int Pad = 16;
    private const int TileWidth = 256;
    private const int TileHeight = 128;
    private const float VarianceFloor = 1e-10f;
    /// <summary>Keeps inverse-gradient weights finite in flat areas (encoded units, white = 1).</summary>
    private const float GradientFloor = 0.1f;
    private static readonly float[] Gaussian = GaussianTaps();

    private enum Plane { Mosaic, DiffH, DiffV, SmoothH, SmoothV, Own, Green, DiffR, DiffB, Count }

    /// <summary>Demosaics the <paramref name="output"/>-sized region at (<paramref name="left"/>, <paramref name="top"/>) of the input; alpha 1 when <paramref name="opaque"/>.</summary>
    public static void Run(CfaPlane input, RgbaPlane output, int left, int top, bool opaque, CancellationToken ct)
    {
        // Green sits where (row + column) has this parity, counted from the plane's origin.
        var greenParity = input.Pattern.ColorAt(0, 0) == 1 ? 0 : 1;
        var redRowParity = input.Pattern.ColorAt(0, 0) == 0 || input.Pattern.ColorAt(0, 1) == 0 ? 0 : 1;
        TileGrid.ForEach(output.Width, output.Height, TileWidth, TileHeight, ct,
            (x, y, width, height) => ProcessTile(input, output, greenParity, redRowParity, left + x, top + y, width, height, x, y, opaque));
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

    /// <summary>The tile at input (<paramref name="left"/>, <paramref name="top"/>), written at output (<paramref name="outputLeft"/>, <paramref name="outputTop"/>).</summary>
    private static void ProcessTile(in CfaPlane input, in RgbaPlane output, int greenParity, int redRowParity,
        int left, int top, int width, int height, int outputLeft, int outputTop, bool opaque)
    {
        var tileWidth = width + 2 * Pad;
        var rows = height + 2 * Pad;
        var stride = StrideFor(tileWidth, 4);
        var buffer = ArrayPool<float>.Shared.Rent(stride * rows * (int)Plane.Count);
        try
        {
            // Tile pixel (y, x) is input pixel (top - Pad + y, left - Pad + x); Pad is even, so parities carry over.
            var tile = new Tile(buffer, tileWidth, rows, stride, greenParity ^ ((top + left) & 1), redRowParity ^ (top & 1));
            CfaTile.Load(input, left - Pad, top - Pad, tileWidth, rows, buffer.AsSpan(0, stride * rows), stride, encode: true);
            Differences(tile);
            Smooth(tile);
            FuseGreen(tile);
            ColourDifferences(tile);
            WriteRgba(tile, output, outputLeft, outputTop, width, height, opaque);
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
                var estimate = half * (Load(ref m, i - 1) + Load(ref m, i + 1)) + quarter * (c + c - Load(ref m, i - 2) - Load(ref m, i + 2));
                Store(sign * (c - estimate), ref dH, i);
            }
            if (y < 2 || y >= tile.Rows - 2) continue;
            for (var x = 0; x < tile.Width; x += Lanes)
            {
                var i = y * s + x;
                var c = Load(ref m, i);
                var estimate = half * (Load(ref m, i - s) + Load(ref m, i + s)) + quarter * (c + c - Load(ref m, i - 2 * s) - Load(ref m, i + 2 * s));
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
                for (var k = 1; k <= 4; k++) sum = Vector.MultiplyAddEstimate(new Vector<float>(g[4 + k]), Load(ref dH, i - k) + Load(ref dH, i + k), sum);
                Store(sum, ref sH, i);
            }
            if (y < 6 || y >= tile.Rows - 6) continue;
            for (var x = 0; x < tile.Width; x += Lanes)
            {
                var i = y * s + x;
                var sum = new Vector<float>(g[4]) * Load(ref dV, i);
                for (var k = 1; k <= 4; k++) sum = Vector.MultiplyAddEstimate(new Vector<float>(g[4 + k]), Load(ref dV, i - k * s) + Load(ref dV, i + k * s), sum);
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
        ref var m = ref tile[Plane.Mosaic];
        ref var gp = ref tile[Plane.Green];
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
                var ownDiff = Vector.ConditionalSelect(green, Vector<float>.Zero, fused);
                Store(ownDiff, ref own, i);
                Store(Load(ref m, i) + ownDiff, ref gp, i);
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
            sumSquares = Vector.MultiplyAddEstimate(signal, signal, sumSquares);
            noise = Vector.MultiplyAddEstimate(residual, residual, noise);
        }
        var ninth = new Vector<float>(1f / 9);
        var floor = new Vector<float>(VarianceFloor);
        var mean = sum * ninth;
        var signalVariance = Vector.Max(sumSquares * ninth - mean * mean, Vector<float>.Zero) + floor;
        var noiseVariance = noise * ninth + floor;
        var gain = signalVariance / (signalVariance + noiseVariance);
        var estimate = mean + gain * (Load(ref noisy, i) - mean);
        return (estimate, gain * noiseVariance);
    }

    /// <summary>Distance to a neighbour across the green gradient towards it: neighbours across an edge count little.</summary>
    private static Vector<float> EdgeDistance(Vector<float> gradient) => new Vector<float>(GradientFloor) + gradient;

    /// <summary>
    /// Green-minus-red and green-minus-blue everywhere: at red/blue pixels the missing one averages the
    /// four diagonal neighbours (valid from 12 px in), at green pixels both average the four direct neighbours (from 14 px),
    /// each weighted by the inverse of its <see cref="EdgeDistance"/>.
    /// </summary>
    private static void ColourDifferences(in Tile tile)
    {
        ref var own = ref tile[Plane.Own];
        ref var g = ref tile[Plane.Green];
        ref var dR = ref tile[Plane.DiffR];
        ref var dB = ref tile[Plane.DiffB];
        var s = tile.Stride;
        for (var y = 12; y < tile.Rows - 12; y++)
        {
            var redRow = (y & 1) == tile.RedRowParity;
            for (var x = 12; x < tile.Width - 12; x += Lanes)
            {
                var i = y * s + x;
                var centre = Load(ref g, i);
                var weights = new InverseDistances(
                    DiagonalDistance(ref g, centre, i, -s - 1), DiagonalDistance(ref g, centre, i, -s + 1),
                    DiagonalDistance(ref g, centre, i, s - 1), DiagonalDistance(ref g, centre, i, s + 1));
                var other = weights.Mean(Load(ref own, i - s - 1), Load(ref own, i - s + 1), Load(ref own, i + s - 1), Load(ref own, i + s + 1));
                var mine = Load(ref own, i);
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
                var centre = Load(ref g, i);
                var weights = new InverseDistances(
                    DirectDistance(ref g, centre, i, -1), DirectDistance(ref g, centre, i, 1),
                    DirectDistance(ref g, centre, i, -s), DirectDistance(ref g, centre, i, s));
                var scale = weights.InverseTotal();
                var red = weights.WeightedSum(Load(ref dR, i - 1), Load(ref dR, i + 1), Load(ref dR, i - s), Load(ref dR, i + s)) * scale;
                var blue = weights.WeightedSum(Load(ref dB, i - 1), Load(ref dB, i + 1), Load(ref dB, i - s), Load(ref dB, i + s)) * scale;
                // Only green lanes change, and their four neighbours are not green: updating in place is safe.
                Store(Vector.ConditionalSelect(green, red, Load(ref dR, i)), ref dR, i);
                Store(Vector.ConditionalSelect(green, blue, Load(ref dB, i)), ref dB, i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> DiagonalDistance(ref float g, Vector<float> centre, int i, int o)
    {
        var near = Load(ref g, i + o);
        return EdgeDistance(Vector.Abs(centre - near) + Vector.Abs(near - Load(ref g, i + 2 * o)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> DirectDistance(ref float g, Vector<float> centre, int i, int o) =>
        EdgeDistance(Vector.Abs(centre - Load(ref g, i + 2 * o)) + Vector.Abs(Load(ref g, i + o) - Load(ref g, i - o)));

    /// <summary>
    /// Weights 1/d0 .. 1/d3, carried multiplied through by d0 d1 d2 d3 (d1 d2 d3, d0 d2 d3, ...), so a weighted mean
    /// costs one division rather than five.
    /// </summary>
    private readonly struct InverseDistances(Vector<float> d0, Vector<float> d1, Vector<float> d2, Vector<float> d3)
    {
        private readonly Vector<float> _w0 = d1 * (d2 * d3), _w1 = d0 * (d2 * d3), _w2 = d3 * (d0 * d1), _w3 = d2 * (d0 * d1);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<float> WeightedSum(Vector<float> x0, Vector<float> x1, Vector<float> x2, Vector<float> x3) =>
            Vector.MultiplyAddEstimate(_w3, x3, Vector.MultiplyAddEstimate(_w2, x2, Vector.MultiplyAddEstimate(_w1, x1, _w0 * x0)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<float> InverseTotal() => Vector<float>.One / (_w0 + _w1 + _w2 + _w3);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<float> Mean(Vector<float> x0, Vector<float> x1, Vector<float> x2, Vector<float> x3) => WeightedSum(x0, x1, x2, x3) / (_w0 + _w1 + _w2 + _w3);
    }

    /// <summary>
    /// Red and blue from green and the colour differences (a red or blue pixel keeps its own sample), decoded to linear;
    /// alpha 1 when <paramref name="opaque"/>, else left as it was.
    /// </summary>
    private static void WriteRgba(in Tile tile, in RgbaPlane output, int left, int top, int width, int height, bool opaque)
    {
        ref var g = ref tile[Plane.Green];
        ref var dR = ref tile[Plane.DiffR];
        ref var dB = ref tile[Plane.DiffB];
        var pixels = output.Data.Span;
        Span<float> red = stackalloc float[Lanes];
        Span<float> green = stackalloc float[Lanes];
        Span<float> blue = stackalloc float[Lanes];
        for (var y = 0; y < height; y++)
        {
            ref var row = ref pixels.Slice((top + y) * output.Stride + left * 4, width * 4)[0];
            var start = (y + Pad) * tile.Stride + Pad;
            var x = Avx.IsSupported && Lanes == 8 ? WriteRowAvx(ref g, ref dR, ref dB, start, ref row, width, opaque) : 0;
            for (; x < width; x += Lanes)
            {
                var i = start + x;
                var gv = Load(ref g, i);
                PerceptualCurve.Decode(gv - Load(ref dR, i)).CopyTo(red);
                PerceptualCurve.Decode(gv).CopyTo(green);
                PerceptualCurve.Decode(gv - Load(ref dB, i)).CopyTo(blue);
                var count = Math.Min(Lanes, width - x);
                ref var pixel = ref Unsafe.Add(ref row, 4 * x);
                for (var k = 0; k < count; k++)
                {
                    Unsafe.Add(ref pixel, 4 * k) = red[k];
                    Unsafe.Add(ref pixel, 4 * k + 1) = green[k];
                    Unsafe.Add(ref pixel, 4 * k + 2) = blue[k];
                    if (opaque) Unsafe.Add(ref pixel, 4 * k + 3) = 1f;
                }
            }
        }
    }

    /// <summary>Whole groups of eight pixels of a row, interleaved to RGBA in registers; returns how many pixels it wrote.</summary>
    private static int WriteRowAvx(ref float g, ref float dR, ref float dB, int start, ref float row, int width, bool opaque)
    {
        var x = 0;
        for (; x + 8 <= width; x += 8)
        {
            var i = start + x;
            var gv = Load(ref g, i);
            var r = PerceptualCurve.Decode(gv - Load(ref dR, i)).AsVector256();
            var b = PerceptualCurve.Decode(gv - Load(ref dB, i)).AsVector256();
            var green = PerceptualCurve.Decode(gv).AsVector256();
            // r0 g0 r1 g1 | r4 g4 r5 g5 and b0 1 b1 1 | b4 1 b5 1, then pixel pairs 0|4, 1|5, 2|6, 3|7, then in order.
            var rgLow = Avx.UnpackLow(r, green).AsDouble();
            var rgHigh = Avx.UnpackHigh(r, green).AsDouble();
            var baLow = Avx.UnpackLow(b, Vector256<float>.One).AsDouble();
            var baHigh = Avx.UnpackHigh(b, Vector256<float>.One).AsDouble();
            var p04 = Avx.UnpackLow(rgLow, baLow).AsSingle();
            var p15 = Avx.UnpackHigh(rgLow, baLow).AsSingle();
            var p26 = Avx.UnpackLow(rgHigh, baHigh).AsSingle();
            var p37 = Avx.UnpackHigh(rgHigh, baHigh).AsSingle();
            ref var pixel = ref Unsafe.Add(ref row, 4 * x);
            Put(Avx.Permute2x128(p04, p15, 0x20), ref pixel, 0, opaque);
            Put(Avx.Permute2x128(p26, p37, 0x20), ref pixel, 8, opaque);
            Put(Avx.Permute2x128(p04, p15, 0x31), ref pixel, 16, opaque);
            Put(Avx.Permute2x128(p26, p37, 0x31), ref pixel, 24, opaque);
        }
        return x;
    }

    /// <summary>Stores two RGBA pixels, keeping the alpha already there unless <paramref name="opaque"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector256<float> pixels, ref float target, int offset, bool opaque)
    {
        if (!opaque) pixels = Avx.BlendVariable(pixels, Vector256.LoadUnsafe(ref target, (nuint)offset), TableLookup.AlphaLanes);
        pixels.StoreUnsafe(ref target, (nuint)offset);
    }
}
