using System.Buffers;
using System.Numerics.Tensors;

namespace RawEngine.AI.Segmentation;

/// <summary>
/// Refines a decoder's mask against the picture, whatever network made it (it reads only the 256x256 logits
/// and the frame the encoder saw). On the logit grid, around the object: a GrabCut-like colour model — RGB
/// histograms of the inside and the outside weighted by the current mask, the positive clicks' neighbourhoods
/// making up most of the inside's, every click's neighbourhood held to its label — adds its log-likelihood ratio
/// to a tenth of the network's (clamped) logits, and a few
/// mean-field rounds with contrast-sensitive neighbour weights smooth the result along the picture's edges;
/// the model is re-estimated once from the new mask. Then the logits are upsampled to frame pixels,
/// joint-bilaterally where the mask is uncertain (each pixel takes the cells whose colour it shares), so
/// that edges follow the picture at frame resolution rather than the grid's.
/// </summary>
public sealed class MaskRefiner
{
    private const int Side = SamFrame.LowResSide;
    private const int Bins = FrameGuide.BinsPerChannel * FrameGuide.BinsPerChannel * FrameGuide.BinsPerChannel;

    /// <summary>
    /// How far the network's logits are believed: clamped, then weighed lightly against the colour model, so that a
    /// confident network that leaked into a neighbour of another colour does not outvote the picture (it still
    /// starts the colour model, and decides where the colours do not). Tuned on held-out scenes (seeds 140000-140047
    /// of HeldOutScenes) against the training generator's scenes.
    /// </summary>
    private const float PriorClamp = 6f;
    private const float PriorWeight = 0.1f;
    private const float RatioClamp = 5f;
    private const float SmoothWeight = 1f;
    private const int ModelRounds = 2;
    private const int SmoothRounds = 4;
    /// <summary>Cells around each click held to its label, and the share of the inside's colour model that positive clicks make.</summary>
    private const int ClickRadius = 2;
    private const float ClickShare = 0.85f;
    private const float ClickLogit = 12f;
    /// <summary>Cells of the background model beyond the object's box: at least this many, or half the box.</summary>
    private const int MinMargin = 8;
    /// <summary>Frame pixels whose neighbouring cells all agree past this are upsampled bilinearly; the rest joint-bilaterally.</summary>
    private const float Settled = 3f;
    private const float ColourSigma = 20f;

    private readonly FrameGuide _guide;
    private readonly PromptPoint[] _points;

    /// <summary>A refiner for the prompts <paramref name="points"/> (image pixels, in click order) on the picture <paramref name="guide"/>.</summary>
    public MaskRefiner(FrameGuide guide, IReadOnlyList<PromptPoint> points)
    {
        _guide = guide;
        _points = [.. points];
    }

    /// <summary>Refines the 256x256 <paramref name="logits"/> in place (cells outside the object's neighbourhood are left alone).</summary>
    internal void RefineCells(Span<float> logits, SamFrame frame)
    {
        var (x0, y0, x1, y1) = Region(logits, frame);
        if (x1 <= x0 || y1 <= y0) return;
        int w = x1 - x0, n = w * (y1 - y0);
        var pool = ArrayPool<float>.Shared;
        float[] prior = pool.Rent(n), q = pool.Rent(n), field = pool.Rent(n), right = pool.Rent(n), down = pool.Rent(n);
        float[] inside = pool.Rent(Bins), outside = pool.Rent(Bins), smoothed = pool.Rent(Bins), ratio = pool.Rent(Bins), clicked = pool.Rent(Bins);
        var held = ArrayPool<sbyte>.Shared.Rent(n);
        try
        {
            // A network that leaves every positive click outside its mask has not found the object: its logits
            // are no evidence then, and the colour model starts from the clicks alone.
            bool anyPositive = false, found = false;
            foreach (var point in _points.Where(p => p.Positive))
            {
                var (cx, cy) = Cell(point, frame);
                (anyPositive, found) = (true, found || logits[cy * Side + cx] > 0);
            }
            var trusted = found || !anyPositive;
            for (var y = y0; y < y1; y++)
                for (var x = x0; x < x1; x++)
                {
                    var i = (y - y0) * w + x - x0;
                    prior[i] = trusted ? Math.Clamp(logits[y * Side + x], -PriorClamp, PriorClamp) : 0;
                    q[i] = trusted ? Sigmoid(prior[i]) : 0;
                }
            HoldClicks(held.AsSpan(0, n), x0, y0, x1, y1, frame);
            NeighbourWeights(right, down, x0, y0, x1, y1);
            for (var round = 0; round < ModelRounds; round++)
            {
                Histograms(q, held, inside, outside, clicked, x0, y0, x1, y1);
                LogRatio(inside, outside, smoothed, ratio);
                for (var y = y0; y < y1; y++)
                    for (var x = x0; x < x1; x++)
                    {
                        var i = (y - y0) * w + x - x0;
                        field[i] = PriorWeight * prior[i] + Math.Clamp(ratio[_guide.CellBin[y * Side + x]], -RatioClamp, RatioClamp);
                    }
                MeanField(field, q, right, down, held, w, y1 - y0, logits, x0, y0);
            }
        }
        finally
        {
            foreach (var array in new[] { prior, q, field, right, down, inside, outside, smoothed, ratio, clicked }) pool.Return(array);
            ArrayPool<sbyte>.Shared.Return(held);
        }
    }

    /// <summary>
    /// The frame-resolution logits (<see cref="FrameGuide.Width"/> x <see cref="FrameGuide.Height"/>) of the refined
    /// cells: bilinear where the neighbouring cells agree, elsewhere each pixel's average of the 4x4 cells around it
    /// weighted by distance and by how close the cell's colour is to the pixel's.
    /// </summary>
    internal void Upsample(float[] logits, float[] fine)
    {
        int width = _guide.Width, height = _guide.Height, cw = _guide.CellsWide, ch = _guide.CellsHigh;
        const float per = FrameGuide.CellSide;
        var unsettled = ArrayPool<bool>.Shared.Rent(Side * Side);
        var columns = ArrayPool<int>.Shared.Rent(2 * width);
        var fractions = ArrayPool<float>.Shared.Rent(width);
        try
        {
            // A 2x2 block of cells is settled when all four lie past Settled on one side: its pixels need only the bilinear value.
            for (var j = 0; j < ch; j++)
                for (var i = 0; i < cw; i++)
                {
                    int i1 = Math.Min(i + 1, cw - 1), j1 = Math.Min(j + 1, ch - 1);
                    float a = logits[j * Side + i], b = logits[j * Side + i1], c = logits[j1 * Side + i], d = logits[j1 * Side + i1];
                    float low = Math.Min(Math.Min(a, b), Math.Min(c, d)), high = Math.Max(Math.Max(a, b), Math.Max(c, d));
                    unsettled[j * Side + i] = low <= Settled && high >= -Settled;
                }
            for (var x = 0; x < width; x++)
            {
                var u = (x + 0.5f) / per - 0.5f;
                var i0 = (int)MathF.Floor(u);
                (columns[2 * x], columns[2 * x + 1], fractions[x]) = (Math.Clamp(i0, 0, cw - 1), Math.Clamp(i0 + 1, 0, cw - 1), u - i0);
            }
            Parallel.For(0, height, () => new float[cw], (y, _, line) =>
            {
                var v = (y + 0.5f) / per - 0.5f;
                var j0 = (int)MathF.Floor(v);
                int ja = Math.Clamp(j0, 0, ch - 1), jb = Math.Clamp(j0 + 1, 0, ch - 1);
                var top = logits.AsSpan(ja * Side, cw);
                TensorPrimitives.Subtract(logits.AsSpan(jb * Side, cw), top, line);
                TensorPrimitives.MultiplyAdd(line, v - j0, top, line);
                var row = fine.AsSpan(y * width, width);
                for (var x = 0; x < width; x++)
                {
                    int ia = columns[2 * x], ib = columns[2 * x + 1];
                    var bilinear = line[ia] + fractions[x] * (line[ib] - line[ia]);
                    row[x] = unsettled[ja * Side + ia] ? Joint(logits, x, y, bilinear) : bilinear;
                }
                return line;
            }, _ => { });
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(unsettled);
            ArrayPool<int>.Shared.Return(columns);
            ArrayPool<float>.Shared.Return(fractions);
        }
    }

    /// <summary>Frame pixel (x, y)'s joint-bilateral logit: the 4x4 cells around it weighted by distance and by likeness of colour.</summary>
    private float Joint(float[] logits, int x, int y, float bilinear)
    {
        const float per = FrameGuide.CellSide;
        const float colourScale = 1f / (4 * ColourSigma * ColourSigma);
        int cw = _guide.CellsWide, ch = _guide.CellsHigh;
        float u = (x + 0.5f) / per - 0.5f, v = (y + 0.5f) / per - 0.5f;
        int i0 = (int)MathF.Floor(u), j0 = (int)MathF.Floor(v);
        var p = 3 * (y * _guide.Width + x);
        var rgb = _guide.Rgb;
        var colours = _guide.CellColour;
        float r = rgb[p], g = rgb[p + 1], b = rgb[p + 2];
        float sum = 0, weights = 0;
        for (var j = Math.Max(0, j0 - 1); j <= Math.Min(ch - 1, j0 + 2); j++)
        {
            var wy = 1 - MathF.Abs(v - j) / 2;
            for (var i = Math.Max(0, i0 - 1); i <= Math.Min(cw - 1, i0 + 2); i++)
            {
                var cell = j * Side + i;
                float dr = r - colours[3 * cell], dg = g - colours[3 * cell + 1], db = b - colours[3 * cell + 2];
                // A Cauchy-like falloff in colour: Gaussian-shaped near, no exponential to pay per tap.
                var likeness = 1 / (1 + (dr * dr + dg * dg + db * db) * colourScale);
                var weight = wy * (1 - MathF.Abs(u - i) / 2) * likeness * likeness;
                sum += weight * logits[cell];
                weights += weight;
            }
        }
        return weights > 1e-6f ? sum / weights : bilinear;
    }

    /// <summary>The cells the colour model works on: the box of the positive cells and positive clicks, widened on each side.</summary>
    private (int X0, int Y0, int X1, int Y1) Region(ReadOnlySpan<float> logits, SamFrame frame)
    {
        int cw = _guide.CellsWide, ch = _guide.CellsHigh;
        int x0 = cw, y0 = ch, x1 = -1, y1 = -1;
        for (var y = 0; y < ch; y++)
            for (var x = 0; x < cw; x++)
                if (logits[y * Side + x] > 0)
                    (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x), Math.Max(y1, y));
        foreach (var point in _points)
        {
            var (x, y) = Cell(point, frame);
            (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x), Math.Max(y1, y));
        }
        if (x1 < 0) return default;
        int mx = Math.Max(MinMargin, (x1 - x0 + 1) / 2), my = Math.Max(MinMargin, (y1 - y0 + 1) / 2);
        return (Math.Max(0, x0 - mx), Math.Max(0, y0 - my), Math.Min(cw, x1 + 1 + mx), Math.Min(ch, y1 + 1 + my));
    }

    private (int X, int Y) Cell(PromptPoint point, SamFrame frame) =>
        (Math.Clamp((int)MathF.Round((float)((point.X + 0.5) * frame.Scale / FrameGuide.CellSide - 0.5)), 0, _guide.CellsWide - 1),
         Math.Clamp((int)MathF.Round((float)((point.Y + 0.5) * frame.Scale / FrameGuide.CellSide - 0.5)), 0, _guide.CellsHigh - 1));

    /// <summary>+1 / -1 on the cells within <see cref="ClickRadius"/> of a positive / negative click (a later click wins), 0 elsewhere.</summary>
    private void HoldClicks(Span<sbyte> held, int x0, int y0, int x1, int y1, SamFrame frame)
    {
        held.Clear();
        var w = x1 - x0;
        foreach (var point in _points)
        {
            var (cx, cy) = Cell(point, frame);
            for (var y = Math.Max(y0, cy - ClickRadius); y < Math.Min(y1, cy + ClickRadius + 1); y++)
                for (var x = Math.Max(x0, cx - ClickRadius); x < Math.Min(x1, cx + ClickRadius + 1); x++)
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= ClickRadius * ClickRadius)
                        held[(y - y0) * w + x - x0] = point.Positive ? (sbyte)1 : (sbyte)-1;
        }
    }

    /// <summary>Contrast-sensitive weights to the right and lower neighbours: exp(-beta |dC|^2), beta from the mean contrast (GrabCut's).</summary>
    private void NeighbourWeights(float[] right, float[] down, int x0, int y0, int x1, int y1)
    {
        var w = x1 - x0;
        var colours = _guide.CellColour;
        double total = 0;
        var count = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            var beta = count == 0 ? 0f : (float)(count / (2 * Math.Max(total, 1e-6)));
            for (var y = y0; y < y1; y++)
                for (var x = x0; x < x1; x++)
                {
                    var i = (y - y0) * w + x - x0;
                    var here = y * Side + x;
                    var toRight = x + 1 < x1 ? Contrast(colours, here, here + 1) : -1;
                    var below = y + 1 < y1 ? Contrast(colours, here, here + Side) : -1;
                    if (pass == 0)
                    {
                        if (toRight >= 0) (total, count) = (total + toRight, count + 1);
                        if (below >= 0) (total, count) = (total + below, count + 1);
                        continue;
                    }
                    right[i] = toRight >= 0 ? MathF.Exp(-beta * toRight) : 0;
                    down[i] = below >= 0 ? MathF.Exp(-beta * below) : 0;
                }
        }

        static float Contrast(float[] colours, int a, int b)
        {
            float dr = colours[3 * a] - colours[3 * b], dg = colours[3 * a + 1] - colours[3 * b + 1], db = colours[3 * a + 2] - colours[3 * b + 2];
            return dr * dr + dg * dg + db * db;
        }
    }

    /// <summary>
    /// Colour histograms of the inside (weights q) and the outside (1 - q), each normalised. The cells held by
    /// positive clicks make up <see cref="ClickShare"/> of the inside's histogram (a click is the surest sample of the
    /// object's colour); those held by negative clicks count once on the outside, whose colours are many.
    /// </summary>
    private void Histograms(float[] q, sbyte[] held, float[] inside, float[] outside, float[] clicked, int x0, int y0, int x1, int y1)
    {
        var w = x1 - x0;
        Array.Clear(inside, 0, Bins);
        Array.Clear(outside, 0, Bins);
        Array.Clear(clicked, 0, Bins);
        float mass = 0, clicks = 0, outsideMass = 0;
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++)
            {
                var i = (y - y0) * w + x - x0;
                var bin = _guide.CellBin[y * Side + x];
                var weight = held[i] > 0 ? 1 : held[i] < 0 ? 0 : q[i];
                if (held[i] > 0) (clicked[bin], clicks) = (clicked[bin] + 1, clicks + 1);
                else (inside[bin], mass) = (inside[bin] + weight, mass + weight);
                (outside[bin], outsideMass) = (outside[bin] + 1 - weight, outsideMass + 1 - weight);
            }
        var share = clicks > 0 ? (mass > 0 ? ClickShare : 1) : 0;
        for (var b = 0; b < Bins; b++)
        {
            inside[b] = (mass > 0 ? (1 - share) * inside[b] / mass : 0) + (clicks > 0 ? share * clicked[b] / clicks : 0);
            outside[b] /= Math.Max(outsideMass, 1e-6f);
        }
    }

    /// <summary>log(p_inside / p_outside) per bin, each density smoothed over the 3x3x3 neighbouring bins.</summary>
    private static void LogRatio(float[] inside, float[] outside, float[] smoothed, float[] ratio)
    {
        Smooth(inside, smoothed);
        var insideTotal = Total(smoothed);
        for (var b = 0; b < Bins; b++) ratio[b] = smoothed[b] / insideTotal;
        Smooth(outside, smoothed);
        var outsideTotal = Total(smoothed);
        const float floor = 1e-3f;
        for (var b = 0; b < Bins; b++) ratio[b] = MathF.Log((ratio[b] + floor) / (smoothed[b] / outsideTotal + floor));

        static float Total(float[] h)
        {
            float sum = 0;
            for (var b = 0; b < Bins; b++) sum += h[b];
            return Math.Max(sum, 1e-6f);
        }
    }

    /// <summary>The 3x3x3 box sum over neighbouring bins, one axis at a time.</summary>
    private static void Smooth(float[] histogram, float[] smoothed)
    {
        const int k = FrameGuide.BinsPerChannel;
        Span<float> scratch = stackalloc float[Bins];
        histogram.AsSpan(0, Bins).CopyTo(smoothed);
        foreach (var stride in (ReadOnlySpan<int>)[1, k, k * k])
        {
            smoothed.AsSpan(0, Bins).CopyTo(scratch);
            for (var bin = 0; bin < Bins; bin++)
            {
                var position = bin / stride % k;
                var sum = scratch[bin];
                if (position > 0) sum += scratch[bin - stride];
                if (position < k - 1) sum += scratch[bin + stride];
                smoothed[bin] = sum;
            }
        }
    }

    /// <summary>
    /// Mean-field rounds: each cell's logit is its own evidence plus, from each neighbour, the contrast weight times
    /// how sure that neighbour is of its side (2q - 1); held cells keep their click's label. Writes the logits out.
    /// </summary>
    private static void MeanField(float[] field, float[] q, float[] right, float[] down, sbyte[] held, int w, int h, Span<float> logits, int x0, int y0)
    {
        // Start from the evidence alone (as mean-field inference does), not from the last mask: a leak the evidence
        // disowns must not hold itself up through its own neighbours.
        for (var i = 0; i < w * h; i++) q[i] = held[i] != 0 ? (held[i] > 0 ? 1 : 0) : Sigmoid(field[i]);
        for (var round = 0; round < SmoothRounds; round++)
        {
            var last = round == SmoothRounds - 1;
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    var i = y * w + x;
                    float push = 0;
                    if (x + 1 < w) push += right[i] * (2 * q[i + 1] - 1);
                    if (x > 0) push += right[i - 1] * (2 * q[i - 1] - 1);
                    if (y + 1 < h) push += down[i] * (2 * q[i + w] - 1);
                    if (y > 0) push += down[i - w] * (2 * q[i - w] - 1);
                    var logit = held[i] != 0 ? held[i] * ClickLogit : field[i] + SmoothWeight * push;
                    // In place (Gauss-Seidel order): converges in fewer rounds than keeping the old q.
                    q[i] = Sigmoid(logit);
                    if (last) logits[(y0 + y) * Side + x0 + x] = logit;
                }
        }
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
