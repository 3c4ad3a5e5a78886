using System.Globalization;
using RawEngine.Bench.Convert;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Synthetic;

namespace RawEngine.Bench.Ai;

/// <summary>
/// `bench -- nn-denoise [rounds] [package ...]`: what neural denoise adds to a whole `./rawengine convert` of a 6 MP
/// (3000x2000) synthetic Bayer DNG with ISO 400 noise to JPEG, per denoise package (an id under models/ or a package
/// folder, each alone in a models folder; default: the shipped nafnet-denoise). Each round runs the plain convert and
/// then one convert per package with `--denoise nn`, in turn; a package's cost is the median over rounds (default 5) of
/// its time minus that round's plain time, printed as MP/s beyond the plain convert (the first package's figure is the
/// baseline of the others' ratios).
/// </summary>
internal static class DenoiseConvertBench
{
    private const int Width = 3000, Height = 2000;

    public static int Run(MetricReport report, string[] args)
    {
        var rounds = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var r) ? r : 5;
        string[] packages = [.. args.SkipWhile(a => int.TryParse(a, CultureInfo.InvariantCulture, out _))];
        if (packages.Length == 0) packages = ["nafnet-denoise"];
        var root = ConvertBench.RepositoryRoot();
        var folders = packages.Select(p => Path.GetFullPath(Directory.Exists(p) ? p : Path.Combine(root, "models", p))).ToArray();
        var ids = folders.Select(f => Path.GetFileName(f)).ToArray();
        var work = Directory.CreateTempSubdirectory("rawengine-bench-denoise-").FullName;
        try
        {
            var dng = Path.Combine(work, "chart6mp.dng");
            DngWriter.Write(SyntheticRaw.Chart(Width, Height, new SyntheticRawOptions { Noise = SensorNoise.AtIso(400) }), dng);
            var rawengine = Path.Combine(root, "rawengine");
            Timed.Once(rawengine, ["--version"], work); // builds the Release binary if it is stale
            string[] Convert(string output) => ["convert", dng, "-o", Path.Combine(work, output), "--overwrite"];
            var modelArgs = folders.Select((package, m) =>
            {
                var folder = Directory.CreateDirectory(Path.Combine(work, $"models-{m}")).FullName;
                Directory.CreateSymbolicLink(Path.Combine(folder, ids[m]), package);
                return (string[])[.. Convert($"denoised-{m}.jpg"), "--denoise", "nn", "--models", folder];
            }).ToArray();

            var plain = new List<double>();
            var extra = ids.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round < rounds; round++)
            {
                var plainSeconds = Timed.Once(rawengine, Convert("plain.jpg"), work).Seconds;
                plain.Add(plainSeconds);
                for (var m = 0; m < ids.Length; m++)
                    extra[m].Add(Timed.Once(rawengine, modelArgs[m], work).Seconds - plainSeconds);
                Console.Error.WriteLine($"  round {round + 1}: plain {plainSeconds:0.00} s, "
                    + string.Join(", ", ids.Select((id, m) => $"{id} +{extra[m][^1]:0.00} s")) + $" (load {Timing.LoadAverage()})");
            }
            var megapixels = Width * Height / 1e6;
            report.Add(new Metric("nn.denoise.plain_convert", megapixels / Timing.Median(plain), "MP/s"));
            var first = megapixels / Timing.Median(extra[0]);
            for (var m = 0; m < ids.Length; m++)
                report.Add(new Metric($"nn.denoise.{ids[m]}.beyond_convert", megapixels / Timing.Median(extra[m]), "MP/s", m == 0 ? null : first,
                    ">= 1.0"));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
