using System.Diagnostics;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Pipeline.TestOps;

namespace RawEngine.Bench.Masks;

/// <summary>
/// The mask manager's costs at 24 MP (6000x4000): each form and a group of them rasterised over the
/// whole image (MP/s, against filling the same floats), and a masked blend in the pipe against the same
/// module unmasked.
/// </summary>
public static class MaskRasterBench
{
    private const int Width = 6000, Height = 4000, Runs = 3;

    public static int Run(MetricReport report)
    {
        var cpu = new CpuCompute();
        var view = MaskView.Image(Width, Height);
        var coverage = new float[Width * Height];
        Console.Error.WriteLine($"mask bench: {Width}x{Height} coverage, {cpu.MaxThreads} threads");

        var fillMs = Best(() => cpu.ForRows(Height, (y0, y1) => coverage.AsSpan(y0 * Width, (y1 - y0) * Width).Fill(0.5f)));
        report.Add(new Metric("mask_fill_24mp", fillMs, "ms"));

        var ellipse = new EllipseForm(new MaskPoint(0.45, 0.5), 0.35, 0.25, 20) { Feather = 0.05 };
        // A blob of 200 curved nodes, as a vectorised segmentation gives.
        var blob = new PathForm(Enumerable.Range(0, 200).Select(k =>
        {
            var angle = k * 2 * Math.PI / 200;
            var radius = 0.3 + 0.05 * Math.Sin(7 * angle);
            var (x, y) = (0.55 + radius * Math.Cos(angle) * 0.66, 0.5 + radius * Math.Sin(angle));
            var (tx, ty) = (-Math.Sin(angle) * 0.003, Math.Cos(angle) * 0.003);
            return new PathNode(new MaskPoint(x, y), new MaskPoint(x - tx, y - ty), new MaskPoint(x + tx, y + ty));
        }).ToArray()) { Feather = 0.01 };
        var stroke = new BrushForm(Enumerable.Range(0, 40).Select(k => new BrushPoint(new MaskPoint(0.1 + k * 0.02, 0.3 + 0.2 * Math.Sin(k * 0.3)), 0.03, 0.6)).ToArray());
        var gradient = new GradientForm(new MaskPoint(0.5, 0.3), 80) { Feather = 0.2 };
        var group = new MaskGroup("bench", [
            new GroupMember(ellipse), new GroupMember(blob, CombineMode.Exclusion), new GroupMember(stroke), new GroupMember(gradient, CombineMode.Intersection),
        ]);
        var megapixels = Width * Height / 1e6;
        var groupMs = 0.0;
        foreach (var (name, node) in new (string, MaskNode)[] { ("ellipse", ellipse), ("path_200_nodes", blob), ("brush_40_points", stroke), ("gradient", gradient), ("group_of_4", group) })
        {
            var ms = Best(() => MaskRasterizer.Render(node, view, coverage, cpu));
            groupMs = ms;
            report.Add(new Metric($"mask_raster_{name}_24mp", ms, "ms", fillMs));
            report.Add(new Metric($"mask_raster_{name}_mp_per_s", megapixels / (ms / 1000), "MP/s"));
            // Per CPU-second too: on a shared machine wall time measures the neighbours as well.
            var cpuSeconds = CpuSeconds(() => MaskRasterizer.Render(node, view, coverage, cpu));
            report.Add(new Metric($"mask_raster_{name}_mp_per_cpu_s", megapixels / cpuSeconds, "MP/s"));
        }

        // The group through a map that bends (a barrel, as lens correction gives): drawn on the drawing grid and resampled.
        var (cx, cy) = (Width / 2.0, Height / 2.0);
        var k = -0.05 / (cx * cx + cy * cy);
        var bent = view with
        {
            Bend = PointMap.Bending((x, y) =>
            {
                var (dx, dy) = (x - cx, y - cy);
                var f = 1 + k * (dx * dx + dy * dy);
                return (cx + dx * f, cy + dy * f);
            }),
        };
        report.Add(new Metric("mask_raster_group_of_4_bent_24mp", Best(() => MaskRasterizer.Render(group, bent, coverage, cpu)), "ms", groupMs));
        report.Add(new Metric("mask_raster_group_of_4_bent_mp_per_cpu_s", megapixels / CpuSeconds(() => MaskRasterizer.Render(group, bent, coverage, cpu)), "MP/s"));

        // A masked blend against the same module blending everywhere at half opacity.
        var raw = SyntheticRaw.Chart(Width, Height, new SyntheticRawOptions { Cfa = null });
        var registry = new ModuleRegistry([new GainOperation()]);
        var options = new EngineOptions { CacheBytes = 0, MemoryBudgetBytes = 16L << 30, PoolRetainedBytes = 2L << 30 };
        using var engine = new RenderEngine(registry, options);
        using var session = engine.Open(raw, "bench");
        var full = Roi.Full(new ImageSize(Width, Height));
        var half = Edit.Empty.With("gain", new GainParams { Gain = 1.5f }, new BlendParams { Opacity = 0.5 });
        var masked = Edit.Empty.With("gain", new GainParams { Gain = 1.5f }, new BlendParams { Opacity = 0.5, Mask = "bench" }) with { Masks = new MaskSet([group]) };
        session.RenderAsync(half, full).Result.Dispose();
        var halfMs = Best(() => session.RenderAsync(half, full).Result.Dispose());
        var maskedMs = Best(() => session.RenderAsync(masked, full).Result.Dispose());
        report.Add(new Metric("pipe_gain_blend_opacity_24mp", halfMs, "ms"));
        report.Add(new Metric("pipe_gain_blend_masked_group_24mp", maskedMs, "ms", halfMs));
        report.PrintTable();
        return 0;
    }

    private static double CpuSeconds(Action action)
    {
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        for (var run = 0; run < Runs; run++) action();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds / Runs;
    }

    private static double Best(Action action)
    {
        action();
        var best = double.MaxValue;
        for (var run = 0; run < Runs; run++)
        {
            var watch = Stopwatch.StartNew();
            action();
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }
        return best;
    }
}
