using RawEngine.Tests.Support;

namespace RawEngine.Tests.Conformance;

/// <summary>
/// raw-real: camera files the project did not write, each developed with the protocol and compared with
/// LibRaw's own rendering of the same file (<c>dcraw_emu -w -W -o 1 -g 2.4 12.92 -6 -T</c>). LibRaw ignores
/// BaselineExposure, so one exposure gain is matched first (it must stay within +-0.5 EV); then the 8x8 block
/// means of the sRGB values must agree to 32 dB (RawTherapee vs LibRaw on the 6D DNG: 35.7 dB) and the mean
/// linear chromaticity to 0.015. Block means forgive demosaic and sharpening; they do not forgive colour,
/// tone, black level, size or orientation.
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
        var result = await ProtocolConvert.RunAsync(input, temp.File("ours.tif"));
        Assert.True(result.ExitCode == 0, $"{file}: exit {result.ExitCode}: {result.Error.Trim()}");

        var ours = RgbImage.Load(temp.File("ours.tif"));
        var libRaw = RgbImage.Load(oracle.Output);
        // Every bar in one message: a file that misses one should still show where it stands on the others.
        var problems = RenderingComparison.Compare(ours, libRaw).Problems();
        if (problems.Count > 0 && DcrawEmu.FellBackToAutoWhiteBalance(input, oracle.Output))
            problems.Add("note: the file has no as-shot white balance, and LibRaw's -w rendering is its automatic (-a) one");
        Assert.True(problems.Count == 0, $"{file}: {string.Join("; ", problems)}");
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
