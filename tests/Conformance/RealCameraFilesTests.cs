using RawEngine.Tests.Support;

namespace RawEngine.Tests.Conformance;

/// <summary>
/// raw-real: camera files the project did not write, each developed with the protocol and compared with
/// LibRaw's own rendering of the same file (<c>dcraw_emu -w -W -o 1 -g 2.4 12.92 -6 -T</c>). LibRaw ignores
/// BaselineExposure, so one exposure gain is matched first (it must stay within +-0.5 EV); then the 8x8 block
/// means of the sRGB values must agree to 32 dB (RawTherapee vs LibRaw on the 6D DNG: 35.7 dB) and the mean
/// linear chromaticity to 0.015. Block means forgive demosaic and sharpening; they do not forgive colour,
/// tone, black level, size or orientation.
/// Where a file has no as-shot white balance, LibRaw's <c>-w</c> silently runs its grey-world estimate; ours
/// stays LibRaw's daylight multipliers unless asked (engine/Raw/README.md). Such a file is held to both of
/// LibRaw's paths: our default against LibRaw's daylight rendering (no <c>-w</c>), and <c>--wb auto</c>
/// against its <c>-w</c> one.
/// </summary>
public class RealCameraFilesTests
{
    public static TheoryData<string> Files() => new(ConformanceCorpus.RealFiles);

    [SharedTheory("the raw-real camera files")]
    [MemberData(nameof(Files))]
    public async Task DevelopsCloseToLibRawsRendering(string file)
    {
        using var temp = new TempFolder();
        var input = Path.Combine(ProtocolConvert.TestData, file);
        var oracle = DcrawEmu.Develop(input, temp.File("libraw.tiff"));
        Assert.True(oracle.Output is not null, $"dcraw_emu made nothing of {file} (exit {oracle.ExitCode}): {oracle.Error}");
        var problems = new List<string>();
        if (DcrawEmu.FellBackToAutoWhiteBalance(input, oracle.Output))
        {
            var daylight = DcrawEmu.Develop(input, temp.File("libraw-daylight.tiff"), arguments: DcrawEmu.DaylightArguments);
            problems.AddRange(await CompareAsync(input, daylight.Output!, temp.File("ours.tif"), "default vs LibRaw's daylight"));
            problems.AddRange(await CompareAsync(input, oracle.Output, temp.File("ours-auto.tif"), "--wb auto vs LibRaw's -w (its grey world)", "--wb", "auto"));
        }
        else
            problems.AddRange(await CompareAsync(input, oracle.Output, temp.File("ours.tif"), "default vs LibRaw's -w"));
        Assert.True(problems.Count == 0, $"{file}: {string.Join("; ", problems)}");
    }

    /// <summary>Every bar missed, in one list: a file that misses one should still show where it stands on the others.</summary>
    private static async Task<IEnumerable<string>> CompareAsync(string input, string libRawTiff, string ours, string what, params string[] options)
    {
        var result = await ProtocolConvert.RunAsync(input, ours, options);
        if (result.ExitCode != 0) return [$"{what}: exit {result.ExitCode}: {result.Error.Trim()}"];
        return RenderingComparison.Compare(RgbImage.Load(ours), RgbImage.Load(libRawTiff)).Problems().Select(problem => $"{what}: {problem}");
    }

    [SharedFact("the GoPro GPR in raw-real")]
    public async Task GoProGprThatLibRawCannotOpenIsRefusedInOneLine()
    {
        using var temp = new TempFolder();
        var input = Path.Combine(ProtocolConvert.TestData, ConformanceCorpus.UnopenableRealFile);
        var output = temp.File("out.tif");
        var result = await ProtocolConvert.RunAsync(input, output);
        var problems = ProtocolConvert.RefusalProblems(result, input, output);
        Assert.True(problems.Count == 0, $"{string.Join("; ", problems)}\nstderr:\n{result.Error}");
    }
}
