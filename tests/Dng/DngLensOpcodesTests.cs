using RawEngine.Engine.Dng;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;

namespace RawEngine.Tests.Dng;

/// <summary>Which opcodes of a DNG's lists correct the lens, so a lensfun profile is not applied on top of them.</summary>
public class DngLensOpcodesTests
{
    private static readonly OpcodeArea Whole = new(0, 0, 48, 64, 0, 1, 2, 2);
    private static readonly GainMapOpcode Shading = new(false, Whole, 2, 2, 1, 1, 0, 0, 1, [1, 1.1f, 1.2f, 1.3f]);
    private static readonly WarpRectilinearOpcode Barrel = new(false, [new(1, 0, -0.05, 0, 0, 0)], 0.5, 0.5);
    private static readonly FixVignetteRadialOpcode Vignette = new(false, [0.3, 0, 0, 0, 0], 0.5, 0.5);
    private static readonly TrimBoundsOpcode Trim = new(false, 0, 0, 48, 64);
    private static readonly MapPolynomialOpcode Curve = new(false, Whole with { Planes = 1 }, [0, 1]);

    private static RawImage Decode(DngWriteOptions lists) =>
        RawDecoder.Decode(DngWriter.ToBytes(SyntheticRaw.Chart(64, 48, new SyntheticRawOptions { Cfa = CfaPattern.Rggb }), lists), "lens.dng");

    [Fact]
    public void LensOpcodesAreNamedAcrossTheListsOfAFile()
    {
        // GainMap in list 2 as phones write it; TrimBounds and MapPolynomial do not correct the lens; WarpRectilinear and
        // FixVignetteRadial in list 3, a second GainMap there named once.
        var image = Decode(new DngWriteOptions { OpcodeList2 = [Trim, Shading], OpcodeList3 = [Curve, Barrel, Vignette, Shading with { Area = Whole with { Plane = 1, RowPitch = 1, ColPitch = 1 } }] });
        Assert.Equal(["GainMap", "WarpRectilinear", "FixVignetteRadial"], image.LensOpcodes);
    }

    [Fact]
    public void OtherOpcodesOrNoListsNameNothing()
    {
        Assert.Empty(Decode(new DngWriteOptions()).LensOpcodes);
        Assert.Empty(Decode(new DngWriteOptions { OpcodeList2 = [Trim, Curve] }).LensOpcodes);
        Assert.Empty(DngLensOpcodes.Of(null, null, null));
    }

    [Fact]
    public void AnOpcodeRawEngineSkipsCorrectsNothing()
    {
        // An optional warp before demosaic is skipped with a warning: the lens stays as it drew, for a profile to correct.
        var image = Decode(new DngWriteOptions { OpcodeList2 = [Barrel with { Optional = true }], OpcodeList3 = [Curve] });
        Assert.Contains(image.Warnings, w => w.Contains("WarpRectilinear is skipped"));
        Assert.Empty(image.LensOpcodes);
    }

    [Fact]
    public void TheNamesComeFromTheParsedList()
    {
        var parsed = DngOpcodeList.Parse(DngOpcodeList.Encode([Curve, Vignette, new UnsupportedOpcode(true, 2), Barrel]), "OpcodeList3");
        Assert.Equal(["FixVignetteRadial", "WarpRectilinear"], DngLensOpcodes.Of(parsed));
    }
}
