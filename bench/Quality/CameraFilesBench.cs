using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using RawEngine.Bench.Convert;
using RawEngine.Tests.Conformance;

namespace RawEngine.Bench.Quality;

/// <summary>
/// `bench -- camera-files`: the conformance corpus through the product as a user runs it (`./rawengine`).
/// For every raw-real file and the 6D DNG: camera (from `info --json`), convert's exit status, size against
/// LibRaw's (`dcraw_emu`), the exposure gain in EV that matches ours to LibRaw's, 8x8 block PSNR, and mean
/// linear chromaticity ours vs LibRaw's; then each raw-foreign variant's CPSNR against its truth and its delta to
/// its control. One JSON object per row as it comes, then two tables. The bars are the conformance tests'
/// (<see cref="ConformanceCorpus"/>); the suite reports, it does not fail on them.
/// </summary>
public static class CameraFilesBench
{
    /// <summary>The first call builds the Release binary; none of the rest takes more than seconds.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="Comparison">Which of our renderings against which of LibRaw's: "default vs -w"; for a file without an
    /// as-shot white balance (LibRaw's -w is then its grey world) "default vs daylight" and "--wb auto vs -w".</param>
    private sealed record RealRow(string File, string Camera, string Comparison, int Exit, string Size, string LibRawSize, double GainEv, double BlockPsnr,
        Chromaticity? Ours, Chromaticity? LibRaw, string LibRawWhiteBalance, string Verdict);

    private sealed record ForeignRow(string Variant, string Image, double Cpsnr, string? Control, double Delta, double Tolerance, string Verdict);

    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count > 0)
        {
            Console.Error.WriteLine("usage: bench camera-files");
            return 2;
        }
        if (!DcrawEmu.Installed)
        {
            Console.Error.WriteLine($"bench camera-files: {DcrawEmu.Program} is missing (apt-get install libraw-bin)");
            return 1;
        }
        var root = ConvertBench.RepositoryRoot();
        var testdata = Path.GetFullPath(Path.Combine(root, "..", "shared", "testdata"));
        if (!Directory.Exists(testdata))
        {
            Console.Error.WriteLine($"bench camera-files: {testdata} is not there");
            return 1;
        }
        var rawengine = Path.Combine(root, "rawengine");
        var work = Directory.CreateTempSubdirectory("rawengine-bench-camera-files-").FullName;
        try
        {
            ChildProcess.Run(rawengine, ["--version"], Limit); // builds the Release binary if it is stale
            var real = ConformanceCorpus.RealFiles.Append(ConformanceCorpus.UnopenableRealFile)
                .SelectMany(file => Real(rawengine, testdata, file, work)).Select(Print).ToList();
            var foreign = Foreign(rawengine, testdata, work).Select(Print).ToList();
            PrintTables(real, foreign);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static IEnumerable<RealRow> Real(string rawengine, string testdata, string file, string work)
    {
        var input = Path.Combine(testdata, file);
        var stem = Path.Combine(work, Path.GetFileName(file));
        var info = ChildProcess.Run(rawengine, ["info", "--json", input], Limit);
        var camera = info.ExitCode == 0 && JsonNode.Parse(info.Out) is { } json
            ? $"{json["make"]} {json["model"]}".Trim()
            : "(info: exit " + info.ExitCode + ")";
        var oracle = DcrawEmu.Develop(input, stem + ".libraw.tiff");
        var autoFallback = oracle.Output is { } rendered && DcrawEmu.FellBackToAutoWhiteBalance(input, rendered);
        var whiteBalance = oracle.Output is null ? "" : autoFallback ? "auto" : "not auto";
        if (file == ConformanceCorpus.UnopenableRealFile)
        {
            var convert = ChildProcess.Run(rawengine, ["convert", input, "-o", stem + ".ours.tif", .. ConformanceCorpus.ConvertArguments], Limit);
            yield return new RealRow(file, camera, "default vs -w", convert.ExitCode, "none", oracle.Output is null ? "none" : "?", double.NaN, double.NaN, null, null, whiteBalance,
                (convert.ExitCode == 1 ? "pass, refused: " : "FAIL, not refused: ") + FirstLine(convert.Error));
            yield break;
        }
        if (!autoFallback)
        {
            yield return Compare(rawengine, input, file, camera, "default vs -w", stem + ".ours.tif", [], oracle.Output, whiteBalance);
            yield break;
        }
        var daylight = DcrawEmu.Develop(input, stem + ".libraw-daylight.tiff", arguments: DcrawEmu.DaylightArguments);
        yield return Compare(rawengine, input, file, camera, "default vs daylight", stem + ".ours.tif", [], daylight.Output, whiteBalance);
        yield return Compare(rawengine, input, file, camera, "--wb auto vs -w", stem + ".ours-auto.tif", ["--wb", "auto"], oracle.Output, whiteBalance);
    }

    private static RealRow Compare(string rawengine, string input, string file, string camera, string comparison, string output, string[] options, string? libRawTiff, string whiteBalance)
    {
        var convert = ChildProcess.Run(rawengine, ["convert", input, "-o", output, .. ConformanceCorpus.ConvertArguments, .. options], Limit);
        var libRaw = libRawTiff is not null ? RgbImage.Load(libRawTiff) : null;
        var libRawSize = libRaw is null ? "none" : $"{libRaw.Width}x{libRaw.Height}";
        if (convert.ExitCode != 0 || libRaw is null)
        {
            var why = convert.ExitCode != 0 ? FirstLine(convert.Error) : "dcraw_emu made nothing";
            return new RealRow(file, camera, comparison, convert.ExitCode, "none", libRawSize, double.NaN, double.NaN, null, null, whiteBalance, "FAIL: " + why);
        }
        var c = RenderingComparison.Compare(RgbImage.Load(output), libRaw);
        var problems = c.Problems();
        return new RealRow(file, camera, comparison, convert.ExitCode, $"{c.Width}x{c.Height}", libRawSize, c.GainEv, c.BlockPsnr, c.Ours, c.Oracle, whiteBalance,
            problems.Count == 0 ? "pass" : "FAIL: " + string.Join("; ", problems));
    }

    private static IEnumerable<ForeignRow> Foreign(string rawengine, string testdata, string work)
    {
        foreach (var image in ConformanceCorpus.ForeignImages)
        {
            var scores = new Dictionary<string, ForeignScore>();
            foreach (var variant in ConformanceCorpus.ForeignVariants)
            {
                var output = Path.Combine(work, $"{variant.Name}__{image}.tif");
                var convert = ChildProcess.Run(rawengine, ["convert", ConformanceCorpus.ForeignDng(testdata, variant.Name, image), "-o", output, .. ConformanceCorpus.ConvertArguments], Limit);
                scores[variant.Name] = convert.ExitCode != 0
                    ? ForeignScore.Failed($"exit {convert.ExitCode}: {FirstLine(convert.Error)}")
                    : ConformanceCorpus.ScoreForeign(testdata, variant.Name, image, output);
            }
            // Controls come first in the list, so every variant's control is scored by the time it is reported.
            foreach (var variant in ConformanceCorpus.ForeignVariants)
            {
                var score = scores[variant.Name];
                var control = variant.Control is null ? score.Db : scores[variant.Control].Db;
                var verdict = score.Error ?? (variant.Accepts(score.Db, control) ? "pass" : "FAIL");
                yield return new ForeignRow(variant.Name, image, score.Db, variant.Control, score.Db - control, variant.Tolerance, verdict);
            }
        }
    }

    private static RealRow Print(RealRow r) => Print(r, new JsonObject
    {
        ["suite"] = "camera-files", ["file"] = r.File, ["camera"] = r.Camera, ["comparison"] = r.Comparison, ["exit"] = r.Exit, ["size"] = r.Size, ["libraw_size"] = r.LibRawSize,
        ["gain_ev"] = Number(r.GainEv), ["block_psnr_db"] = Number(r.BlockPsnr),
        ["chromaticity"] = r.Ours is { } o ? new JsonArray(Number(o.R), Number(o.G)) : null,
        ["chromaticity_libraw"] = r.LibRaw is { } l ? new JsonArray(Number(l.R), Number(l.G)) : null,
        ["libraw_white_balance"] = r.LibRawWhiteBalance,
        ["verdict"] = r.Verdict,
    });

    private static ForeignRow Print(ForeignRow f) => Print(f, new JsonObject
    {
        ["suite"] = "raw-foreign", ["variant"] = f.Variant, ["image"] = f.Image, ["cpsnr_db"] = Number(f.Cpsnr), ["control"] = f.Control,
        ["delta_db"] = f.Control is null ? null : Number(f.Delta), ["allowed_db"] = f.Control is null ? null : f.Tolerance,
        ["floor_db"] = f.Control is null ? ConformanceCorpus.ForeignControlFloorDb : null, ["verdict"] = f.Verdict,
    });

    private static T Print<T>(T row, JsonObject json)
    {
        Console.WriteLine(json.ToJsonString(JsonOptions));
        return row;
    }

    /// <summary>JSON has no NaN or infinity (no picture, a black picture): those are null.</summary>
    private static JsonNode? Number(double value) => double.IsFinite(value) ? Math.Round(value, 4) : null;

    private static void PrintTables(List<RealRow> real, List<ForeignRow> foreign)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"{"file",-46} {"camera",-22} {"comparison",-19} {"exit",4} {"size",-10} {"LibRaw",-10} {"gain EV",8} {"PSNR dB",8} {"r/g ours",-12} {"r/g LibRaw",-12} {"LibRaw WB",-9} verdict");
        Console.WriteLine(new string('-', 160));
        foreach (var r in real)
            Console.WriteLine(string.Create(c,
                $"{r.File,-46} {r.Camera,-22} {r.Comparison,-19} {r.Exit,4} {r.Size,-10} {r.LibRawSize,-10} {r.GainEv,8:+0.00;-0.00;0.00} {r.BlockPsnr,8:0.00} {r.Ours?.ToString() ?? "",-12} {r.LibRaw?.ToString() ?? "",-12} {r.LibRawWhiteBalance,-9} {r.Verdict}"));
        Console.WriteLine();
        Console.WriteLine($"{"raw-foreign variant",-22} {"image",-14} {"CPSNR dB",9} {"control",-14} {"delta dB",9} {"allowed",8}  verdict");
        Console.WriteLine(new string('-', 100));
        foreach (var f in foreign)
            Console.WriteLine(string.Create(c,
                $"{f.Variant,-22} {f.Image,-14} {f.Cpsnr,9:0.00} {f.Control ?? "(floor)",-14} {(f.Control is null ? "" : (Math.Round(f.Delta, 2) + 0.0).ToString("+0.00;-0.00;0.00", c)),9} {(f.Control is null ? $">={ConformanceCorpus.ForeignControlFloorDb}" : $"+-{f.Tolerance}"),8}  {f.Verdict}"));
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
}
