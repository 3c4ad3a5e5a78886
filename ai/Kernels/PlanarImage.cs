using System.Buffers;

namespace RawEngine.AI.Kernels;

/// <summary>
/// Planar RGB (three planes) over a region: in pooled host memory, or in device memory where the GPU kernels
/// blended it (read back on the first read of <see cref="Planes"/>; <see cref="IPixelKernels.PlanarToRgba"/> on the
/// same device reads it there). Dispose to give the memory back.
/// </summary>
public sealed class PlanarImage : IDisposable
{
    private float[]? _data;
    private IDevicePlanes? _device;
    private bool _disposed;

    /// <summary>Takes <paramref name="data"/> (rented from <see cref="ArrayPool{T}.Shared"/>; returned on dispose).</summary>
    public PlanarImage(float[] data, int width, int height)
    {
        _data = data;
        Width = width;
        Height = height;
    }

    internal PlanarImage(IDevicePlanes device, int width, int height)
    {
        _device = device;
        Width = width;
        Height = height;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The planes in host memory (copied from the device on first use).</summary>
    public Memory<float> Planes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var length = 3 * Width * Height;
            if (_data is null)
            {
                var data = ArrayPool<float>.Shared.Rent(length);
                _device!.CopyTo(data.AsSpan(0, length));
                _data = data;
            }
            return _data.AsMemory(0, length);
        }
    }

    /// <summary>The device copy, when the GPU kernels made this image.</summary>
    internal IDevicePlanes? Device => _disposed ? throw new ObjectDisposedException(nameof(PlanarImage)) : _device;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_data is not null) ArrayPool<float>.Shared.Return(_data);
        _device?.Dispose();
        _data = null;
        _device = null;
    }
}

/// <summary>Planes held in a device's memory.</summary>
internal interface IDevicePlanes : IDisposable
{
    void CopyTo(Span<float> target);
}
