using RawEngine.Engine.Compute;

namespace RawEngine.Tests.Compute;

public class ComputeTests
{
    [Fact]
    public void GpuDiscoveryFindsADeviceOrNoneWithoutFailing()
    {
        using var devices = new ComputeDevices(maxThreads: 1, useGpu: true);
        if (devices.Gpu is { } gpu)
        {
            Assert.False(string.IsNullOrEmpty(gpu.Name));
            Assert.NotEqual(ILGPU.Runtime.AcceleratorType.CPU, gpu.Type); // ILGPU's emulator is never chosen
            Assert.True(gpu.MemoryBytes > 0);
        }
        using var off = new ComputeDevices(useGpu: false);
        Assert.Null(off.Gpu);
    }

    [Fact]
    public void RowBandsCoverEveryRowOnce()
    {
        var cpu = new CpuCompute(3);
        var hits = new int[101];
        cpu.ForRows(101, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++) Interlocked.Increment(ref hits[y]);
        });
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void AModuleErrorInsideRowBandsSurfacesUnwrapped()
    {
        var cpu = new CpuCompute(2);
        var error = Assert.Throws<InvalidOperationException>(() => cpu.ForRows(50, (_, _) => throw new InvalidOperationException("bad row")));
        Assert.Equal("bad row", error.Message);
    }

    [Fact]
    public void WideningKeepsEverySample()
    {
        var source = Enumerable.Range(0, 100).Select(i => (ushort)(i * 655 + 7)).ToArray();
        var target = new float[100];
        Simd.Widen(source, target);
        Assert.Equal(source.Select(v => (float)v), target);
    }
}
