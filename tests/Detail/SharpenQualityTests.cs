using RawEngine.Engine.Edits;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.ColorOut;
using RawEngine.Iop.Shared;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.Sharpen;
using RawEngine.Iop.Sigmoid;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Pipeline;
using RawEngine.Tests.Quality;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Detail;

/// <summary>
/// Capture sharpening on the identity round trip (`convert --tone none --profile srgb`, CPSNR against the sharp
/// source): it must undo part of a known optical blur it measures itself, cost little on an image that was never
/// blurred, and keep its overshoot at a step edge within the halo control's bound.
/// </summary>
public class SharpenQualityTests(ITestOutputHelper output)
{
    private const double BlurSigma = 1.0;

    /// <summary>
    /// Mean CPSNR, per variant of `convert` arguments, of Kodak images (by default the vendored ones' 384x256 centres)
    /// as identity raws seen through a blur of <paramref name="sigma"/> px (0: none).
    /// </summary>
    private static async Task<double[]> ScoresAsync(double sigma, string[][] variants, IReadOnlyList<int>? images = null)
    {
        using var home = new TempFolder();
        var environment = AiTestFiles.IsolatedEnvironment(home.Path);
        var scores = new double[variants.Length];
        images ??= SharedData.VendoredKodak;
        foreach (var kodak in images)
        {
            var whole = ImageFile.LoadSrgb8(SharedData.Kodak(kodak));
            var original = images == SharedData.VendoredKodak ? IdentityRoundTrip.CentreCrop(whole, 384, 256) : whole;
            var scene = LinearScene.FromSrgb8(original);
            var dng = IdentityRoundTrip.WriteDng(home, SyntheticRaw.Create(sigma > 0 ? scene.GaussianBlurred(sigma) : scene), $"kodim{kodak:00}");
            for (var v = 0; v < variants.Length; v++) scores[v] += await IdentityRoundTrip.ScoreAsync(dng, original, environment, variants[v]) / images.Count;
        }
        return scores;
    }

    [Fact]
    public async Task CaptureSharpeningRecoversAKnownGaussianBlur()
    {
        var scores = await ScoresAsync(BlurSigma, [[], ["--sharpen", "1"]]);
        var gain = scores[1] - scores[0];
        output.WriteLine($"blurred (sigma {BlurSigma}): {scores[0]:0.00} dB, --sharpen 1 {scores[1]:0.00} dB, gain {gain:+0.00;-0.00}");
        Assert.True(gain >= 1.0, $"capture sharpening recovers {gain:0.00} dB of a sigma {BlurSigma} blur (needs 1.0)");
    }

    [Fact]
    public async Task CaptureSharpeningCostsASharpRawAlmostNothing()
    {
        var scores = await ScoresAsync(0, [[], ["--sharpen", "1"]]);
        var cost = scores[0] - scores[1];
        output.WriteLine($"sharp: {scores[0]:0.00} dB, --sharpen 1 {scores[1]:0.00} dB, cost {cost:0.00}");
        Assert.True(cost < 0.2, $"capture sharpening costs a sharp raw {cost:0.00} dB (must stay under 0.2)");
    }

    /// <summary>
    /// The whole Kodak set: the blurred raws gain >= 1 dB; the sharp ones cost under 0.2 dB (kodim07, whose sharpest
    /// edges measure as a blurred image's, is left alone on its fine detail).
    /// </summary>
    [SharedTheory("the 24 Kodak images")]
    [InlineData(1.0, 1.0)]
    [InlineData(0.0, -0.2)]
    public async Task CaptureSharpeningOverTheWholeKodakSet(double sigma, double minimumGain)
    {
        var scores = await ScoresAsync(sigma, [[], ["--sharpen", "1"]], [.. Enumerable.Range(1, 24)]);
        var gain = scores[1] - scores[0];
        output.WriteLine($"blur {sigma}: {scores[0]:0.00} dB, --sharpen 1 {scores[1]:0.00} dB, gain {gain:+0.00;-0.00}");
        Assert.True(gain >= minimumGain, $"blur {sigma}: capture sharpening gains {gain:0.00} dB over Kodak 1-24 (needs {minimumGain})");
    }

    [Fact]
    public void TheMeasuredCaptureBlurGrowsWithTheBlurAndIsNoneOnASharpRaw()
    {
        var scene = LinearScene.FromSrgb8(ImageFile.LoadSrgb8(SharedData.Kodak(19)));
        var neutral = new ChannelLevels(1, 1, 1);
        var readings = new[] { 0, 1.0, 1.5 }.Select(s => CaptureBlur.Read(SyntheticRaw.Create(s > 0 ? scene.GaussianBlurred(s) : scene), neutral, new NoiseModel(0, 0))).ToArray();
        var measured = readings.Select(r => r.Sigma).ToArray();
        output.WriteLine($"sharpest edges measure sigma {measured[0]:0.00} sharp, {measured[1]:0.00} blurred by 1 px, {measured[2]:0.00} by 1.5 px");
        Assert.InRange(measured[0], 0.5, 1.0);
        Assert.True(measured[1] > measured[0] + 0.15 && measured[2] > measured[1] + 0.15, "the measure must grow with the blur");
        Assert.Equal(0, CaptureBlur.Of(SyntheticRaw.Create(scene), neutral));
        Assert.InRange(CaptureBlur.Of(SyntheticRaw.Create(scene.GaussianBlurred(1.5)), neutral), 0.7, 2.0);
        output.WriteLine($"fine detail {readings[0].FineDetail:0.00} sharp, {readings[1].FineDetail:0.00} blurred by 1 px, {readings[2].FineDetail:0.00} by 1.5 px");
        Assert.True(readings[1].FineDetail < readings[0].FineDetail / 2 && readings[2].FineDetail < readings[1].FineDetail, "a blur must cut the fine detail");
    }

    [Fact]
    public void TheFineDetailReadingTakesTheProfiledNoiseOut()
    {
        var scene = LinearScene.FromSrgb8(ImageFile.LoadSrgb8(SharedData.Kodak(23)));
        var neutral = new ChannelLevels(1, 1, 1);
        var clean = CaptureBlur.Read(SyntheticRaw.Create(scene), neutral, new NoiseModel(0, 0)).FineDetail;
        var raw = SyntheticRaw.Create(scene, new SyntheticRawOptions { Noise = new SensorNoise(0.04 * 0.04, 0.04 * 0.04 / 100), Seed = 23 });
        var noisy = CaptureBlur.Read(raw, neutral, NoiseModel.Profiled(raw)!).FineDetail;
        var unmodelled = CaptureBlur.Read(raw, neutral, new NoiseModel(0, 0)).FineDetail;
        output.WriteLine($"fine detail clean {clean:0.000}, noise 0.04 with its profile {noisy:0.000}, without {unmodelled:0.000}");
        Assert.InRange(noisy, 0.95 * clean, 1.05 * clean);
        Assert.True(unmodelled > 1.1 * clean, "noise left in must read as detail: the test shows nothing otherwise");
    }

    /// <summary>kodim07's sharpest edges measure as a σ 1 px blurred image's; its fine detail says it is sharp.</summary>
    [SharedFact("kodim07")]
    public void ASharpRawWhoseEdgesLookSoftIsLeftAlone()
    {
        var scene = LinearScene.FromSrgb8(ImageFile.LoadSrgb8(SharedData.Kodak(7)));
        var neutral = new ChannelLevels(1, 1, 1);
        var sharp = SyntheticRaw.Create(scene);
        var blurred = SyntheticRaw.Create(scene.GaussianBlurred(1.0));
        output.WriteLine($"kodim07 edges sigma {CaptureBlur.Read(sharp, neutral, new NoiseModel(0, 0)).Sigma:0.00} sharp; blur undone {CaptureBlur.Of(sharp, neutral):0.00} sharp, {CaptureBlur.Of(blurred, neutral):0.00} blurred by 1 px");
        Assert.Equal(0, CaptureBlur.Of(sharp, neutral));
        Assert.True(CaptureBlur.Of(blurred, neutral) > 0.3, "the same scene blurred by 1 px must be sharpened");
    }

    [Fact]
    public async Task ByDefaultOnlyADownscaledRenderIsSharpened()
    {
        using var home = new TempFolder();
        var environment = AiTestFiles.IsolatedEnvironment(home.Path);
        var original = IdentityRoundTrip.CentreCrop(ImageFile.LoadSrgb8(SharedData.Kodak(19)), 192, 128);
        var dng = IdentityRoundTrip.WriteDng(home, SyntheticRaw.Create(LinearScene.FromSrgb8(original)), "sharp");
        async Task<byte[]> ConvertAsync(params string[] extra)
        {
            var png = home.File($"{Guid.NewGuid():N}.png");
            var result = await CliRunner.RunAsync(environment, ["convert", dng, "-o", png, .. extra]);
            Assert.True(result.ExitCode == 0, result.Error);
            return File.ReadAllBytes(png);
        }
        // Full size: auto adds nothing (capture sharpening only when asked for).
        Assert.Equal(await ConvertAsync("--sharpen", "off"), await ConvertAsync());
        // Downscaled: auto sharpens for the screen; off does not.
        Assert.NotEqual(await ConvertAsync("--width", "96", "--sharpen", "off"), await ConvertAsync("--width", "96"));
        Assert.Equal(await ConvertAsync("--width", "96", "--sharpen", "off"), await ConvertAsync("--width", "96", "--sharpen", "off"));
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(1.0)]
    public async Task OvershootAtAStepEdgeStaysWithinTheHaloBound(double halo)
    {
        // A blurred step from 0.1 to 0.5 (linear) on a linear raw (no demosaic), rendered in linear sRGB.
        const int width = 64, height = 16;
        var rgb = new float[width * height * 3];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = x < width / 2 ? 0.1f : 0.5f;
        var raw = SyntheticRaw.Create(new LinearScene(width, height, rgb).GaussianBlurred(BlurSigma), new SyntheticRawOptions { Cfa = null });
        var linear = Edit.Empty.With("sigmoid", new SigmoidParams()).WithEnabled("sigmoid", false)
            .With("exposure", new ExposureParams { Exposure = 0 }).With("colorout", new ColorOutParams { Profile = "srgb-linear" });
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 });
        using var session = engine.Open(raw);
        var roi = Roi.Full(session.OutputSize(linear));
        using var before = await session.RenderAsync(linear, roi);
        // The blur given: one edge is too little for the estimate.
        using var after = await session.RenderAsync(linear.With("sharpen", new SharpenParams { Amount = 4, Radius = BlurSigma, Halo = halo }), roi);
        var row = PipeFixture.Pixels(after).AsSpan(4 * width * (height / 2), 4 * width).ToArray();
        var plainRow = PipeFixture.Pixels(before).AsSpan(4 * width * (height / 2), 4 * width).ToArray();
        float low = plainRow[4 * 2 + 1], high = plainRow[4 * (width - 3) + 1];
        var green = Enumerable.Range(0, width).Select(x => row[4 * x + 1]).ToArray();
        var overshoot = Math.Max(green.Max() - high, low - green.Min()) / (high - low);
        // Steeper: the sharpened edge's largest step between neighbours beats the blurred one's.
        var slope = Enumerable.Range(1, width - 1).Max(x => green[x] - green[x - 1]);
        var plainSlope = Enumerable.Range(1, width - 1).Max(x => plainRow[4 * x + 1] - plainRow[4 * (x - 1) + 1]);
        output.WriteLine($"halo {halo}: overshoot {overshoot:P1} of the step, slope {plainSlope:0.000} -> {slope:0.000}");
        Assert.True(slope > 1.2 * plainSlope, $"the edge did not get steeper: {plainSlope:0.000} -> {slope:0.000}");
        // The bound: halo times the bright side's level (or the dark side's), as a share of the step.
        var maximum = halo * high / (high - low) + 0.002;
        if (halo < 1) Assert.True(overshoot <= maximum, $"overshoot {overshoot:P1} of the step exceeds {maximum:P1}");
        else Assert.True(overshoot > 0.1, $"without halo control amount 4 should overshoot visibly, got {overshoot:P1}: the bound above tests nothing");
    }
}
