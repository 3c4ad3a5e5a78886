using System.Diagnostics;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.Lens;

namespace RawEngine.Bench.Pipe;

/// <summary>
/// The lens module on a 24 MP (6000x4000) linear RGBA frame, Canon EOS 550D with the EF-S 18-55 at 18 mm f/3.5
/// (lensfun's ptlens distortion, TCA, vignetting): all three corrections, and each alone. Each is timed in alternating
/// pairs with the exposure module over the same frame (the baseline), medians of both, so the ratio holds on a shared
/// machine; CPU seconds per run as well.
/// </summary>
public static class LensBench
{
    private const int Width = 6000, Height = 4000, Pairs = 3;

    public static int Run(MetricReport report)
    {
        if (LensDatabase.System is null)
        {
            Console.Error.WriteLine($"lens bench: lensfun is not available ({LensDatabase.UnavailableReason})");
            return 1;
        }
        var capture = new CaptureInfo
        {
            Make = "Canon", Model = "Canon EOS 550D", Lens = "Canon EF-S 18-55mm f/3.5-5.6 IS", FocalLength = 18, FNumber = 3.5f, Iso = 100, ExposureTime = 0.01f,
        };
        var raw = SyntheticRaw.Chart(64, 64, new SyntheticRawOptions { Cfa = null, Capture = capture });
        var pool = new BufferPool();
        var compute = new ComputeDevices();
        var format = new BufferFormat(PixelLayout.Rgba, ColorEncoding.LinearCamera, 1);
        var size = new ImageSize(Width, Height);
        var roi = Roi.Full(size);
        using var input = ImageBuffer.Rent(pool, Width, Height, 4);
        compute.Cpu.ForRows(Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var row = input.Row(y);
                for (var x = 0; x < Width; x++)
                    for (var c = 0; c < 4; c++) row[x * 4 + c] = 0.1f + 0.8f * (((x >> 5) + (y >> 5) + c) & 1);
            }
        });
        using var output = ImageBuffer.Rent(pool, Width, Height, 4);
        ICommittedOperation Commit(IImageOperation operation, OperationParams parameters) =>
            operation.Commit(parameters, new CommitContext(operation.Info.Id, format, size, raw, PipeKind.Export));
        var exposure = Commit(new ExposureOperation(), new ExposureParams { Exposure = 0.5 });
        void Run(ICommittedOperation op) => op.Process(new ProcessContext(format, format, pool, compute, CancellationToken.None), input, roi, output, roi);

        Console.Error.WriteLine($"lens bench: {Width}x{Height} RGBA, {compute.Cpu.MaxThreads} threads, {LensDatabase.System.Find(capture)?.Name}");
        var megapixels = Width * Height / 1e6;
        foreach (var (name, parameters) in new (string, LensParams)[]
                 {
                     ("all", new LensParams()),
                     ("distortion", new LensParams { ChromaticAberration = false, Vignetting = false }),
                     ("tca", new LensParams { Distortion = false, Vignetting = false }),
                     ("vignetting", new LensParams { Distortion = false, ChromaticAberration = false }),
                 })
        {
            var lens = Commit(new LensOperation(), parameters);
            Run(lens);
            var (lensMs, baselineMs, cpuSeconds) = (new List<double>(), new List<double>(), new List<double>());
            for (var pair = 0; pair < Pairs; pair++)
            {
                baselineMs.Add(Milliseconds(() => Run(exposure)));
                var (wall, cpu) = Timing.WallAndCpuSeconds(() => Run(lens));
                lensMs.Add(wall * 1000);
                cpuSeconds.Add(cpu);
            }
            var (ms, baseline) = (Timing.Median(lensMs), Timing.Median(baselineMs));
            report.Add(new Metric($"lens_{name}_24mp", ms, "ms", baseline));
            report.Add(new Metric($"lens_{name}_mp_per_s", megapixels / (ms / 1000), "MP/s"));
            report.Add(new Metric($"lens_{name}_cpu_s", Timing.Median(cpuSeconds), "s"));
        }
        report.PrintTable();
        return 0;
    }

    private static double Milliseconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }
}
