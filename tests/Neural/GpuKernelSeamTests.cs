using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.DemosaicNn;
using RawEngine.Iop.DenoiseNn;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Pipeline;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Neural;

/// <summary>demosaic_nn and denoise_nn in an engine whose GPU is ILGPU's CPU accelerator: the pixels go through the GPU
/// kernels (packing, CFA masking, blending, RGBA out) and the picture is the CPU path's.</summary>
public sealed class GpuKernelSeamTests(ITestOutputHelper output, IlgpuCpuAccelerator ilgpu) : IClassFixture<IlgpuCpuAccelerator>, IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task NeuralModulesThroughTheGpuKernelsGiveTheCpuPicture()
    {
        var log = new LoggedValues<string>("Kernels"); // where each tiled run's kernels ran
        using var models = NeuralPipeTests.Models(_home.Path, log);
        var options = new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = 0 };
        using var cpu = new RenderEngine(StandardModules.CreateRegistry(models), options);
        using var devices = new ComputeDevices(2, ilgpu.Device);
        using var gpu = new RenderEngine(StandardModules.CreateRegistry(models), options, compute: devices);
        var raw = SyntheticRaw.Chart(72, 56, new SyntheticRawOptions { Cfa = CfaPattern.Rggb, Noise = SensorNoise.AtIso(1600) });
        var edit = Edit.Empty.With("demosaic_nn", new DemosaicNnParams()).With("denoise_nn", new DenoiseNnParams { Model = "nafnet-small", Strength = 0.7 });
        var size = cpu.Open(raw, "chart").OutputSize(edit);

        using var expected = await cpu.Open(raw, "chart").RenderAsync(edit, Roi.Full(size));
        using var actual = await gpu.Open(raw, "chart").RenderAsync(edit, Roi.Full(size));

        float[] a = PipeFixture.Pixels(expected), b = PipeFixture.Pixels(actual);
        Assert.Equal(a.Length, b.Length);
        double worst = 0, squares = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = Math.Abs(a[i] - b[i]);
            worst = Math.Max(worst, d);
            squares += d * d;
        }
        var psnr = 10 * Math.Log10(a.Length / Math.Max(squares, 1e-30));
        output.WriteLine($"GPU kernels ({ilgpu.Kernels.Device}) vs CPU: max |difference| {worst:E2}, PSNR {psnr:F1} dB; tiles ran on {string.Join(", ", log.Values.Distinct())}");
        Assert.Contains(ilgpu.Kernels.Device, log.Values);
        Assert.Contains("CPU", log.Values);
        Assert.True(worst <= 1e-4, $"the GPU kernels' picture differs from the CPU's by up to {worst:E2}");
        Assert.True(psnr >= 100, $"PSNR {psnr:F1} dB between the two paths");
    }
}
