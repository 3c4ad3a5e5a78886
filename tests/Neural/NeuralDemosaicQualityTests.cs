using RawEngine.Engine.Raw;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Quality;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Neural;

/// <summary>
/// demosaic_nn on the identity round trip of the classical issue (Kodak -> synthetic DNG -> LibRaw -> pipe
/// -> convert --tone none --profile srgb -> CPSNR, 10 px border excluded), against the classical default on
/// the same images, both as `--demosaic nn` and `--demosaic auto` run them by default (demosaic_nn: one view
/// per tile). The networks take seconds per image on two cores, so the first Kodak images stand in for all 24;
/// both methods run on the same ones. Over all 24 (iop/Neural/README.md, `bench -- roundtrip`): Bayer classical
/// 40.37 dB, demosaicnet 42.15 dB with one view (+1.78; four views 42.40, eight 42.43).
/// </summary>
public class NeuralDemosaicQualityTests(ITestOutputHelper output)
{
    private static readonly string[] Models = ["--models", AiTestFiles.ShippedModels];

    private async Task<(double Classical, double Neural, List<double> Gains)> CompareAsync(CfaPattern cfa, int[] images)
    {
        var classical = new List<double>();
        var neural = new List<double>();
        foreach (var kodak in images)
        {
            classical.Add(await IdentityRoundTripTests.RoundTripAsync(kodak, cfa, "auto"));
            neural.Add(await IdentityRoundTripTests.RoundTripAsync(kodak, cfa, "nn", Models));
        }
        output.WriteLine($"{cfa.Kind} Kodak {string.Join(",", images)}: classical {classical.Average():0.00} dB, neural {neural.Average():0.00} dB");
        output.WriteLine($"  per image classical {string.Join(" ", classical.Select(s => s.ToString("0.00")))}");
        output.WriteLine($"  per image neural    {string.Join(" ", neural.Select(s => s.ToString("0.00")))}");
        return (classical.Average(), neural.Average(), neural.Zip(classical, (n, c) => n - c).ToList());
    }

    [SharedFact("Kodak images 1-4")]
    public async Task BayerDemosaicnetPassesFortyOneAndAHalfDecibelsAndOneAndAHalfOverTheClassicalDefault()
    {
        var (classical, neural, gains) = await CompareAsync(CfaPattern.Rggb, [1, 2, 3, 4]);
        // The issue's targets: 41.5 dB, and 1.5 dB over the classical default for the one-view default that its speed
        // target asks for (2 dB held for the four views that were the default before).
        Assert.True(neural >= 41.5, $"demosaic_nn Bayer: mean CPSNR {neural:0.00} dB");
        Assert.True(neural >= classical + 1.5, $"demosaic_nn {neural:0.00} dB vs classical {classical:0.00} dB");
        Assert.All(gains, gain => Assert.True(gain > 0.5, $"an image gains only {gain:0.00} dB"));
    }

    [SharedFact("Kodak images 1-2")]
    public async Task XTransDemosaicnetBeatsTheClassicalXTransMethod()
    {
        var (classical, neural, gains) = await CompareAsync(CfaPattern.XTrans, [1, 2]);
        Assert.True(neural >= classical + 1, $"demosaic_nn X-Trans {neural:0.00} dB vs classical {classical:0.00} dB");
        Assert.All(gains, gain => Assert.True(gain > 0.5, $"an image gains only {gain:0.00} dB"));
    }
}
