using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using RawEngine.AI.Kernels;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Raw;

namespace RawEngine.Tests.Ai;

/// <summary>ILGPU's CPU accelerator standing in for a GPU: the GPU kernels' code path, run where no GPU is.
/// One per test class, since loading the kernels compiles them.</summary>
public sealed class IlgpuCpuAccelerator : IDisposable
{
    private readonly Context _context = Context.Create(builder => builder.CPU().EnableAlgorithms());

    public IlgpuCpuAccelerator()
    {
        Accelerator = _context.CreateCPUAccelerator(0);
        Device = GpuDevice.Wrap(Accelerator);
    }

    public Accelerator Accelerator { get; }

    /// <summary>The accelerator as an engine's GPU (<see cref="ComputeDevices(int, GpuDevice)"/>).</summary>
    public GpuDevice Device { get; }

    /// <summary>The GPU side of the seam, as production loads it on a device.</summary>
    public GpuPixelKernels Kernels => Device.Kernels(accelerator => new GpuPixelKernels(accelerator))!;

    public void Dispose()
    {
        Device.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }
}

/// <summary>Every kernel production calls through <see cref="IPixelKernels"/>: the GPU side (on ILGPU's CPU
/// accelerator) gives the CPU side's results, on small images.</summary>
public sealed class PixelKernelTests(IlgpuCpuAccelerator ilgpu) : IClassFixture<IlgpuCpuAccelerator>
{
    private static readonly IPixelKernels Cpu = CpuPixelKernels.Instance;
    private IPixelKernels Gpu => ilgpu.Kernels;

    private static readonly ChannelAffine Sam = ChannelAffine.Normalise([123.675f, 116.28f, 103.53f], [58.395f, 57.12f, 57.375f], 255f);

    private static float[] Random(int n, int seed, float lo, float hi)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * rng.NextSingle()).ToArray();
    }

    [Theory]
    [InlineData(Transfer.SrgbEncode, true)]
    [InlineData(Transfer.None, false)]
    public void PackingRgbaIntoPlanesAgrees(Transfer transfer, bool normalise)
    {
        const int w = 21, h = 13, stride = 4 * w + 4;
        var rgba = Random(stride * h, 5, -0.1f, 1.3f);
        var affine = normalise ? Sam : new ChannelAffine(2, 2, 2, -1, -1, -1);
        float[] cpu = new float[3 * w * h], gpu = new float[3 * w * h];
        Cpu.RgbaToPlanar(rgba, w, h, stride, cpu, transfer, affine);
        Gpu.RgbaToPlanar(rgba, w, h, stride, gpu, transfer, affine);
        AssertClose(cpu, gpu, 1e-4f);
    }

    [Theory]
    [InlineData("GRBG", Transfer.SrgbEncode)]
    [InlineData("XTRANS", Transfer.SrgbEncode)]
    [InlineData("RGGB", Transfer.None)]
    public void MaskingAMosaicAgrees(string name, Transfer transfer)
    {
        const int w = 18, h = 12, stride = 20;
        var pattern = name == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Bayer(name);
        var cfa = Random(stride * h, 6, 0f, 1f);
        float[] cpu = new float[3 * w * h], gpu = new float[3 * w * h];
        Cpu.CfaToMaskedMosaic(cfa, w, h, stride, pattern, transfer, cpu);
        Gpu.CfaToMaskedMosaic(cfa, w, h, stride, pattern, transfer, gpu);
        AssertClose(cpu, gpu, 1e-5f);
        Assert.Equal(2 * w * h, gpu.Count(v => v == 0f));
    }

    /// <summary>Tiles read from tensors at an offset, reaching past the region on three sides, blended, resolved,
    /// then written out as RGBA (curve undone, gains, alpha 1) into rows with gaps: from planes left on the device.</summary>
    [Fact]
    public void BlendingTilesIntoARegionAndWritingRgbaAgrees()
    {
        var region = new TileRegion(5, 3, 30, 20);
        const int tensorW = 26, tensorH = 24, overlap = 3;
        (TilePlacement Place, int Dx, int Dy, int Seed)[] tiles =
        [
            (new TilePlacement(0, 0, 20, 22, overlap, TileEdges.Right), 2, 1, 11),
            (new TilePlacement(14, 0, 24, 22, overlap, TileEdges.Left), 1, 2, 12),
        ];
        using var cpuSums = Cpu.Accumulate(region);
        using var gpuSums = Gpu.Accumulate(region);
        foreach (var (place, dx, dy, seed) in tiles)
        {
            var tensor = Random(3 * tensorW * tensorH, seed, 0f, 1f);
            cpuSums.Add(tensor, tensorW, tensorH, dx, dy, place);
            gpuSums.Add(tensor, tensorW, tensorH, dx, dy, place);
        }
        using var cpuPlanes = cpuSums.Resolve();
        using var gpuPlanes = gpuSums.Resolve();

        const int stride = 4 * 30 + 6;
        var after = ChannelAffine.Gains(1 / 2.1f, 1f, 1 / 1.6f);
        float[] cpu = new float[stride * 20], gpu = new float[stride * 20];
        Array.Fill(cpu, -7f);
        Array.Fill(gpu, -7f);
        Cpu.PlanarToRgba(cpuPlanes, new ChannelAffine(2, 2, 2, -1, -1, -1), Transfer.SrgbDecode, after, cpu, stride);
        Gpu.PlanarToRgba(gpuPlanes, new ChannelAffine(2, 2, 2, -1, -1, -1), Transfer.SrgbDecode, after, gpu, stride);
        AssertClose(cpu, gpu, 1e-5f);
        Assert.Equal(20 * 30, gpu.Count(v => v == 1f)); // alpha
        Assert.Equal(20 * 6, gpu.Count(v => v == -7f)); // the gaps after each row

        // The device's planes read back on the host are the CPU's blend.
        AssertClose(cpuPlanes.Planes.ToArray(), gpuPlanes.Planes.ToArray(), 1e-5f);
    }

    [Fact]
    public void WritingRgbaFromHostPlanesAgrees()
    {
        const int w = 17, h = 9;
        var data = System.Buffers.ArrayPool<float>.Shared.Rent(3 * w * h);
        Random(3 * w * h, 13, -0.2f, 1.4f).CopyTo(data, 0);
        using var planes = new PlanarImage(data, w, h);
        float[] cpu = new float[4 * w * h], gpu = new float[4 * w * h];
        Cpu.PlanarToRgba(planes, Sam, Transfer.None, ChannelAffine.Identity, cpu, 4 * w);
        Gpu.PlanarToRgba(planes, Sam, Transfer.None, ChannelAffine.Identity, gpu, 4 * w);
        AssertClose(cpu, gpu, 1e-4f);
    }

    [Theory]
    [InlineData(0f, 0f)]
    [InlineData(40.5f, 30.25f)]
    public void ResizingMaskLogitsAgrees(float regionWidth, float regionHeight)
    {
        const int w = 37, h = 29;
        var logits = Random(64 * 64, 8, -6f, 6f);
        float[] cpu = new float[w * h], gpu = new float[w * h];
        Cpu.MaskFromLogits(logits, 64, 64, cpu, w, h, regionWidth, regionHeight);
        Gpu.MaskFromLogits(logits, 64, 64, gpu, w, h, regionWidth, regionHeight);
        AssertClose(cpu, gpu, 1e-5f);
    }

    [Fact]
    public void AnEngineWithoutAGpuUsesTheCpuKernelsAndSaysWhy()
    {
        var log = new RecordingLogger();
        using var off = new ComputeDevices(maxThreads: 1, useGpu: false, logger: log);
        Assert.Same(CpuPixelKernels.Instance, PixelKernels.For(off));
        Assert.Contains(log.Lines, line => line.Contains("UseGpu is false"));

        using var injected = new ComputeDevices(1, ilgpu.Device);
        var kernels = PixelKernels.For(injected);
        Assert.IsType<GpuPixelKernels>(kernels);
        Assert.Same(kernels, PixelKernels.For(injected.Serial)); // loaded once per device
        Assert.Contains(ilgpu.Accelerator.Name, kernels.Device);
    }

    [Fact]
    public void KernelsThatFailToLoadOnTheGpuLeaveTheCpuInCharge()
    {
        var log = new RecordingLogger();
        using var device = GpuDevice.Wrap(ilgpu.Accelerator, log);
        Assert.Null(device.Kernels<GpuPixelKernels>(_ => throw new InvalidOperationException("no compiler for this device")));
        Assert.Null(device.Kernels<GpuPixelKernels>(_ => throw new InvalidOperationException("tried twice"))); // the answer is kept
        Assert.Single(log.Lines, line => line.StartsWith("Warning:") && line.Contains("failed to load"));
        using var devices = new ComputeDevices(1, device);
        Assert.Same(CpuPixelKernels.Instance, PixelKernels.For(devices));
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0f;
        for (var i = 0; i < expected.Length; i++) worst = MathF.Max(worst, MathF.Abs(expected[i] - actual[i]) / MathF.Max(1f, MathF.Abs(expected[i])));
        Assert.True(worst <= tolerance, $"largest relative difference {worst} exceeds {tolerance}");
        Assert.Contains(expected, v => v != 0f);
    }
}
