using System.Diagnostics;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime.CPU;
using Microsoft.Extensions.Logging;
using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.DemosaicNn;
using RawEngine.Iop.DenoiseNn;

namespace RawEngine.Bench.Ai;

/// <summary>
/// `bench -- gpu-kernels`: the production seam on the engine's GPU. Opens devices as an engine with
/// <c>UseGpu</c> does (<see cref="ComputeDevices"/>, <see cref="PixelKernels.For"/>), then times every
/// <see cref="IPixelKernels"/> operation production calls, GPU against CPU in alternating pairs (medians; host
/// to device and back included, as production pays them), on 24 MP data, and checks they agree; then renders
/// demosaic_nn + denoise_nn through two engines, one on the GPU kernels and one with <c>UseGpu</c> off, and compares
/// the pictures. Exits 1 when no GPU is found or the paths disagree. <c>--emulator</c> runs the same on ILGPU's
/// CPU accelerator at a small size, to check the bench itself where no GPU is (its timings mean nothing).
/// </summary>
public static class GpuKernelCheck
{
    private const int Pairs = 5;

    public static int Run(MetricReport report, string[] args)
    {
        var emulate = args.Contains("--emulator");
        using var context = emulate ? Context.Create(builder => builder.CPU().EnableAlgorithms()) : null;
        using var emulator = context?.CreateCPUAccelerator(0);
        using var devices = emulator is null ? new ComputeDevices(useGpu: true, logger: new ConsoleLog()) : new ComputeDevices(0, GpuDevice.Wrap(emulator));
        var gpu = PixelKernels.For(devices);
        if (gpu is CpuPixelKernels)
        {
            Console.Error.WriteLine("bench: no CUDA or OpenCL GPU found, so an engine would use the CPU kernels (--emulator checks the bench on ILGPU's CPU accelerator)");
            return 1;
        }
        var (width, height) = emulate ? (192, 128) : (6000, 4000);
        Console.Error.WriteLine($"bench: seam kernels on {gpu.Device} against {CpuPixelKernels.Instance.Device}, {width}x{height}{(emulate ? " (emulator: timings mean nothing)" : "")}");
        var ok = Kernels(report, gpu, width, height);
        ok &= Modules(report, devices, emulate);
        report.PrintTable();
        return ok ? 0 : 1;
    }

    private static bool Kernels(MetricReport report, IPixelKernels gpu, int width, int height)
    {
        var cpu = CpuPixelKernels.Instance;
        var rng = new Random(1);
        var megapixels = width * height / 1e6;
        var pixels = width * height;
        var ok = true;

        var rgba = Fill(new float[4 * pixels], rng, 0f, 1.2f);
        var affine = ChannelAffine.Normalise([123.675f, 116.28f, 103.53f], [58.395f, 57.12f, 57.375f], 255f);
        float[] planarCpu = new float[3 * pixels], planarGpu = new float[3 * pixels];
        ok &= Compare(report, "rgba_to_planar_srgb_norm", megapixels, planarCpu, planarGpu, 1e-3f,
            () => cpu.RgbaToPlanar(rgba, width, height, 4 * width, planarCpu, Transfer.SrgbEncode, affine),
            () => gpu.RgbaToPlanar(rgba, width, height, 4 * width, planarGpu, Transfer.SrgbEncode, affine));

        var cfa = Fill(new float[pixels], rng, 0f, 1f);
        ok &= Compare(report, "cfa_to_masked_mosaic_xtrans", megapixels, planarCpu, planarGpu, 1e-5f,
            () => cpu.CfaToMaskedMosaic(cfa, width, height, width, CfaPattern.XTrans, Transfer.SrgbEncode, planarCpu),
            () => gpu.CfaToMaskedMosaic(cfa, width, height, width, CfaPattern.XTrans, Transfer.SrgbEncode, planarGpu));

        // A network's tiles (cores of 512 px or less with a 16 px halo) blended over the image, then RGBA out: sums stay on the device.
        var tensor = Fill(new float[3 * 544 * 544], rng, 0f, 1f);
        float[] rgbaCpu = new float[4 * pixels], rgbaGpu = new float[4 * pixels];
        ok &= Compare(report, "tiles_blend_to_rgba", megapixels, rgbaCpu, rgbaGpu, 1e-4f,
            () => BlendTiles(cpu, tensor, width, height, rgbaCpu), () => BlendTiles(gpu, tensor, width, height, rgbaGpu));

        var logits = Fill(new float[256 * 256], rng, -6f, 6f);
        float[] maskCpu = new float[pixels], maskGpu = new float[pixels];
        ok &= Compare(report, "mask_from_logits", megapixels, maskCpu, maskGpu, 1e-5f,
            () => cpu.MaskFromLogits(logits, 256, 256, maskCpu, width, height, 192f, 128f),
            () => gpu.MaskFromLogits(logits, 256, 256, maskGpu, width, height, 192f, 128f));
        return ok;
    }

    private static void BlendTiles(IPixelKernels kernels, float[] tensor, int width, int height, float[] rgba)
    {
        const int core = 512, halo = 16, side = core + 2 * halo;
        using var sums = kernels.Accumulate(new TileRegion(0, 0, width, height));
        for (var y = 0; y < height; y += core)
            for (var x = 0; x < width; x += core)
            {
                int x0 = Math.Max(0, x - halo), y0 = Math.Max(0, y - halo);
                int x1 = Math.Min(width, x + core + halo), y1 = Math.Min(height, y + core + halo);
                var edges = (x > 0 ? TileEdges.Left : 0) | (y > 0 ? TileEdges.Top : 0) | (x + core < width ? TileEdges.Right : 0) | (y + core < height ? TileEdges.Bottom : 0);
                sums.Add(tensor, side, side, 0, 0, new TilePlacement(x0, y0, x1 - x0, y1 - y0, halo, edges));
            }
        using var planes = sums.Resolve();
        kernels.PlanarToRgba(planes, ChannelAffine.Identity, Transfer.SrgbDecode, ChannelAffine.Gains(1 / 2.1f, 1f, 1 / 1.6f), rgba, 4 * width);
    }

    /// <summary>demosaic_nn + denoise_nn on Kodak 1 as a raw: an engine whose neural modules use the GPU kernels against one with
    /// UseGpu off, same models (ONNX Runtime on the CPU, the package that ships), alternating renders.</summary>
    private static bool Modules(MetricReport report, ComputeDevices devices, bool emulate)
    {
        var root = NeuralOps.RepoRoot();
        var home = Directory.CreateTempSubdirectory("rawengine-bench-").FullName;
        try
        {
            using var models = new ModelServices(
                new ModelSearchOptions([Path.Combine(root, "models"), Path.Combine(root, "testdata", "models")], new ModelEnvironment(_ => null, home)),
                InferenceSettings.Cpu);
            var options = new EngineOptions { CacheBytes = 0, UseGpu = false };
            using var cpuEngine = new RenderEngine(StandardModules.CreateRegistry(models), options);
            using var gpuEngine = new RenderEngine(StandardModules.CreateRegistry(models), options, compute: devices);
            var raw = emulate
                ? SyntheticRaw.Chart(96, 64, new SyntheticRawOptions { Noise = SensorNoise.AtIso(1600) })
                : SyntheticRaw.FromSrgbFile(Path.Combine(root, "testdata", "kodak", "kodim01.png"), new SyntheticRawOptions { Noise = SensorNoise.AtIso(1600) });
            var edit = Edit.Empty.With("demosaic_nn", new DemosaicNnParams()).With("denoise_nn", new DenoiseNnParams { Model = "nafnet-small" });
            var cpuSession = cpuEngine.Open(raw, "cpu");
            var gpuSession = gpuEngine.Open(raw, "gpu");
            var roi = Roi.Full(cpuSession.OutputSize(edit));
            var megapixels = roi.Pixels / 1e6;
            using (var a = cpuSession.RenderAsync(edit, roi).Result)
            using (var b = gpuSession.RenderAsync(edit, roi).Result)
            {
                var worst = MaxDifference(Pixels(a), Pixels(b));
                report.Add(new Metric("nn_modules max |gpu-cpu|", worst, "abs", Target: "<= 1e-4"));
                if (worst > 1e-4) return false;
            }
            var (cpuSeconds, gpuSeconds) = Alternate(() => cpuSession.RenderAsync(edit, roi).Result.Dispose(), () => gpuSession.RenderAsync(edit, roi).Result.Dispose(), emulate ? 1 : Pairs);
            report.Add(new Metric("nn_modules cpu kernels", megapixels / cpuSeconds, "MP/s"));
            report.Add(new Metric("nn_modules gpu kernels", megapixels / gpuSeconds, "MP/s", megapixels / cpuSeconds, "speed-up vs cpu"));
            return true;
        }
        catch (Exception e) when (e is ModelNotFoundException or AggregateException { InnerException: PipeException })
        {
            Console.Error.WriteLine($"bench: neural modules skipped: {e.GetBaseException().Message}");
            return true;
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static float[] Fill(float[] values, Random rng, float lo, float hi)
    {
        for (var i = 0; i < values.Length; i++) values[i] = lo + (hi - lo) * rng.NextSingle();
        return values;
    }

    private static float[] Pixels(Engine.Buffers.ImageBuffer buffer)
    {
        var pixels = new float[buffer.Width * buffer.Height * buffer.Channels];
        for (var y = 0; y < buffer.Height; y++) buffer.Row(y).CopyTo(pixels.AsSpan(y * buffer.Width * buffer.Channels));
        return pixels;
    }

    private static float MaxDifference(float[] cpu, float[] gpu)
    {
        var worst = 0f;
        for (var i = 0; i < cpu.Length; i++) worst = Math.Max(worst, Math.Abs(cpu[i] - gpu[i]));
        return worst;
    }

    /// <summary>Median seconds of each side over alternating pairs, after one warm-up of each (which also compiles the GPU kernels).</summary>
    private static (double Cpu, double Gpu) Alternate(Action cpu, Action gpu, int pairs)
    {
        cpu();
        gpu();
        var times = Enumerable.Range(0, pairs).Select(_ => (Time(cpu), Time(gpu))).ToArray();
        return (Timing.Median(times.Select(t => t.Item1)), Timing.Median(times.Select(t => t.Item2)));

        static double Time(Action action)
        {
            var clock = Stopwatch.StartNew();
            action();
            return clock.Elapsed.TotalSeconds;
        }
    }

    private static bool Compare(MetricReport report, string name, double megapixels, float[] cpu, float[] gpu, float tolerance, Action runCpu, Action runGpu)
    {
        var (cpuSeconds, gpuSeconds) = Alternate(runCpu, runGpu, Pairs);
        var worst = MaxDifference(cpu, gpu);
        report.Add(new Metric($"{name} cpu", megapixels / cpuSeconds, "MP/s"));
        report.Add(new Metric($"{name} gpu", megapixels / gpuSeconds, "MP/s", megapixels / cpuSeconds, "speed-up vs cpu"));
        report.Add(new Metric($"{name} max |gpu-cpu|", worst, "abs", Target: $"<= {tolerance}"));
        return worst <= tolerance;
    }

    /// <summary>The device choice as an engine logs it.</summary>
    private sealed class ConsoleLog : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) =>
            Console.Error.WriteLine($"bench: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.Message})")}");
    }
}
