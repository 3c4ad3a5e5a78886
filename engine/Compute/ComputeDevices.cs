using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RawEngine.Engine.Compute;

/// <summary>
/// The devices modules compute on: always the CPU; a GPU when <c>useGpu</c> is set and one is found
/// (discovered on first use, since opening a driver costs time a CPU-only render should not pay).
/// </summary>
public sealed class ComputeDevices : IDisposable
{
    private readonly Lazy<GpuDevice?> _gpu;
    private readonly bool _ownsGpu;

    public ComputeDevices(int maxThreads = 0, bool useGpu = false, ILogger? logger = null)
    {
        Cpu = new CpuCompute(maxThreads);
        var log = logger ?? NullLogger.Instance;
        _gpu = new Lazy<GpuDevice?>(() => useGpu ? GpuDevice.Discover(log) : Off(log), LazyThreadSafetyMode.ExecutionAndPublication);
        _ownsGpu = true;
        _serial = new Lazy<ComputeDevices>(() => new ComputeDevices(new CpuCompute(1), _gpu));
    }

    /// <summary>Devices with a GPU the caller made and disposes (tests run the GPU path on ILGPU's CPU accelerator
    /// through <see cref="GpuDevice.Wrap"/>).</summary>
    public ComputeDevices(int maxThreads, GpuDevice gpu)
    {
        Cpu = new CpuCompute(maxThreads);
        _gpu = new Lazy<GpuDevice?>(gpu);
        _serial = new Lazy<ComputeDevices>(() => new ComputeDevices(new CpuCompute(1), _gpu));
    }

    private static GpuDevice? Off(ILogger logger)
    {
        logger.LogInformation("GPU not used (EngineOptions.UseGpu is false); computing on the CPU.");
        return null;
    }

    private ComputeDevices(CpuCompute cpu, Lazy<GpuDevice?> gpu)
    {
        Cpu = cpu;
        _gpu = gpu;
        _serial = new Lazy<ComputeDevices>(() => this);
    }

    private readonly Lazy<ComputeDevices> _serial;

    public CpuCompute Cpu { get; }

    /// <summary>The same devices with a one-thread CPU: for work the caller already runs in parallel pieces.</summary>
    public ComputeDevices Serial => _serial.Value;

    /// <summary>The GPU, or null when disabled or absent.</summary>
    public GpuDevice? Gpu => _gpu.Value;

    public void Dispose()
    {
        if (_ownsGpu && _gpu.IsValueCreated) _gpu.Value?.Dispose();
    }
}
