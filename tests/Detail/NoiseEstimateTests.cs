using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.Shared;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Detail;

/// <summary>
/// <see cref="NoiseModel.Estimate"/>, the noise model of raws without a NoiseProfile: exact on flat scenes whatever the
/// sample layout (its min-of-four and flattest-blocks bias is calibrated), close on detailed photographs (Kodak as
/// identity raws with Poisson-Gaussian noise: standard deviation SIGMA at white, read noise a tenth of it).
/// </summary>
public class NoiseEstimateTests(ITestOutputHelper output)
{
    private static readonly SensorNoise Truth002 = new(4e-4, 4e-6);

    public static TheoryData<string> Layouts => ["bayer", "xtrans", "linear"];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void OnFlatScenesTheEstimateIsTheNoise(string layout)
    {
        // Four flat stripes (linear 0.05, 0.15, 0.3, 0.6): four brightness bins, their edges along the columns.
        const int width = 384, height = 384;
        double[] levels = [0.05, 0.15, 0.3, 0.6];
        var rgb = new float[width * height * 3];
        for (var i = 0; i < rgb.Length; i++) rgb[i] = (float)levels[i / 3 % width * levels.Length / width];
        var cfa = layout switch { "bayer" => CfaPattern.Rggb, "xtrans" => CfaPattern.XTrans, _ => null };
        var raw = SyntheticRaw.Create(new LinearScene(width, height, rgb), new SyntheticRawOptions { Cfa = cfa, Noise = Truth002, Seed = 7 }) with { NoiseProfile = null };
        var model = NoiseModel.Estimate(raw);
        foreach (var x in new[] { 0.1, 0.18, 0.5 })
        {
            var truth = Math.Sqrt(Truth002.Shot * x + Truth002.Read);
            output.WriteLine($"{layout} at {x}: estimated {model.SigmaAt(x):0.00000}, true {truth:0.00000}");
            Assert.InRange(model.SigmaAt(x) / truth, 0.9, 1.1);
        }
    }

    [Fact]
    public void ARawWithoutSamplesToCompareReadsNoNoise()
    {
        var raw = SyntheticRaw.Create(new LinearScene(4, 4, new float[48]), new SyntheticRawOptions { Noise = Truth002 }) with { NoiseProfile = null };
        Assert.Equal(new NoiseModel(0, 0), NoiseModel.Estimate(raw));
    }

    /// <summary>Estimated over true standard deviation at mid-grey, per image.</summary>
    private List<double> Ratios(IEnumerable<int> images, double sigma)
    {
        var truth = new SensorNoise(sigma * sigma, sigma * sigma / 100);
        var ratios = new List<double>();
        foreach (var kodak in images)
        {
            var scene = LinearScene.FromSrgb8(ImageFile.LoadSrgb8(SharedData.Kodak(kodak)));
            var raw = SyntheticRaw.Create(scene, new SyntheticRawOptions { Noise = truth, Seed = (ulong)kodak }) with { NoiseProfile = null };
            ratios.Add(NoiseModel.Estimate(raw).SigmaAt(0.18) / Math.Sqrt(truth.Shot * 0.18 + truth.Read));
        }
        output.WriteLine($"noise {sigma}: estimated / true sigma at mid-grey " + string.Join(" ", ratios.Select(r => r.ToString("0.00"))));
        return ratios;
    }

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.04)]
    public void OnTheVendoredKodakImagesTheEstimateIsNearTheNoise(double sigma)
    {
        // Texture the flattest blocks keep reads as noise: kodim08 (bricks and shutters) reads 1.3-1.45 times.
        var ratios = Ratios(SharedData.VendoredKodak, sigma);
        Assert.All(ratios, r => Assert.InRange(r, 0.7, 1.55));
        Assert.InRange(ratios.Average(), 0.85, 1.25);
    }

    [SharedTheory("the 24 Kodak images")]
    [InlineData(0.01, 1.7)]
    [InlineData(0.02, 1.35)]
    [InlineData(0.04, 1.3)]
    public void OnTheWholeKodakSetTheMedianEstimateIsNearTheNoise(double sigma, double highestMedian)
    {
        // At 0.01 the images' own grain and 8-bit steps (about 2-3e-3 at mid-grey against 4.4e-3 added) count too.
        var ratios = Ratios(Enumerable.Range(1, 24), sigma).Order().ToList();
        Assert.InRange(ratios[ratios.Count / 2], 0.85, highestMedian);
        if (sigma >= 0.02) Assert.All(ratios, r => Assert.InRange(r, 0.5, 2));
    }

    [SharedFact("the Canon 6D linear DNG")]
    public void OnTheCanonDngTheEstimateMatchesItsProfileScaledToItsSize()
    {
        // The file is the 5472 px wide sensor downscaled to 1224 px, which averages about 4.47^2 samples into each:
        // its NoiseProfile states the sensor's noise, so the picture's is that over 4.47.
        var raw = RawDecoder.Decode(SharedData.CanonLinearDng);
        var profiled = NoiseModel.Profiled(raw)!;
        var estimate = NoiseModel.Estimate(raw);
        var expected = profiled.SigmaAt(0.18) * raw.Visible.Width / 5472;
        output.WriteLine($"estimated {estimate.SigmaAt(0.18):0.00000} at mid-grey; profile {profiled.SigmaAt(0.18):0.00000}, scaled to the file's size {expected:0.00000}");
        Assert.InRange(estimate.SigmaAt(0.18) / expected, 0.7, 1.4);
    }
}
