using RawEngine.Engine.Compute;

namespace RawEngine.AI.Kernels;

/// <summary>Which <see cref="IPixelKernels"/> an engine's neural work runs through.</summary>
public static class PixelKernels
{
    /// <summary>
    /// The GPU kernels when <paramref name="compute"/> has a GPU (a CUDA or OpenCL device found with
    /// <c>EngineOptions.UseGpu</c> on; loaded once per device and logged there), else the CPU kernels. ILGPU's CPU
    /// accelerator, an emulator far slower than <see cref="CpuKernels"/>, is never discovered, only injected by tests.
    /// Kernels that fail to load on the GPU (logged there) leave the CPU kernels in charge.
    /// </summary>
    public static IPixelKernels For(ComputeDevices compute) =>
        compute.Gpu?.Kernels(accelerator => new GpuPixelKernels(accelerator)) as IPixelKernels ?? CpuPixelKernels.Instance;
}
