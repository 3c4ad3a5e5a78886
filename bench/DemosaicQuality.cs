using System.Globalization;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.Demosaic;

namespace RawEngine.Bench;

/// <summary>
/// Demosaic quality and speed. Quality: each Kodak24 image is linearised, mosaicked (Bayer RGGB and
/// X-Trans), demosaicked, encoded back to 8-bit sRGB and compared with the original (CPSNR, 10 px border
/// excluded; the issue's protocol with an identity camera). Speed: a 24 MP mosaic, median of 3 runs.
/// Arguments: <c>--images N</c> (first N Kodak images, default 24), <c>--no-speed</c>, <c>--no-quality</c>.
/// Wire it as <c>case "demosaic": return DemosaicQuality.Run(new MetricReport(Console.Out), args[1..]);</c>
/// </summary>
public static class DemosaicQuality
{
    private const int Border = 10;

    private static readonly (string Name, DemosaicMethod Method, CfaPattern Pattern)[] Cases =
    [
        ("bayer-bilinear", DemosaicMethod.Bilinear, CfaPattern.Rggb),
        ("bayer-lmmse", DemosaicMethod.Lmmse, CfaPattern.Rggb),
        ("xtrans-bilinear", DemosaicMethod.Bilinear, CfaPattern.XTrans),
        ("xtrans-colordifference", DemosaicMethod.XTransColorDifference, CfaPattern.XTrans),
    ];

    public static int Run(MetricReport report, IReadOnlyList<string>? args = null)
    {
        args ??= [];
        var images = 24;
        for (var i = 0; i < args.Count; i++)
            if (args[i] == "--images" && i + 1 < args.Count) images = int.Parse(args[++i], CultureInfo.InvariantCulture);
        if (images is < 1 or > 24)
        {
            Console.Error.WriteLine($"bench demosaic: --images must be 1..24, not {images}");
            return 2;
        }
        if (!args.Contains("--no-quality")) Quality(report, images);
        if (!args.Contains("--no-speed")) Speed(report);
        report.PrintTable();
        return 0;
    }

    private static void Quality(MetricReport report, int images)
    {
        var totals = new double[Cases.Length];
        Console.WriteLine($"{"image",-10}" + string.Concat(Cases.Select(c => $"{c.Name,24}")));
        for (var index = 1; index <= images; index++)
        {
            var original = ImageFile.LoadSrgb8(KodakPath(index));
            var scene = LinearScene.FromSrgb8(original);
            var line = $"kodim{index:00}   ";
            for (var c = 0; c < Cases.Length; c++)
            {
                var db = RoundTrip(original, scene, Cases[c].Method, Cases[c].Pattern);
                totals[c] += db;
                line += $"{db,24:F2}";
            }
            Console.WriteLine(line);
        }
        // Baselines: peers measured on this protocol (issue 4): dcraw_emu bilinear, darktable LMMSE;
        // the X-Trans method against X-Trans bilinear.
        double?[] baselines = [29.9, 40.4, null, totals[2] / images];
        string?[] targets = [">= 29 (issue 4)", ">= 38, beat darktable LMMSE 40.4", null, "> X-Trans bilinear + 1"];
        for (var c = 0; c < Cases.Length; c++)
            report.Add(new Metric($"demosaic.cpsnr.{Cases[c].Name}", totals[c] / images, "dB", baselines[c], targets[c]));
    }

    /// <summary>CPSNR of one image through mosaic, demosaic and 8-bit sRGB.</summary>
    public static double RoundTrip(Srgb8Image original, LinearScene scene, DemosaicMethod method, CfaPattern pattern)
    {
        var mosaic = CfaMosaic.Sample(scene, pattern);
        var rgba = new float[scene.Width * scene.Height * 4];
        DemosaicKernels.Run(method, new CfaPlane(mosaic, scene.Width, scene.Height, scene.Width, pattern),
            new RgbaPlane(rgba, scene.Width, scene.Height, scene.Width * 4));
        return ImageQuality.Cpsnr(original, ImageQuality.EncodeSrgb8(rgba, scene.Width, scene.Height, scene.Width * 4, 4), Border);
    }

    private static void Speed(MetricReport report)
    {
        const int width = 6000, height = 4000;
        var scene = LinearScene.LoadSrgb(KodakPath(1));
        foreach (var pattern in new[] { CfaPattern.Rggb, CfaPattern.XTrans })
        {
            // A 24 MP mosaic of the image repeated (mirrored tiles keep it continuous).
            var mosaic = CfaMosaic.Sample(Tile(scene, width, height), pattern);
            foreach (var method in new[] { DemosaicMethod.Bilinear, DemosaicMethod.Lmmse, DemosaicMethod.XTransColorDifference, DemosaicMethod.HalfSize })
            {
                if (!DemosaicKernels.Supports(method, pattern.Kind)) continue;
                var (ow, oh) = DemosaicKernels.OutputSize(method, pattern, width, height);
                var rgba = new float[ow * oh * 4];
                var input = new CfaPlane(mosaic, width, height, width, pattern);
                var output = new RgbaPlane(rgba, ow, oh, ow * 4);
                DemosaicKernels.Run(method, input, output);
                // Wall time is what a user sees; CPU time per megapixel stays comparable on a busy machine.
                var runs = Enumerable.Range(0, 3).Select(_ => Timing.WallAndCpuSeconds(() => DemosaicKernels.Run(method, input, output))).ToArray();
                var times = runs.Select(run => run.Wall).Order().ToList();
                var cpuTimes = runs.Select(run => run.Cpu).Order().ToList();
                var megapixels = width * (double)height / 1e6;
                var name = $"{pattern.Kind.ToString().ToLowerInvariant()}.{method.ToString().ToLowerInvariant()}";
                report.Add(new Metric($"demosaic.speed.{name}", megapixels / times[1], "MP/s"));
                report.Add(new Metric($"demosaic.cpu.{name}", megapixels / cpuTimes[1], "MP/cpu-s"));
            }
        }
        Console.WriteLine($"(speed: 24 MP input, {Environment.ProcessorCount} hardware threads)");
    }

    private static LinearScene Tile(LinearScene scene, int width, int height)
    {
        var rgb = new float[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            var sy = Mirror(y, scene.Height);
            for (var x = 0; x < width; x++)
            {
                var source = (sy * scene.Width + Mirror(x, scene.Width)) * 3;
                var target = (y * width + x) * 3;
                rgb[target] = scene.Rgb[source];
                rgb[target + 1] = scene.Rgb[source + 1];
                rgb[target + 2] = scene.Rgb[source + 2];
            }
        }
        return new LinearScene(width, height, rgb);
    }

    private static int Mirror(int i, int size)
    {
        var period = 2 * size;
        i %= period;
        return i < size ? i : period - 1 - i;
    }

    private static string KodakPath(int index)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawEngine.sln")))
                return Path.Combine(dir.FullName, "..", "shared", "testdata", "kodak24", $"kodim{index:00}.png");
        throw new InvalidOperationException("RawEngine.sln not found above the bench binaries.");
    }
}
