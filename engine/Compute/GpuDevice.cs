using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Microsoft.Extensions.Logging;

namespace RawEngine.Engine.Compute;

/// <summary>An ILGPU context with an accelerator on a real GPU (CUDA, or OpenCL of GPU type), ready for kernels.</summary>
public sealed class GpuDevice : IDisposable
{
    private readonly Context _context;

    private GpuDevice(Context context, Accelerator accelerator)
    {
        _context = context;
        Accelerator = accelerator;
    }

    public Accelerator Accelerator { get; }
    public string Name => Accelerator.Name;
    public AcceleratorType Type => Accelerator.AcceleratorType;
    public long MemoryBytes => Accelerator.MemorySize;

    /// <summary>
    /// Opens the best GPU: CUDA first, then OpenCL devices that are GPUs (an OpenCL runtime on the
    /// processor is not one). Null when there is none or its driver fails; either way it is logged.
    /// </summary>
    public static GpuDevice? Discover(ILogger logger)
    {
        Context? context = null;
        try
        {
            context = Context.Create(builder => builder.Cuda().OpenCL(device => device.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU));
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
            return new GpuDevice(context, accelerator);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A missing or broken driver must not stop CPU rendering.
            logger.LogWarning(e, "GPU discovery failed; computing on the CPU.");
            context?.Dispose();
            return null;
        }
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }
}
