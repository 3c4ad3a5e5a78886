using System.Diagnostics;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using RawEngine.AI.Kernels;
using RawEngine.Engine.Raw;

namespace RawEngine.Bench.Ai;

/// <summary>
/// `bench -- gpu-kernels`: runs the ILGPU pre/post-processing kernels on a CUDA device (or OpenCL
/// GPU), checks each against the CPU path on the same 24 MP data, and times both (MP/s). Exits 1 when
/// no GPU is there or the two paths disagree.
/// </summary>
public static class GpuKernelCheck
{
    private const int Width = 6000, Height = 4000, Runs = 5;

    public static int Run(MetricReport report)
    {
        using var context = Context.Create(builder => builder.Cuda().OpenCL().EnableAlgorithms());
        var device = context.Devices.Where(d => d.AcceleratorType != ILGPU.Runtime.AcceleratorType.CPU)
            .OrderBy(d => d.AcceleratorType == ILGPU.Runtime.AcceleratorType.Cuda ? 0 : 1).FirstOrDefault();
        if (device is null)
        {
            Console.Error.WriteLine("bench: no CUDA or OpenCL GPU found");
            return 1;
        }
        using var accelerator = device.CreateAccelerator(context);
        using var gpu = new GpuKernels(accelerator);
        Console.Error.WriteLine($"bench: {accelerator.Name} ({accelerator.AcceleratorType}, {accelerator.MemorySize >> 20} MiB)");

        var rng = new Random(1);
        var stride = Width * 4;
        var rgba = new float[stride * Height];
        for (var i = 0; i < rgba.Length; i++) rgba[i] = rng.NextSingle() * 1.2f;
        var affine = ChannelAffine.Normalise([123.675f, 116.28f, 103.53f], [58.395f, 57.12f, 57.375f], 255f);
        var ok = true;

        var planarCpu = new float[3 * Width * Height];
        var cpuSeconds = Time(() => CpuKernels.RgbaToPlanar(rgba, Width, Height, stride, planarCpu, Transfer.SrgbEncode, affine));
        using var rgbaDevice = accelerator.Allocate1D(rgba);
        using var planarDevice = accelerator.Allocate1D<float>(planarCpu.Length);
        var gpuSeconds = Time(() => { gpu.RgbaToPlanar(rgbaDevice.View, Width, Height, stride, planarDevice.View, Transfer.SrgbEncode, affine); gpu.Synchronize(); });
        ok &= Compare(report, "rgba_to_planar_srgb_norm", planarCpu, planarDevice.GetAsArray1D(), 1e-3f, cpuSeconds, gpuSeconds);

        var cfa = new float[Width * Height];
        for (var i = 0; i < cfa.Length; i++) cfa[i] = rng.NextSingle();
        var mosaicCpu = new float[3 * Width * Height];
        cpuSeconds = Time(() => CpuKernels.CfaToMaskedMosaic(cfa, Width, Height, Width, CfaPattern.XTrans, Transfer.SrgbEncode, mosaicCpu));
        using var cfaDevice = accelerator.Allocate1D(cfa);
        using var mosaicDevice = accelerator.Allocate1D<float>(mosaicCpu.Length);
        gpuSeconds = Time(() => { gpu.CfaToMaskedMosaic(cfaDevice.View, Width, Height, Width, CfaPattern.XTrans, Transfer.SrgbEncode, mosaicDevice.View); gpu.Synchronize(); });
        ok &= Compare(report, "cfa_to_masked_mosaic_xtrans", mosaicCpu, mosaicDevice.GetAsArray1D(), 1e-5f, cpuSeconds, gpuSeconds);

        var logits = new float[256 * 256];
        for (var i = 0; i < logits.Length; i++) logits[i] = rng.NextSingle() * 12 - 6;
        var maskCpu = new float[Width * Height];
        cpuSeconds = Time(() => CpuKernels.MaskFromLogits(logits, 256, 256, maskCpu, Width, Height));
        using var logitsDevice = accelerator.Allocate1D(logits);
        using var maskDevice = accelerator.Allocate1D<float>(maskCpu.Length);
        gpuSeconds = Time(() => { gpu.MaskFromLogits(logitsDevice.View, 256, 256, maskDevice.View, Width, Height); gpu.Synchronize(); });
        ok &= Compare(report, "mask_from_logits", maskCpu, maskDevice.GetAsArray1D(), 1e-5f, cpuSeconds, gpuSeconds);

        report.PrintTable();
        return ok ? 0 : 1;
    }

    /// <summary>Median seconds of a few runs after one warm-up (which also compiles the GPU kernel).</summary>
    private static double Time(Action action)
    {
        action();
        var times = new double[Runs];
        for (var i = 0; i < Runs; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[Runs / 2];
    }

    private static bool Compare(MetricReport report, string name, float[] cpu, float[] gpu, float tolerance, double cpuSeconds, double gpuSeconds)
    {
        var worst = 0f;
        for (var i = 0; i < cpu.Length; i++) worst = Math.Max(worst, Math.Abs(cpu[i] - gpu[i]));
        var megapixels = Width * Height / 1e6;
        report.Add(new Metric($"{name} cpu", megapixels / cpuSeconds, "MP/s"));
        report.Add(new Metric($"{name} gpu", megapixels / gpuSeconds, "MP/s", megapixels / cpuSeconds, "speed-up vs cpu"));
        report.Add(new Metric($"{name} max |gpu-cpu|", worst, "abs", Target: $"<= {tolerance}"));
        return worst <= tolerance;
    }
}
