using System.Diagnostics;
using System.Globalization;
using RawEngine.Bench.Convert;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.Shared;

namespace RawEngine.Bench.Quality;

/// <summary>
/// `bench -- noise-estimate [--images N] [--noise S,S,...] [--xtrans] [--denoise-cost]`: how well <see cref="NoiseModel.Estimate"/>
/// reads a raw without a NoiseProfile. For the first N Kodak images (default 24) as identity raws with Poisson-Gaussian
/// noise SIGMA (Bayer, or X-Trans with <c>--xtrans</c>; standard deviation SIGMA at white, read noise a tenth of it, seeded by the image number, as the
/// round-trip bench; default 0, 0.01, 0.02, 0.04): the true and estimated standard deviation at mid-grey (0.18) and at
/// 0.5, their ratio, and the estimate's time; the median and range of the ratios per level. Then every raw-real camera
/// file and the Canon 6D DNG: the estimate, beside the file's NoiseProfile where it has one; and the estimate's time on a
/// 24 MP mosaic. With
/// <c>--denoise-cost</c>, the round-trip bench's <c>auto</c> against <c>auto/dn-classic</c> on the same raws written
/// without their NoiseProfile, at each level: what `--denoise classic` gains or costs when it runs on the estimate.
/// </summary>
public static class NoiseEstimateBench
{
    private static readonly double[] Levels = [0.18, 0.5];

    public static int Run(MetricReport report, IReadOnlyList<string> args)
    {
        var images = 24;
        double[] noises = [0, 0.01, 0.02, 0.04];
        var denoiseCost = false;
        var cfa = CfaPattern.Rggb;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--images" when i + 1 < args.Count: images = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--noise" when i + 1 < args.Count: noises = [.. args[++i].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture))]; break;
                case "--denoise-cost": denoiseCost = true; break;
                case "--xtrans": cfa = CfaPattern.XTrans; break;
                default:
                    Console.Error.WriteLine($"bench noise-estimate: unknown argument '{args[i]}' (--images N, --noise S,S,..., --xtrans, --denoise-cost)");
                    return 2;
            }
        }
        if (images is < 1 or > 24)
        {
            Console.Error.WriteLine($"bench noise-estimate: --images must be 1..24, not {images}");
            return 2;
        }
        var root = ConvertBench.RepositoryRoot();
        var testdata = Path.GetFullPath(Path.Combine(root, "..", "shared", "testdata"));
        if (!Directory.Exists(Path.Combine(testdata, "kodak24")))
        {
            Console.Error.WriteLine($"bench noise-estimate: {Path.Combine(testdata, "kodak24")} is not there");
            return 1;
        }

        double? firstCall = null;
        Console.WriteLine($"{"image",-8}{"noise",7}" + string.Concat(Levels.Select(l => $"{$"true@{l}",12}{$"est@{l}",12}{"ratio",7}")) + $"{"ms",7}");
        foreach (var noise in noises)
        {
            var ratios = Levels.Select(_ => new List<double>()).ToArray();
            var times = new List<double>();
            for (var k = 1; k <= images; k++)
            {
                var scene = LinearScene.FromSrgb8(ImageFile.LoadSrgb8(Path.Combine(testdata, "kodak24", $"kodim{k:00}.png")));
                var truth = new SensorNoise(noise * noise, noise * noise / 100);
                var raw = SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = cfa, Noise = noise > 0 ? truth : null, Seed = (ulong)k }) with { NoiseProfile = null };
                var clock = Stopwatch.StartNew();
                var estimate = NoiseModel.Estimate(raw);
                times.Add(clock.Elapsed.TotalMilliseconds);
                firstCall ??= times[^1];
                var line = $"kodim{k:00}  {noise,7:0.###}";
                for (var l = 0; l < Levels.Length; l++)
                {
                    var real = Math.Sqrt(truth.Shot * Levels[l] + truth.Read);
                    var guess = estimate.SigmaAt(Levels[l]);
                    if (noise > 0) ratios[l].Add(guess / real);
                    line += $"{real,12:0.00000}{guess,12:0.00000}{(noise > 0 ? $"{guess / real,7:0.00}" : "      -")}";
                }
                Console.WriteLine(line + $"{times[^1],7:0.0}");
            }
            for (var l = 0; l < Levels.Length; l++)
                if (ratios[l].Count > 0)
                {
                    var sorted = ratios[l].Order().ToList();
                    report.Add(new Metric($"noise-estimate.kodak.noise{noise:0.###}.at{Levels[l]}.median-ratio", sorted[sorted.Count / 2], "x",
                        Target: $"estimated / true sigma, range {sorted[0]:0.00}..{sorted[^1]:0.00}"));
                }
            report.Add(new Metric($"noise-estimate.kodak.noise{noise:0.###}.time", times.Order().ElementAt(times.Count / 2), "ms", Target: "median, 768x512, first call included"));
        }

        report.Add(new Metric("noise-estimate.first-call.time", firstCall ?? 0, "ms", Target: "the process's first estimate, 768x512: JIT and the pure-noise calibration included"));
        report.Add(new Metric("noise-estimate.24mp.time", TimeLarge(testdata), "ms", Target: "median of 5, a 6000x4000 mosaic tiled from kodim01 at noise 0.02 (target < 100)"));

        Console.WriteLine();
        Console.WriteLine($"{"file",-40}{"est@0.18",12}{"profile@0.18",14}{"shot",12}{"read",12}");
        foreach (var file in CameraFiles(testdata))
        {
            RawImage raw;
            try
            {
                raw = RawDecoder.Decode(file);
            }
            catch (Exception e) when (e is RawDecodeException or IOException)
            {
                Console.WriteLine($"{Path.GetFileName(file),-40} not decoded: {e.Message}");
                continue;
            }
            var estimate = NoiseModel.Estimate(raw);
            var profiled = NoiseModel.Profiled(raw);
            Console.WriteLine($"{Path.GetFileName(file),-40}{estimate.SigmaAt(0.18),12:0.00000}{(profiled is null ? "-" : profiled.SigmaAt(0.18).ToString("0.00000", CultureInfo.InvariantCulture)),14}{estimate.Shot,12:g3}{estimate.Read,12:g3}");
            report.Add(new Metric($"noise-estimate.camera.{Path.GetFileName(file)}.at0.18", 1000 * estimate.SigmaAt(0.18), "1e-3",
                Target: profiled is null ? "no NoiseProfile" : $"NoiseProfile says {1000 * profiled.SigmaAt(0.18):0.000}e-3"));
        }

        report.PrintTable();
        if (!denoiseCost) return 0;
        foreach (var noise in noises)
        {
            string[] arguments = ["--images", images.ToString(CultureInfo.InvariantCulture), "--no-profile", .. cfa == CfaPattern.XTrans ? new[] { "--xtrans" } : [], .. noise > 0 ? new[] { "--noise", noise.ToString(CultureInfo.InvariantCulture) } : [], "auto", "auto/dn-classic"];
            var code = RoundTripBench.Run(new MetricReport(Console.Out), arguments); // its own table, per level
            if (code != 0) return code;
        }
        return 0;
    }

    /// <summary>The estimate's time on a 24 MP Bayer raw: kodim01's noisy mosaic repeated (even sizes keep the CFA phase).</summary>
    private static double TimeLarge(string testdata)
    {
        const int width = 6000, height = 4000;
        var tile = SyntheticRaw.Create(LinearScene.FromSrgb8(ImageFile.LoadSrgb8(Path.Combine(testdata, "kodak24", "kodim01.png"))),
            new SyntheticRawOptions { Noise = new SensorNoise(4e-4, 4e-6), Seed = 1 });
        var data = new ushort[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                data[y * width + x] = tile.VisibleSample(y % tile.Visible.Height, x % tile.Visible.Width);
        var raw = tile with { SensorWidth = width, SensorHeight = height, Data = data, Visible = new PixelRect(0, 0, width, height), NoiseProfile = null };
        var times = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            NoiseModel.Estimate(raw);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return times.Order().ElementAt(times.Count / 2);
    }

    private static IEnumerable<string> CameraFiles(string testdata) =>
        Directory.Exists(Path.Combine(testdata, "raw-real"))
            ? Directory.EnumerateFiles(Path.Combine(testdata, "raw-real")).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order()
                .Append(Path.Combine(testdata, "raw", "canon_eos_6d_linear.dng"))
            : [];
}
