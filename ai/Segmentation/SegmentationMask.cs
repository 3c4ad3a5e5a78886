using System.Buffers;
using System.Numerics.Tensors;
using RawEngine.AI.Kernels;
using RawEngine.Engine.Imaging;

namespace RawEngine.AI.Segmentation;

/// <summary>
/// A decoded object mask at image size: coverage 0..1 per pixel (soft at the edge; 0.5 is the boundary),
/// rows packed. The coverage is pooled: dispose the mask when done.
/// </summary>
public sealed class SegmentationMask : IDisposable
{
    private float[]? _coverage;

    private SegmentationMask(float[] coverage, int width, int height, float score, int index, int area, bool keptComponent)
    {
        _coverage = coverage;
        Width = width;
        Height = height;
        Score = score;
        MaskIndex = index;
        Area = area;
        KeptComponent = keptComponent;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Coverage of every pixel, <see cref="Width"/> x <see cref="Height"/>.</summary>
    public ReadOnlySpan<float> Coverage => (_coverage ?? throw new ObjectDisposedException(nameof(SegmentationMask))).AsSpan(0, Width * Height);

    public ReadOnlyMemory<float> CoverageMemory => (_coverage ?? throw new ObjectDisposedException(nameof(SegmentationMask))).AsMemory(0, Width * Height);

    /// <summary>The decoder's predicted IoU of the chosen mask.</summary>
    public float Score { get; }

    /// <summary>Which of the decoder's masks was chosen.</summary>
    public int MaskIndex { get; }

    /// <summary>Pixels with coverage at least 0.5.</summary>
    public int Area { get; }

    /// <summary>True when only the connected component under the last positive click was kept; false when
    /// there was no positive click or the decoder's mask missed it (then the whole mask stands).</summary>
    public bool KeptComponent { get; }

    /// <summary>1 where coverage is at least 0.5, else 0.</summary>
    public void CopyBinary(Span<byte> target)
    {
        var coverage = Coverage;
        if (target.Length < coverage.Length) throw new ArgumentException($"The target holds {target.Length} pixels; {coverage.Length} are needed.", nameof(target));
        for (var i = 0; i < coverage.Length; i++) target[i] = coverage[i] >= 0.5f ? (byte)1 : (byte)0;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _coverage, null) is { } coverage) ArrayPool<float>.Shared.Return(coverage);
    }

    /// <summary>
    /// The 256x256 logits' image region upscaled to image size through the sigmoid. With
    /// <paramref name="keepAt"/>, only the connected component of positive logits under that point is kept
    /// (chosen on the logits' grid, so the cost does not grow with the image): every other component's
    /// logits are pushed to the clamp floor before upscaling, and its soft edge goes with it. With a
    /// <paramref name="refiner"/>, the logits are refined against the picture first, and upscaled through frame
    /// resolution with edges that follow the picture. The resize to image size runs through <paramref name="kernels"/> (null: the CPU's).
    /// </summary>
    internal static SegmentationMask FromLogits(float[] logits, SamFrame frame, PromptPoint? keepAt, float score, int index, MaskRefiner? refiner = null,
        IPixelKernels? kernels = null)
    {
        const int side = SamFrame.LowResSide;
        int width = frame.ImageWidth, height = frame.ImageHeight, pixels = width * height;
        kernels ??= CpuPixelKernels.Instance;
        var coverage = ArrayPool<float>.Shared.Rent(pixels);
        var kept = ArrayPool<float>.Shared.Rent(side * side);
        try
        {
            logits.AsSpan(0, side * side).CopyTo(kept);
            refiner?.RefineCells(kept.AsSpan(0, side * side), frame);
            var keptComponent = keepAt is { } point && KeepComponent(kept.AsSpan(0, side * side), frame, point);
            if (refiner is null)
            {
                const float quarter = side / (float)SamFrame.Side;
                kernels.MaskFromLogits(kept.AsMemory(0, side * side), side, side, coverage.AsMemory(0, pixels), width, height,
                    frame.Width * quarter, frame.Height * quarter);
            }
            else
            {
                var fine = ArrayPool<float>.Shared.Rent(frame.Width * frame.Height);
                try
                {
                    refiner.Upsample(kept, fine);
                    // An image the size of the frame (a 1024 px preview) needs no resampling.
                    if (frame.Width == width && frame.Height == height) TensorPrimitives.Sigmoid(fine.AsSpan(0, pixels), coverage.AsSpan(0, pixels));
                    else kernels.MaskFromLogits(fine.AsMemory(0, frame.Width * frame.Height), frame.Width, frame.Height, coverage.AsMemory(0, pixels), width, height);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(fine);
                }
            }
            var area = 0;
            for (var i = 0; i < pixels; i++)
                if (coverage[i] >= 0.5f) area++;
            return new SegmentationMask(coverage, width, height, score, index, area, keptComponent);
        }
        catch
        {
            ArrayPool<float>.Shared.Return(coverage);
            throw;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(kept);
        }
    }

    private const float Floor = -32f;
    private const int EdgeRings = 2;
    private const byte Kept = 1, Dropped = 2, Dropping = 3;

    private static bool Touches(ReadOnlySpan<byte> states, int x, int y, byte state)
    {
        const int side = SamFrame.LowResSide;
        for (var v = Math.Max(0, y - 1); v <= Math.Min(side - 1, y + 1); v++)
            for (var u = Math.Max(0, x - 1); u <= Math.Min(side - 1, x + 1); u++)
                if (states[v * side + u] == state) return true;
        return false;
    }

    /// <summary>Keeps the 4-connected component of positive logits at the point's cell (of the bilinear
    /// neighbours, the most positive one); false, changing nothing, when none of them is positive.</summary>
    private static bool KeepComponent(Span<float> logits, SamFrame frame, PromptPoint point)
    {
        const int side = SamFrame.LowResSide;
        var perPixel = frame.Scale * side / SamFrame.Side;
        var (lx, ly) = ((point.X + 0.5) * perPixel - 0.5, (point.Y + 0.5) * perPixel - 0.5);
        int x0 = Math.Clamp((int)Math.Floor(lx), 0, side - 1), y0 = Math.Clamp((int)Math.Floor(ly), 0, side - 1);
        var (seedX, seedY) = (x0, y0);
        for (var dy = 0; dy <= 1; dy++)
            for (var dx = 0; dx <= 1; dx++)
            {
                int x = Math.Min(x0 + dx, side - 1), y = Math.Min(y0 + dy, side - 1);
                if (logits[y * side + x] > logits[seedY * side + seedX]) (seedX, seedY) = (x, y);
            }
        var inside = ArrayPool<byte>.Shared.Rent(side * side);
        var component = ArrayPool<byte>.Shared.Rent(side * side);
        try
        {
            for (var i = 0; i < side * side; i++) inside[i] = logits[i] > 0 ? (byte)1 : (byte)0;
            if (BinaryRegions.ComponentAt(inside.AsSpan(0, side * side), side, side, seedX, seedY, component.AsSpan(0, side * side)) == 0) return false;
            // States: 1 kept, 2 dropped; then the dropped components' soft edges (non-positive cells next to them
            // and not next to the kept one) are dropped too, ring by ring, so no faint outline of them stays.
            for (var i = 0; i < side * side; i++) component[i] = component[i] != 0 ? Kept : inside[i] != 0 ? Dropped : (byte)0;
            for (var ring = 0; ring < EdgeRings; ring++)
            {
                for (var y = 0; y < side; y++)
                    for (var x = 0; x < side; x++)
                        if (component[y * side + x] == 0 && Touches(component, x, y, Dropped) && !Touches(component, x, y, Kept))
                            component[y * side + x] = Dropping;
                for (var i = 0; i < side * side; i++)
                    if (component[i] == Dropping) component[i] = Dropped;
            }
            for (var i = 0; i < side * side; i++)
                if (component[i] == Dropped) logits[i] = Floor;
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(inside);
            ArrayPool<byte>.Shared.Return(component);
        }
    }
}
