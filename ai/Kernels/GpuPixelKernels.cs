using System.Buffers;
using ILGPU;
using ILGPU.Runtime;
using RawEngine.Engine.Raw;

namespace RawEngine.AI.Kernels;

/// <summary>
/// The seam on a GPU: <see cref="GpuKernels"/> on one accelerator. Host inputs go up and results come down once per
/// call; tile sums, weights and the blended planes stay on the device from the first tile to the RGBA written back
/// (<see cref="PlanarToRgba"/> of a <see cref="PlanarImage"/> these kernels made). Launches from all threads share the
/// accelerator's default stream, one call at a time. Tile-sized device buffers are pooled by length (the tile ladder
/// has few sizes); region-sized ones live for one call.
/// </summary>
public sealed class GpuPixelKernels : IPixelKernels, IDisposable
{
    private readonly GpuKernels _kernels;
    private readonly object _gate = new();
    private readonly Dictionary<long, Stack<MemoryBuffer1D<float, Stride1D.Dense>>> _free = [];

    public GpuPixelKernels(Accelerator accelerator) => _kernels = new GpuKernels(accelerator);

    public Accelerator Accelerator => _kernels.Accelerator;

    public string Device => $"{Accelerator.Name} ({Accelerator.AcceleratorType})";

    public void RgbaToPlanar(ReadOnlyMemory<float> rgba, int width, int height, int rowStride, Memory<float> planar, Transfer transfer, ChannelAffine affine)
    {
        var input = (long)(height - 1) * rowStride + 4L * width;
        CpuKernels.Check(rgba.Length, input, nameof(rgba));
        CpuKernels.Check(planar.Length, 3L * width * height, nameof(planar));
        Pack(rgba.Span[..(int)input], planar.Span[..(3 * width * height)], (source, target) => _kernels.RgbaToPlanar(source, width, height, rowStride, target, transfer, affine));
    }

    public void CfaToMaskedMosaic(ReadOnlyMemory<float> cfa, int width, int height, int rowStride, CfaPattern pattern, Transfer transfer, Memory<float> planes)
    {
        var input = (long)(height - 1) * rowStride + width;
        CpuKernels.Check(cfa.Length, input, nameof(cfa));
        CpuKernels.Check(planes.Length, 3L * width * height, nameof(planes));
        Pack(cfa.Span[..(int)input], planes.Span[..(3 * width * height)], (source, target) => _kernels.CfaToMaskedMosaic(source, width, height, rowStride, pattern, transfer, target));
    }

    public ITileAccumulator Accumulate(TileRegion region) => new Accumulator(this, region);

    public void PlanarToRgba(PlanarImage planes, ChannelAffine affine, Transfer transfer, ChannelAffine after, Memory<float> rgba, int rowStride)
    {
        int width = planes.Width, height = planes.Height, compact = 4 * width * height;
        CpuKernels.Check(rgba.Length, (long)(height - 1) * rowStride + 4L * width, nameof(rgba));
        var resident = planes.Device is DevicePlanes device && device.Owner == this ? device : null;
        // Planes made elsewhere (the CPU kernels, another device) are read on the host before the device is taken.
        var host = resident is null ? planes.Planes : default;
        lock (_gate)
        {
            Accelerator.Bind();
            using var uploaded = resident is null ? Upload(host.Span) : null;
            using var target = Accelerator.Allocate1D<float>(compact);
            _kernels.PlanarToRgba(resident?.Buffer.View ?? uploaded!.View, width, height, affine, transfer, after, target.View, 4 * width);
            if (rowStride == 4 * width)
            {
                target.View.CopyToCPU(Accelerator.DefaultStream, rgba.Span[..compact]);
                return;
            }
            // Rows with gaps between them (a view into a larger buffer): through a compact host copy.
            var rows = ArrayPool<float>.Shared.Rent(compact);
            try
            {
                target.View.CopyToCPU(Accelerator.DefaultStream, rows.AsSpan(0, compact));
                var span = rgba.Span;
                for (var y = 0; y < height; y++) rows.AsSpan(y * 4 * width, 4 * width).CopyTo(span.Slice(y * rowStride, 4 * width));
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rows);
            }
        }
    }

    public void MaskFromLogits(ReadOnlyMemory<float> logits, int logitsWidth, int logitsHeight, Memory<float> mask, int width, int height,
        float regionWidth = 0, float regionHeight = 0)
    {
        CpuKernels.Check(logits.Length, (long)logitsWidth * logitsHeight, nameof(logits));
        CpuKernels.Check(mask.Length, (long)width * height, nameof(mask));
        lock (_gate)
        {
            Accelerator.Bind();
            using var source = Upload(logits.Span[..(logitsWidth * logitsHeight)]);
            using var target = Accelerator.Allocate1D<float>((long)width * height);
            _kernels.MaskFromLogits(source.View, logitsWidth, logitsHeight, target.View, width, height, regionWidth, regionHeight);
            target.View.CopyToCPU(Accelerator.DefaultStream, mask.Span[..(width * height)]);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var stack in _free.Values)
                while (stack.TryPop(out var buffer)) buffer.Dispose();
            _free.Clear();
            _kernels.Dispose();
        }
    }

    /// <summary>Host input up, one kernel, host output down, through pooled buffers.</summary>
    private void Pack(ReadOnlySpan<float> input, Span<float> output, Action<ArrayView<float>, ArrayView<float>> kernel)
    {
        lock (_gate)
        {
            Accelerator.Bind();
            var source = Rent(input.Length);
            var target = Rent(output.Length);
            try
            {
                source.View.CopyFromCPU(Accelerator.DefaultStream, input);
                kernel(source.View, target.View);
                target.View.CopyToCPU(Accelerator.DefaultStream, output);
            }
            finally
            {
                Return(source);
                Return(target);
            }
        }
    }

    private MemoryBuffer1D<float, Stride1D.Dense> Upload(ReadOnlySpan<float> values)
    {
        var buffer = Accelerator.Allocate1D<float>(values.Length);
        buffer.View.CopyFromCPU(Accelerator.DefaultStream, values);
        return buffer;
    }

    // Callers hold _gate. Launches and copies are ordered on the one stream, so a buffer returned here may be
    // rented again while a kernel that read it is still queued.
    private MemoryBuffer1D<float, Stride1D.Dense> Rent(long length) =>
        _free.TryGetValue(length, out var stack) && stack.TryPop(out var buffer) ? buffer : Accelerator.Allocate1D<float>(length);

    private void Return(MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        if (!_free.TryGetValue(buffer.Length, out var stack)) _free[buffer.Length] = stack = new();
        stack.Push(buffer);
    }

    /// <summary>Sums and weights on the device; the sums become the resolved image's device planes.</summary>
    private sealed class Accumulator : ITileAccumulator
    {
        private readonly GpuPixelKernels _owner;
        private readonly TileRegion _region;
        private MemoryBuffer1D<float, Stride1D.Dense>? _sums;
        private MemoryBuffer1D<float, Stride1D.Dense>? _weights;

        public Accumulator(GpuPixelKernels owner, TileRegion region)
        {
            _owner = owner;
            _region = region;
            var plane = (long)region.Width * region.Height;
            lock (owner._gate)
            {
                owner.Accelerator.Bind();
                _sums = owner.Accelerator.Allocate1D<float>(3 * plane);
                _weights = owner.Accelerator.Allocate1D<float>(plane);
                _sums.MemSetToZero(owner.Accelerator.DefaultStream);
                _weights.MemSetToZero(owner.Accelerator.DefaultStream);
            }
        }

        public void Add(ReadOnlyMemory<float> tensor, int tensorWidth, int tensorHeight, int offsetX, int offsetY, TilePlacement place)
        {
            var length = 3 * tensorWidth * tensorHeight;
            CpuKernels.Check(tensor.Length, length, nameof(tensor));
            var sums = _sums ?? throw new InvalidOperationException("the accumulation was resolved");
            lock (_owner._gate)
            {
                _owner.Accelerator.Bind();
                var uploaded = _owner.Rent(length);
                try
                {
                    uploaded.View.CopyFromCPU(_owner.Accelerator.DefaultStream, tensor.Span[..length]);
                    _owner._kernels.AccumulateTile(uploaded.View, tensorWidth, tensorHeight, offsetX, offsetY, place, sums.View, _weights!.View, _region);
                }
                finally
                {
                    _owner.Return(uploaded);
                }
            }
        }

        public PlanarImage Resolve()
        {
            var sums = _sums ?? throw new InvalidOperationException("the accumulation was resolved");
            lock (_owner._gate)
            {
                _owner.Accelerator.Bind();
                _owner._kernels.ResolveAccumulated(sums.View, _weights!.View, _region.Width, _region.Height);
            }
            _sums = null;
            return new PlanarImage(new DevicePlanes(_owner, sums), _region.Width, _region.Height);
        }

        public void Dispose()
        {
            lock (_owner._gate)
            {
                _sums?.Dispose();
                _weights?.Dispose();
            }
            _sums = _weights = null;
        }
    }

    /// <summary>Resolved planes left on the device.</summary>
    private sealed class DevicePlanes(GpuPixelKernels owner, MemoryBuffer1D<float, Stride1D.Dense> buffer) : IDevicePlanes
    {
        public GpuPixelKernels Owner { get; } = owner;
        public MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; } = buffer;

        public void CopyTo(Span<float> target)
        {
            lock (Owner._gate)
            {
                Owner.Accelerator.Bind();
                Buffer.View.CopyToCPU(Owner.Accelerator.DefaultStream, target[..(int)Buffer.Length]);
            }
        }

        public void Dispose()
        {
            lock (Owner._gate) Buffer.Dispose();
        }
    }
}
