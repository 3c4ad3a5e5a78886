using System.Globalization;
using RawEngine.Bench.Convert;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Synthetic;

namespace RawEngine.Bench.Ai;

/// <summary>
/// `bench -- nn-denoise [rounds] [model ...]`: what neural denoise adds to a whole `./rawengine convert` of a 6 MP
/// (3000x2000) synthetic Bayer DNG with ISO 400 noise to JPEG, per shipped denoise model (default: nafnet-denoise-large,
/// the previous default, and nafnet-denoise, each alone in a models folder). Each round runs the plain convert and then one convert per
/// model with `--denoise nn`, in turn; a model's cost is the median over rounds (default 5) of its time minus that
/// round's plain time, printed as MP/s beyond the plain convert (the first model's figure is the baseline of the others).
/// </summary>
internal static class DenoiseConvertBench
{
    private const int Width = 3000, Height = 2000;

    public static int Run(MetricReport report, string[] args)
    {
        var rounds = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var r) ? r : 5;
        string[] ids = [.. args.SkipWhile(a => int.TryParse(a, CultureInfo.InvariantCulture, out _))];
        if (ids.Length == 0) ids = ["nafnet-denoise-large", "nafnet-denoise"];
        var root = ConvertBench.RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("rawengine-bench-denoise-").FullName;
        try
        {
            var dng = Path.Combine(work, "chart6mp.dng");
            DngWriter.Write(SyntheticRaw.Chart(Width, Height, new SyntheticRawOptions { Noise = SensorNoise.AtIso(400) }), dng);
            var rawengine = Path.Combine(root, "rawengine");
            Timed.Once(rawengine, ["--version"], work); // builds the Release binary if it is stale
            string[] Convert(string output) => ["convert", dng, "-o", Path.Combine(work, output), "--overwrite"];
            var modelArgs = ids.Select(id =>
            {
                var folder = Directory.CreateDirectory(Path.Combine(work, "models-" + id)).FullName;
                Directory.CreateSymbolicLink(Path.Combine(folder, id), Path.Combine(root, "models", id));
                return (string[])[.. Convert(id + ".jpg"), "--denoise", "nn", "--models", folder];
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
                    ids[m] == "nafnet-denoise" ? ">= 1.0" : null));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
