using RawEngine.Engine.Raw;

namespace RawEngine.Tests;

public class CfaPatternTests
{
    [Fact]
    public void BayerRowsRoundTrip()
    {
        Assert.Equal(["GR", "BG"], CfaPattern.Grbg.Rows);
        Assert.Equal(CfaPattern.Rggb, CfaPattern.FromRows(["RG", "GB"]));
        Assert.Equal(CfaKind.XTrans, CfaPattern.XTrans.Kind);
    }

    [Fact]
    public void ShiftingMovesTheOrigin()
    {
        Assert.Equal(CfaPattern.Grbg, CfaPattern.Rggb.Shifted(0, 1));
        Assert.Equal(CfaPattern.Gbrg, CfaPattern.Rggb.Shifted(1, 0));
        Assert.Equal(CfaPattern.Bggr, CfaPattern.Rggb.Shifted(1, 1));
        Assert.Equal((0, 1), CfaPattern.Rggb.OffsetTo(CfaPattern.Grbg));
        Assert.Equal(CfaPattern.XTrans, CfaPattern.XTrans.Shifted(6, -12));
        var shifted = CfaPattern.XTrans.Shifted(2, 3);
        Assert.Equal((2, 3), CfaPattern.XTrans.OffsetTo(shifted));
    }

    [Fact]
    public void RejectsBadPatterns()
    {
        Assert.Throws<ArgumentException>(() => CfaPattern.FromRows(["RGX", "GBG"]));
        Assert.Throws<ArgumentException>(() => CfaPattern.FromRows(["RG", "G"]));
        Assert.Throws<ArgumentException>(() => CfaPattern.Bayer("RGB"));
    }
}
