using RawEngine.Engine.Compute;

namespace RawEngine.AI.Kernels;

/// <summary>Which <see cref="IPixelKernels"/> an engine's neural work runs through.</summary>
public static class PixelKernels
{
    /// <summary>
    /// The GPU kernels when <paramref name="compute"/> has a GPU (a CUDA or OpenCL device found with
    /// <c>EngineOptions.UseGpu</c> on; loaded once per device and logged there), else the CPU kernels. ILGPU's CPU
    /// accelerator, an emulator far slower than <see cref="CpuKernels"/>, is never discovered, only injected by tests.
    /// </summary>
    public static IPixelKernels For(ComputeDevices compute) =>
        compute.Gpu is { } gpu ? gpu.Kernels(accelerator => new GpuPixelKernels(accelerator)) : CpuPixelKernels.Instance;
}
