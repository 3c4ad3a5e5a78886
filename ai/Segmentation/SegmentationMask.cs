using System.Buffers;
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
    /// The 256x256 logits' image region upscaled to image size through the sigmoid, then only the connected
    /// component under <paramref name="keepAt"/> kept: its pixels of coverage at least 0.5 plus the soft edge
    /// that touches them (other objects' edges go with them).
    /// </summary>
    internal static SegmentationMask FromLogits(float[] logits, SamFrame frame, PromptPoint? keepAt, float score, int index)
    {
        int width = frame.ImageWidth, height = frame.ImageHeight, pixels = width * height;
        var coverage = ArrayPool<float>.Shared.Rent(pixels);
        try
        {
            const float quarter = SamFrame.LowResSide / (float)SamFrame.Side;
            CpuKernels.MaskFromLogits(logits, SamFrame.LowResSide, SamFrame.LowResSide, coverage.AsMemory(0, pixels), width, height,
                frame.Width * quarter, frame.Height * quarter);
            var kept = keepAt is { } point && KeepComponent(coverage.AsSpan(0, pixels), width, height, (int)point.X, (int)point.Y);
            var area = 0;
            for (var i = 0; i < pixels; i++)
                if (coverage[i] >= 0.5f) area++;
            return new SegmentationMask(coverage, width, height, score, index, area, kept);
        }
        catch
        {
            ArrayPool<float>.Shared.Return(coverage);
            throw;
        }
    }

    private const float SoftEdgeFloor = 1f / 510f;

    private static bool KeepComponent(Span<float> coverage, int width, int height, int x, int y)
    {
        var pixels = width * height;
        var inside = ArrayPool<byte>.Shared.Rent(pixels);
        var component = ArrayPool<byte>.Shared.Rent(pixels);
        try
        {
            for (var i = 0; i < pixels; i++) inside[i] = coverage[i] >= 0.5f ? (byte)1 : (byte)0;
            if (BinaryRegions.ComponentAt(inside.AsSpan(0, pixels), width, height, x, y, component.AsSpan(0, pixels)) == 0) return false;
            // The soft edge: pixels below 0.5 but visible in 8 bits, reachable from the component without crossing another object.
            for (var i = 0; i < pixels; i++) inside[i] = coverage[i] is >= SoftEdgeFloor and < 0.5f ? (byte)1 : (byte)0;
            BinaryRegions.GrowInto(inside.AsSpan(0, pixels), width, height, component.AsSpan(0, pixels));
            for (var i = 0; i < pixels; i++)
                if (component[i] == 0) coverage[i] = 0;
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(inside);
            ArrayPool<byte>.Shared.Return(component);
        }
    }
}
