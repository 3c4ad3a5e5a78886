using ILGPU.Algorithms;

namespace RawEngine.AI.Kernels;

/// <summary>A transfer curve applied on the way into or out of a network.</summary>
public enum Transfer
{
    None,

    /// <summary>Linear -> sRGB-encoded (IEC 61966-2-1), mirrored for negatives, not clipped above 1.</summary>
    SrgbEncode,

    /// <summary>sRGB-encoded -> linear, mirrored for negatives.</summary>
    SrgbDecode,
}

/// <summary>
/// Per-channel <c>v * scale + bias</c>, applied after the transfer curve when packing and undone
/// before it when unpacking. <see cref="Normalise"/> builds mean/std normalisation (SAM's ImageNet
/// statistics on 0..255 values, say).
/// </summary>
public readonly record struct ChannelAffine(float Scale0, float Scale1, float Scale2, float Bias0, float Bias1, float Bias2)
{
    public static ChannelAffine Identity { get; } = new(1, 1, 1, 0, 0, 0);

    /// <summary>Per-channel multiplication only (white balance put back, say).</summary>
    public static ChannelAffine Gains(float r, float g, float b) => new(r, g, b, 0, 0, 0);

    /// <summary>(v * inputScale - mean) / std per channel.</summary>
    public static ChannelAffine Normalise(ReadOnlySpan<float> mean, ReadOnlySpan<float> std, float inputScale = 1f)
    {
        if (mean.Length != 3 || std.Length != 3) throw new ArgumentException("mean and std need three values (R, G, B).");
        foreach (var s in std) if (!(s > 0)) throw new ArgumentException($"std {s} must be positive.", nameof(std));
        return new(inputScale / std[0], inputScale / std[1], inputScale / std[2], -mean[0] / std[0], -mean[1] / std[1], -mean[2] / std[2]);
    }

    public float Scale(int channel) => channel switch { 0 => Scale0, 1 => Scale1, _ => Scale2 };

    public float Bias(int channel) => channel switch { 0 => Bias0, 1 => Bias1, _ => Bias2 };
}

/// <summary>Tile edges that meet a neighbouring tile.</summary>
[Flags]
public enum TileEdges { None = 0, Left = 1, Top = 2, Right = 4, Bottom = 8 }

/// <summary>Where a network's output tile lands in the image, and which of its edges blend with a
/// neighbour over a linear ramp of width <c>2 * Overlap</c> (the halo both tiles share).</summary>
public readonly record struct TilePlacement(int X, int Y, int Width, int Height, int Overlap, TileEdges Blend)
{
    /// <summary>The blend weight of tile pixel (tx, ty): 1 in the core, ramping down across shared halos,
    /// so two overlapping tiles' weights add up to 1. Separable: <see cref="WeightX"/> times <see cref="WeightY"/>.</summary>
    public float Weight(int tx, int ty) => WeightX(tx) * WeightY(ty);

    // XMath: the same code runs inside ILGPU kernels.
    public float WeightX(int tx) => Ramp(tx, Width, (Blend & TileEdges.Left) != 0, (Blend & TileEdges.Right) != 0);

    public float WeightY(int ty) => Ramp(ty, Height, (Blend & TileEdges.Top) != 0, (Blend & TileEdges.Bottom) != 0);

    private float Ramp(int t, int size, bool low, bool high)
    {
        if (Overlap <= 0) return 1f;
        var span = 2f * Overlap;
        var w = 1f;
        if (low) w = XMath.Min(w, (t + 0.5f) / span);
        if (high) w = XMath.Min(w, (size - t - 0.5f) / span);
        return XMath.Clamp(w, 0f, 1f);
    }
}

/// <summary>A rectangle of the image (pixels) that accumulation buffers cover.</summary>
public readonly record struct TileRegion(int X, int Y, int Width, int Height);

/// <summary>Where an accumulation launch reads and writes: tensor pixel = image pixel + (TensorDx, TensorDy); sums
/// cover the region; the launch covers the image rectangle from (X0, Y0). Public because ILGPU's generated launchers must see it.</summary>
public readonly record struct TileSpan(int TensorWidth, int TensorPlane, int TensorDx, int TensorDy, int X0, int Y0,
    int RegionX, int RegionY, int RegionWidth, int RegionPlane);
