using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RawEngine.Engine.Compute;

/// <summary>
/// An ILGPU accelerator on a real GPU (CUDA, or OpenCL of GPU type), ready for kernels, and the kernel sets loaded
/// on it (ILGPU compiles a kernel per accelerator, so each set is made once and disposed with the device).
/// </summary>
public sealed class GpuDevice : IDisposable
{
    private readonly Context? _context;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Type, Lazy<IDisposable?>> _kernels = new();

    private GpuDevice(Context? context, Accelerator accelerator, ILogger logger)
    {
        _context = context;
        Accelerator = accelerator;
        _logger = logger;
    }

    public Accelerator Accelerator { get; }
    public string Name => Accelerator.Name;
    public AcceleratorType Type => Accelerator.AcceleratorType;
    public long MemoryBytes => Accelerator.MemorySize;

    /// <summary>
    /// Opens the best GPU: CUDA first, then OpenCL devices that are GPUs (an OpenCL runtime on the
    /// processor is not one, nor is ILGPU's CPU accelerator). Null when there is none or its driver fails;
    /// either way it is logged.
    /// </summary>
    public static GpuDevice? Discover(ILogger logger)
    {
        Context? context = null;
        try
        {
            context = Context.Create(builder => builder.Cuda().OpenCL(device => device.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU).EnableAlgorithms());
            var device = context.Devices
                .Where(d => d.AcceleratorType is AcceleratorType.Cuda or AcceleratorType.OpenCL)
                .OrderBy(d => d.AcceleratorType == AcceleratorType.Cuda ? 0 : 1)
                .ThenByDescending(d => d.MemorySize)
                .FirstOrDefault();
            if (device is null)
            {
                logger.LogInformation("No CUDA or OpenCL GPU found; computing on the CPU.");
                context.Dispose();
                return null;
            }
            var accelerator = device.CreateAccelerator(context);
            logger.LogInformation("GPU: {Name} ({Type}, {MemoryMiB} MiB).", accelerator.Name, accelerator.AcceleratorType, accelerator.MemorySize >> 20);
            return new GpuDevice(context, accelerator, logger);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A missing or broken driver must not stop CPU rendering.
            logger.LogWarning(e, "GPU discovery failed; computing on the CPU.");
            context?.Dispose();
            return null;
        }
    }

    /// <summary>
    /// An accelerator its caller made and keeps (and disposes after this device): for tests, which run the GPU path
    /// on ILGPU's CPU accelerator, and benches. Its context must have ILGPU.Algorithms enabled. Production opens
    /// devices through <see cref="Discover"/> only.
    /// </summary>
    public static GpuDevice Wrap(Accelerator accelerator, ILogger? logger = null) => new(null, accelerator, logger ?? NullLogger.Instance);

    /// <summary>
    /// The kernel set of type <typeparamref name="T"/> on this device, loaded by <paramref name="load"/> on first use; null,
    /// logged as a warning and kept so, when it fails to load (a driver that cannot compile a kernel must not stop
    /// rendering: callers fall back to the CPU).
    /// </summary>
    public T? Kernels<T>(Func<Accelerator, T> load) where T : class, IDisposable =>
        (T?)_kernels.GetOrAdd(typeof(T), _ => new Lazy<IDisposable?>(() =>
        {
            try
            {
                var kernels = load(Accelerator);
                _logger.LogInformation("{Kernels} loaded on {Name} ({Type}).", typeof(T).Name, Accelerator.Name, Accelerator.AcceleratorType);
                return kernels;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogWarning(e, "{Kernels} failed to load on {Name} ({Type}); computing on the CPU.", typeof(T).Name, Accelerator.Name, Accelerator.AcceleratorType);
                return null;
            }
        })).Value;

    public void Dispose()
    {
        foreach (var kernels in _kernels.Values)
            if (kernels.IsValueCreated) kernels.Value?.Dispose();
        _kernels.Clear();
        if (_context is null) return;
        Accelerator.Dispose();
        _context.Dispose();
    }
}
