using RawEngine.Engine.Dng;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Engine.Tiff;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Dng;

/// <summary>Opcode lists as the DNG spec lays them out: every opcode RawEngine applies survives writing and reading, real files' lists decode, damaged ones are refused cleanly.</summary>
public class DngOpcodeListTests
{
    private static readonly OpcodeArea Area = new(2, 4, 100, 120, 0, 3, 1, 2);

    public static IReadOnlyList<DngOpcode> EveryKind { get; } =
    [
        new WarpRectilinearOpcode(false, [new(1.001, 0.01, -0.02, 0.003, 0.0004, -0.0005), new(1, 0, 0, 0, 0, 0), new(0.999, 0, 0, 0, 0, 0)], 0.5, 0.45),
        new FixVignetteRadialOpcode(true, [0.1, 0.2, 0.3, 0.4, 0.5], 0.48, 0.52),
        new TrimBoundsOpcode(false, 1, 2, 99, 119),
        new MapTableOpcode(false, Area, [0, 10, 65535]),
        new MapPolynomialOpcode(false, Area, [0.01, 0.5, 0.25, 0.125]),
        new GainMapOpcode(false, Area with { Planes = 1, RowPitch = 2 }, 2, 3, 0.5, 0.25, 0.1, 0.2, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
        new PerLineOpcode(false, 10, Area with { RowPitch = 7 }, new float[14]),
        new PerLineOpcode(false, 11, Area, new float[58]),
        new PerLineOpcode(true, 12, Area, new float[98]),
        new PerLineOpcode(false, 13, Area with { ColPitch = 1 }, new float[116]),
        new UnsupportedOpcode(true, 4),
    ];

    [Fact]
    public void EveryOpcodeSurvivesEncodingAndParsing()
    {
        var parsed = DngOpcodeList.Parse(DngOpcodeList.Encode(EveryKind), "OpcodeList3");
        Assert.Equal(EveryKind.Count, parsed.Count);
        for (var i = 0; i < parsed.Count; i++)
        {
            Assert.Equal(EveryKind[i].GetType(), parsed[i].GetType());
            Assert.Equal(EveryKind[i].Optional, parsed[i].Optional);
            // Records holding arrays compare by reference: compare their encodings instead.
            Assert.Equal(DngOpcodeList.Encode([EveryKind[i]]), DngOpcodeList.Encode([parsed[i]]));
        }
        Assert.Equal("FixBadPixelsConstant", parsed[^1].Name);
    }

    [Theory]
    [InlineData("00 00", "states 4 parameter bytes")]                                                  // cut inside the count
    [InlineData("00 00 00 09 00 00 00 01", "states 9 opcodes in 8 bytes")]
    [InlineData("00 00 00 01 00 00 00 06 01 03 00 00 00 00 00 00 00 00 00 40 00 00", "(TrimBounds) states 64 parameter bytes")]
    [InlineData("00 00 00 01 00 00 00 06 01 03 00 00 00 00 00 00 00 00 00 14 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 01 00 00 00 00",
        "(TrimBounds) has 4 parameter bytes more")]
    [InlineData("00 00 00 01 00 00 00 01 01 03 00 00 00 00 00 00 00 00 00 14 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
        "(WarpRectilinear) has 0 planes")]
    public void DamagedListsAreFormatErrorsSayingWhere(string hex, string expected)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", ""));
        var error = Assert.Throws<TiffFormatException>(() => DngOpcodeList.Parse(bytes, "OpcodeList2"));
        Assert.StartsWith("OpcodeList2", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AGainMapWhoseGainsAreShortIsAnEmptyOrOutOfRangeError()
    {
        var shortMap = new GainMapOpcode(false, Area, 4, 4, 0.25, 0.25, 0, 0, 1, new float[3]);
        var error = Assert.Throws<TiffFormatException>(() => DngOpcodeList.Parse(DngOpcodeList.Encode([shortMap]), "OpcodeList2"));
        Assert.Contains("GainMap", error.Message);
        Assert.Contains("4x4x1", error.Message);
    }

    private static byte[] Dng(DngWriteOptions options) =>
        DngWriter.ToBytes(SyntheticRaw.Chart(64, 48, new SyntheticRawOptions { Cfa = CfaPattern.Rggb, Margin = 2 }), options);

    [Fact]
    public void AMalformedListInAFileIsACleanDecodeError()
    {
        var bytes = Dng(new DngWriteOptions { OpcodeList2 = [new GainMapOpcode(false, Area, 4, 4, 0.25, 0.25, 0, 0, 1, new float[3])] });
        var error = Assert.Throws<RawDecodeException>(() => RawDecoder.Decode(bytes, "shading.dng"));
        Assert.Contains("OpcodeList2 opcode 1 (GainMap)", error.Message);
    }

    [Fact]
    public void AnUnknownOptionalOpcodeIsSkippedWithAWarning()
    {
        var image = RawDecoder.Decode(Dng(new DngWriteOptions { OpcodeList3 = [new UnsupportedOpcode(true, 2), new FixVignetteRadialOpcode(false, [0.2, 0, 0, 0, 0], 0.5, 0.5)] }), "fisheye.dng");
        Assert.Contains(image.Warnings, w => w.Contains("WarpFisheye") && w.Contains("skipped"));
        Assert.IsType<FixVignetteRadialOpcode>(Assert.Single(image.Opcodes!.List3));
    }

    [Fact]
    public void AnUnknownRequiredOpcodeRefusesTheFileNamingIt()
    {
        var error = Assert.Throws<RawDecodeException>(() => RawDecoder.Decode(Dng(new DngWriteOptions { OpcodeList1 = [new UnsupportedOpcode(false, 77)] }), "future.dng"));
        Assert.Contains("OpcodeList1 has opcode 77, which is not optional", error.Message);
    }

    [Fact]
    public void AWarpBeforeDemosaicIsNotApplied()
    {
        var warp = new WarpRectilinearOpcode(false, [new(1, 0, 0, 0, 0, 0)], 0.5, 0.5);
        var error = Assert.Throws<RawDecodeException>(() => RawDecoder.Decode(Dng(new DngWriteOptions { OpcodeList2 = [warp] }), "early.dng"));
        Assert.Contains("WarpRectilinear", error.Message);
        Assert.Contains("before demosaic", error.Message);
    }

    [Fact]
    public void ListsAreStatedInTheActiveAreaAndTheStoredImage()
    {
        var image = RawDecoder.Decode(Dng(new DngWriteOptions
        {
            OpcodeList1 = [new PerLineOpcode(false, 10, Area, new float[98])],
            OpcodeList2 = [new FixVignetteRadialOpcode(false, [0.2, 0, 0, 0, 0], 0.5, 0.5)],
        }), "frames.dng");
        var stages = image.Opcodes!;
        Assert.Equal(new OpcodeFrame(2, 2, 68, 52), stages.StoredFrame);   // the margin of 2 around 64x48
        Assert.Equal(new OpcodeFrame(0, 0, 64, 48), stages.ActiveFrame);   // the writer's ActiveArea is the visible area
        Assert.Single(stages.List1);
        Assert.Empty(stages.List3);
    }

    [Fact]
    public void AFileWithoutListsHasNoOpcodes() =>
        Assert.Null(RawDecoder.Decode(Dng(new DngWriteOptions()), "plain.dng").Opcodes);

    /// <summary>
    /// The LG phone and Canon files are lossy DNGs whose OpcodeList2 holds one MapPolynomial per plane (the lossy
    /// encoding's per-channel curve): LibRaw already decodes the 8-bit tiles through them, so none is left to apply.
    /// </summary>
    [SharedTheory("the real lossy DNGs with an OpcodeList2")]
    [InlineData("raw-real/sample_1mp.dng", 338, 600, 0.47732604715037763)]
    [InlineData("raw/canon_eos_6d_linear.dng", 816, 1224, 0.9921875)]
    public void RealLossyDngsHoldPerPlanePolynomialsThatLibRawAlreadyApplies(string file, int bottom, int right, double redCubic)
    {
        var path = SharedData.Shared("testdata", file);
        var tags = DngFileTags.Read(path)!;
        Assert.Equal(256, tags.Raw.OpcodeList2!.Length);
        var list = DngOpcodeList.Parse(tags.Raw.OpcodeList2!, "OpcodeList2");
        Assert.Equal(3, list.Count);
        for (var plane = 0; plane < 3; plane++)
        {
            var polynomial = Assert.IsType<MapPolynomialOpcode>(list[plane]);
            Assert.Equal(new OpcodeArea(0, 0, bottom, right, plane, 1, 1, 1), polynomial.Area);
            Assert.Equal(4, polynomial.Coefficients.Length);
        }
        Assert.Equal(redCubic, ((MapPolynomialOpcode)list[0]).Coefficients[3], 12);
        Assert.Null(RawDecoder.Decode(path).Opcodes);
    }

    /// <summary>The GoPro GPR (LibRaw 0.20 cannot open it) corrects lateral chromatic aberration with an optional per-plane warp.</summary>
    [SharedFact("the GoPro GPR in raw-real")]
    public void GoProGprHoldsAPerPlaneWarpForChromaticAberration()
    {
        var tags = DngFileTags.Read(SharedData.Shared("testdata", "raw-real", "GPFR7066.GPR"))!;
        var warp = Assert.IsType<WarpRectilinearOpcode>(Assert.Single(DngOpcodeList.Parse(tags.Raw.OpcodeList3!, "OpcodeList3"))!);
        Assert.True(warp.Optional);
        Assert.Equal([1.000374, 1, 1.000187], warp.Planes.Select(p => Math.Round(p.Kr0, 6)));
        Assert.All(warp.Planes, p => Assert.Equal(0, p.Kr1 + p.Kr2 + p.Kr3 + p.Kt0 + p.Kt1));
        Assert.Equal((0.5, 0.5), (warp.CenterX, warp.CenterY));
    }
}
