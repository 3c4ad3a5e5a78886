using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using RawEngine.Bench.Convert;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Color;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.Shared;

namespace RawEngine.Bench.Quality;

/// <summary>
/// `bench -- roundtrip [--images N] [--xtrans] [--keep DIR] VARIANT...`: the identity round trip of the quality
/// tests through the product (Kodak sRGB -> synthetic DNG -> `./rawengine convert --tone none --profile srgb`
/// -> PNG -> CPSNR, 10 px border excluded), one batch convert per variant over the first N Kodak images
/// (default 24). A variant is a demosaic method with modifiers joined by '/': <c>auto</c>, <c>nn</c>,
/// <c>nn/e4</c> (demosaic_nn ensemble of 4), <c>auto/hl-off</c> (highlights disabled), <c>nn/hl1.0</c>
/// (highlights threshold 1.0), <c>auto/dn-classic</c> or <c>auto/dn-classic0.5</c> (classical denoise at a strength),
/// <c>auto/dn-nn</c> (neural denoise, shipped models), <c>auto/sharpen1</c> (capture sharpening amount 1). <c>--noise SIGMA</c>
/// puts Poisson-Gaussian noise on every mosaic (standard deviation SIGMA at white, read noise a tenth of it, seeded by
/// the image number, as the denoise quality tests), stated in each DNG's NoiseProfile unless <c>--no-profile</c> leaves it out
/// (modules then estimate the noise from the raw); <c>--blur SIGMA</c> sees each scene through a Gaussian blur of
/// SIGMA pixels first (the capture sharpening tests' blurred raws). Default variants: auto, nn. Prints per-image scores, then each variant's mean,
/// its gain over the first variant, the share of its squared error within 2 px of a source pixel at 254 or
/// 255 in some channel (where highlight handling acts), and its wall time per image.
/// <c>--scale S</c> (1/S an integer, e.g. 0.5) measures a downscaled export instead: <c>convert --scale S --sharpen off</c>
/// against the source averaged over 1/S x 1/S blocks in linear light (what a sensor of the smaller size would have
/// seen); with <c>--truth lanczos</c> against the source resampled with the engine's own Lanczos-3 in linear light (the same
/// filter, so only where it is applied differs). <c>--rawengine PATH</c> runs another build's launcher (e.g. an older checkout's, for a before/after).
/// </summary>
public static class RoundTripBench
{
    private const int Border = 10;

    private sealed record Variant(string Name, string[] Arguments, JsonObject Edit);

    public static int Run(MetricReport report, IReadOnlyList<string> args)
    {
        var images = 24;
        var cfa = CfaPattern.Rggb;
        string? keep = null;
        double noise = 0, blur = 0;
        var factor = 1;
        var lanczosTruth = false;
        var noProfile = false;
        string? launcher = null;
        var names = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--images" when i + 1 < args.Count: images = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--xtrans": cfa = CfaPattern.XTrans; break;
                case "--keep" when i + 1 < args.Count: keep = args[++i]; break;
                case "--noise" when i + 1 < args.Count: noise = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--scale" when i + 1 < args.Count: factor = (int)Math.Round(1 / double.Parse(args[++i], CultureInfo.InvariantCulture)); break;
                case "--truth" when i + 1 < args.Count: lanczosTruth = args[++i] == "lanczos"; break;
                case "--rawengine" when i + 1 < args.Count: launcher = Path.GetFullPath(args[++i]); break;
                case "--no-profile": noProfile = true; break;
                case "--blur" when i + 1 < args.Count: blur = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: names.Add(args[i]); break;
            }
        }
        if (images is < 1 or > 24)
        {
            Console.Error.WriteLine($"bench roundtrip: --images must be 1..24, not {images}");
            return 2;
        }
        if (factor < 1)
        {
            Console.Error.WriteLine("bench roundtrip: --scale must be 1/N for a whole N (1, 0.5, 0.25, ...)");
            return 2;
        }
        if (names.Count == 0) names = ["auto", "nn"];
        var root = ConvertBench.RepositoryRoot();
        var shared = Path.GetFullPath(Path.Combine(root, "..", "shared"));
        List<Variant> variants;
        try
        {
            variants = [.. names.Select(n => Parse(n, Path.Combine(root, "models")))];
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"bench roundtrip: {e.Message}");
            return 2;
        }

        var work = keep ?? Directory.CreateTempSubdirectory("rawengine-bench-roundtrip-").FullName;
        Directory.CreateDirectory(work);
        try
        {
            var originals = new List<Srgb8Image>();
            var dngs = new List<string>();
            for (var k = 1; k <= images; k++)
            {
                var source = Path.Combine(shared, "testdata", "kodak24", $"kodim{k:00}.png");
                var original = ImageFile.LoadSrgb8(source);
                originals.Add(lanczosTruth ? LinearLanczos(original, factor) : AreaAverage(original, factor));
                var dng = Path.Combine(work, $"kodim{k:00}.dng");
                var options = new SyntheticRawOptions { Cfa = cfa, Noise = noise > 0 ? new SensorNoise(noise * noise, noise * noise / 100) : null, Seed = (ulong)k };
                var scene = LinearScene.FromSrgb8(originals[^1]);
                var raw = SyntheticRaw.Create(blur > 0 ? scene.GaussianBlurred(blur) : scene, options);
                DngWriter.Write(noProfile ? raw with { NoiseProfile = null } : raw, dng);
                dngs.Add(dng);
            }
            var highlights = originals.Select(NearHighlights).ToList();
            var rawengine = launcher ?? Path.Combine(root, "rawengine");
            string[] scaling = factor == 1 ? [] : ["--scale", (1.0 / factor).ToString(CultureInfo.InvariantCulture), "--sharpen", "off"];
            Timed.Once(rawengine, ["--version"], work); // builds the Release binary if it is stale

            var scores = new double[variants.Count][];
            var shares = new double[variants.Count];
            var seconds = new double[variants.Count];
            for (var v = 0; v < variants.Count; v++)
            {
                var variant = variants[v];
                var folder = Path.Combine(work, variant.Name.Replace('/', '_'));
                Directory.CreateDirectory(folder);
                var edit = Path.Combine(folder, "edit.json");
                File.WriteAllText(edit, variant.Edit.ToJsonString());
                string[] arguments = ["convert", .. dngs, "-o", folder, "--format", "png", "--tone", "none", "--profile", "srgb", "--overwrite", "--edit", edit, .. scaling, .. variant.Arguments];
                var clock = Stopwatch.StartNew();
                Timed.Once(rawengine, arguments, work);
                seconds[v] = clock.Elapsed.TotalSeconds / images;
                scores[v] = new double[images];
                double nearError = 0, allError = 0;
                for (var k = 0; k < images; k++)
                {
                    var result = ImageFile.LoadSrgb8(Path.Combine(folder, $"kodim{k + 1:00}.png"));
                    scores[v][k] = ImageQuality.Cpsnr(originals[k], result, Border);
                    var (near, all) = SquaredError(originals[k], result, highlights[k]);
                    nearError += near;
                    allError += all;
                }
                shares[v] = allError > 0 ? nearError / allError : 0;
                Console.Error.WriteLine($"  {variant.Name}: {scores[v].Average():F2} dB, {seconds[v]:F2} s an image");
            }

            Console.WriteLine($"{"image",-8}" + string.Concat(variants.Select(v => $"{v.Name,16}")));
            for (var k = 0; k < images; k++)
                Console.WriteLine($"kodim{k + 1:00}  " + string.Concat(scores.Select(s => $"{s[k],16:F2}")));
            Console.WriteLine($"{"mean",-8}" + string.Concat(scores.Select(s => $"{s.Average(),16:F2}")));
            var kind = (cfa.Kind == CfaKind.Bayer ? "bayer" : "xtrans") + (noise > 0 ? $".noise{noise:0.###}" : "") + (noProfile ? ".no-profile" : "") + (blur > 0 ? $".blur{blur:0.###}" : "") + (factor > 1 ? $".scale1-{factor}{(lanczosTruth ? ".lanczos" : "")}" : "");
            for (var v = 0; v < variants.Count; v++)
            {
                var name = $"roundtrip.{kind}.{variants[v].Name}";
                report.Add(new Metric(name, scores[v].Average(), "dB", v == 0 ? null : scores[0].Average(), v == 0 ? null : $"gain over {variants[0].Name}"));
                report.Add(new Metric($"{name}.near-highlight-error", 100 * shares[v], "%"));
                report.Add(new Metric($"{name}.time", seconds[v], "s/image"));
            }
            report.PrintTable();
            return 0;
        }
        finally
        {
            if (keep is null) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>A variant from its name: the demosaic method, then modifiers (e.g. <c>nn/e4/hl-off</c>).</summary>
    private static Variant Parse(string name, string shippedModels)
    {
        var parts = name.Split('/');
        var modules = new JsonArray();
        List<string> arguments = parts[0] switch
        {
            "nn" => ["--demosaic", "nn", "--models", shippedModels],
            "auto" or "lmmse" or "bilinear" or "xtrans" => ["--demosaic", parts[0]],
            _ => throw new ArgumentException($"variant '{name}': '{parts[0]}' is not a demosaic method (auto, lmmse, bilinear, xtrans, nn)"),
        };
        foreach (var modifier in parts[1..])
        {
            if (modifier == "hl-off")
                modules.Add(new JsonObject { ["module"] = "highlights", ["enabled"] = false });
            else if (modifier.StartsWith("hl", StringComparison.Ordinal) && double.TryParse(modifier[2..], CultureInfo.InvariantCulture, out var threshold))
                modules.Add(new JsonObject { ["module"] = "highlights", ["params"] = new JsonObject { ["threshold"] = threshold } });
            else if (modifier.StartsWith("dn-classic", StringComparison.Ordinal))
                modules.Add(new JsonObject
                {
                    ["module"] = "denoise",
                    ["params"] = new JsonObject { ["strength"] = modifier.Length > 10 ? double.Parse(modifier[10..], CultureInfo.InvariantCulture) : 1.0 },
                });
            else if (modifier == "dn-nn")
            {
                modules.Add(new JsonObject { ["module"] = "denoise_nn" });
                if (!arguments.Contains("--models")) arguments.AddRange(["--models", shippedModels]);
            }
            else if (modifier.StartsWith("sharpen", StringComparison.Ordinal) && double.TryParse(modifier[7..], CultureInfo.InvariantCulture, out var amount))
                modules.Add(new JsonObject { ["module"] = "sharpen", ["params"] = new JsonObject { ["amount"] = amount } });
            else if (modifier.StartsWith('e') && parts[0] == "nn" && int.TryParse(modifier[1..], CultureInfo.InvariantCulture, out var ensemble))
                modules.Add(new JsonObject { ["module"] = "demosaic_nn", ["params"] = new JsonObject { ["ensemble"] = ensemble } });
            else
                throw new ArgumentException($"variant '{name}': unknown modifier '{modifier}' (hl-off, hlTHRESHOLD, eN with nn, dn-classic[STRENGTH], dn-nn, sharpenAMOUNT)");
        }
        return new Variant(name, [.. arguments], new JsonObject { ["format"] = "rawengine-edit", ["version"] = 1, ["modules"] = modules });
    }

    /// <summary>The image averaged over <paramref name="factor"/> x <paramref name="factor"/> blocks in linear light, sRGB-encoded again.</summary>
    private static Srgb8Image AreaAverage(Srgb8Image image, int factor)
    {
        if (factor == 1) return image;
        var srgb = TransferFunction.Srgb;
        var decode = Enumerable.Range(0, 256).Select(v => srgb.Decode(v / 255.0)).ToArray();
        int width = image.Width / factor, height = image.Height / factor;
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < 3; c++)
                {
                    var sum = 0.0;
                    for (var dy = 0; dy < factor; dy++)
                        for (var dx = 0; dx < factor; dx++)
                            sum += decode[image.Rgb[((y * factor + dy) * image.Width + x * factor + dx) * 3 + c]];
                    rgb[(y * width + x) * 3 + c] = (byte)Math.Round(255 * srgb.Encode(sum / (factor * factor)));
                }
        return new Srgb8Image(width, height, rgb);
    }

    /// <summary>The image resampled to 1/<paramref name="factor"/> with the engine's Lanczos-3 in linear light, sRGB-encoded again.</summary>
    private static Srgb8Image LinearLanczos(Srgb8Image image, int factor)
    {
        if (factor == 1) return image;
        var scene = LinearScene.FromSrgb8(image);
        var pool = new BufferPool();
        var full = new ImageSize(image.Width, image.Height);
        using var input = ImageBuffer.Rent(pool, image.Width, image.Height, 4);
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
                for (var c = 0; c < 3; c++)
                    input.Row(y)[4 * x + c] = scene.Rgb[3 * (y * image.Width + x) + c];
        var roiOut = Roi.Full(full, 1.0 / factor);
        using var output = ImageBuffer.Rent(pool, roiOut.Width, roiOut.Height, 4);
        var format = new BufferFormat(PixelLayout.Rgba, ColorEncoding.LinearWorking, 1);
        Resampler.Run(new ProcessContext(format, format, pool, new ComputeDevices(), CancellationToken.None), full, input, Roi.Full(full), output, roiOut);
        return ImageQuality.EncodeSrgb8(output.Array.AsSpan(output.Offset), output.Width, output.Height, output.Stride, 4);
    }

    /// <summary>Pixels within 2 px of a source pixel with some channel at 254 or 255.</summary>
    private static bool[] NearHighlights(Srgb8Image image)
    {
        var near = new bool[image.Width * image.Height];
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
            {
                var at = (y * image.Width + x) * 3;
                if (Math.Max(image.Rgb[at], Math.Max(image.Rgb[at + 1], image.Rgb[at + 2])) < 254) continue;
                for (var dy = -2; dy <= 2; dy++)
                    for (var dx = -2; dx <= 2; dx++)
                    {
                        int ny = y + dy, nx = x + dx;
                        if (ny >= 0 && ny < image.Height && nx >= 0 && nx < image.Width) near[ny * image.Width + nx] = true;
                    }
            }
        return near;
    }

    /// <summary>Squared error near highlights and over all pixels, inside the border CPSNR scores.</summary>
    private static (double Near, double All) SquaredError(Srgb8Image original, Srgb8Image result, bool[] near)
    {
        double nearSum = 0, all = 0;
        for (var y = Border; y < original.Height - Border; y++)
            for (var x = Border; x < original.Width - Border; x++)
            {
                var at = (y * original.Width + x) * 3;
                double sum = 0;
                for (var c = 0; c < 3; c++)
                {
                    double d = original.Rgb[at + c] - result.Rgb[at + c];
                    sum += d * d;
                }
                all += sum;
                if (near[y * original.Width + x]) nearSum += sum;
            }
        return (nearSum, all);
    }
}
