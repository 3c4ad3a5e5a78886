using System.Globalization;
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
    public const double MaxGainEv = 0.5;
    public const double MinBlockPsnrDb = 32;
    public const double MaxChromaticityDistance = 0.015;

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
        var c = RenderingComparison.Compare(ours, libRaw);
        // Every measure in one message: a file that fails one bar should still show where it stands on the others.
        var problems = new List<string>();
        if (!c.SameSize) problems.Add($"size {c.Width}x{c.Height}, LibRaw's {c.OracleWidth}x{c.OracleHeight}");
        if (!(Math.Abs(c.GainEv) <= MaxGainEv)) problems.Add($"gain {c.GainEv:+0.00;-0.00} EV to match LibRaw, beyond +-{MaxGainEv}");
        if (c.SameSize && !(c.BlockPsnr >= MinBlockPsnrDb)) problems.Add($"block PSNR {c.BlockPsnr:0.00} dB, under {MinBlockPsnrDb}");
        if (!(c.ChromaticityDistance <= MaxChromaticityDistance))
            problems.Add($"mean chromaticity r/g {c.Ours}, LibRaw's {c.Oracle}, {c.ChromaticityDistance:0.000} apart (at most {MaxChromaticityDistance})");
        if (ours.Orientation != libRaw.Orientation) problems.Add($"TIFF orientation tag {ours.Orientation}, LibRaw's {libRaw.Orientation}");
        Assert.True(problems.Count == 0, string.Create(CultureInfo.InvariantCulture, $"{file}: {string.Join("; ", problems)}"));
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
