using RawEngine.Engine.Raw;
using RawEngine.Iop.Demosaic;

namespace RawEngine.Tests.Demosaic;

/// <summary>Quality bars on a few Kodak24 images (01 and 23 ordinary, 08 and 19 hard: fences, fine stripes).</summary>
public class DemosaicQualityTests
{
    private static readonly int[] Images = [1, 8, 19, 23];

    private static double Mean(DemosaicMethod method, CfaPattern pattern) =>
        Images.Average(i => DemosaicRoundTrip.Cpsnr(i, method, pattern));

    [Fact]
    public void LmmseReachesTheHighQualityBar()
    {
        var mean = Mean(DemosaicMethod.Lmmse, CfaPattern.Rggb);
        Assert.True(mean >= 38, $"LMMSE mean CPSNR {mean:F2} dB < 38 dB");
    }

    [Fact]
    public void BilinearBayerReachesTheReferenceBar()
    {
        var mean = Mean(DemosaicMethod.Bilinear, CfaPattern.Rggb);
        Assert.True(mean >= 27, $"bilinear mean CPSNR {mean:F2} dB < 27 dB");
    }

    [Fact]
    public void XTransMethodBeatsXTransBilinearByMoreThanOneDb()
    {
        var bilinear = Mean(DemosaicMethod.Bilinear, CfaPattern.XTrans);
        var method = Mean(DemosaicMethod.XTransColorDifference, CfaPattern.XTrans);
        Assert.True(method > bilinear + 1, $"X-Trans method {method:F2} dB vs bilinear {bilinear:F2} dB");
    }

    public static TheoryData<DemosaicMethod, string> BayerPhases => new()
    {
        { DemosaicMethod.Lmmse, "GRBG" }, { DemosaicMethod.Lmmse, "GBRG" }, { DemosaicMethod.Lmmse, "BGGR" },
        { DemosaicMethod.Bilinear, "GRBG" }, { DemosaicMethod.Bilinear, "BGGR" },
    };

    [Theory]
    [MemberData(nameof(BayerPhases))]
    public void EveryBayerPhaseGivesTheSameQuality(DemosaicMethod method, string letters)
    {
        var reference = DemosaicRoundTrip.Cpsnr(19, method, CfaPattern.Rggb);
        var phase = DemosaicRoundTrip.Cpsnr(19, method, CfaPattern.Bayer(letters));
        Assert.True(Math.Abs(reference - phase) < 0.3, $"{method} {letters}: {phase:F2} dB vs RGGB {reference:F2} dB");
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(3, 5)]
    public void EveryXTransPhaseGivesTheSameQuality(int dy, int dx)
    {
        var reference = DemosaicRoundTrip.Cpsnr(19, DemosaicMethod.XTransColorDifference, CfaPattern.XTrans);
        var phase = DemosaicRoundTrip.Cpsnr(19, DemosaicMethod.XTransColorDifference, CfaPattern.XTrans.Shifted(dy, dx));
        Assert.True(Math.Abs(reference - phase) < 0.3, $"X-Trans shifted ({dy}, {dx}): {phase:F2} dB vs {reference:F2} dB");
    }
}
