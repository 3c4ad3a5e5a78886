using RawEngine.Engine.Edits;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.ColorOut;
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
/// source): it must undo part of a known optical blur, cost little on an image that was never blurred, and keep
/// its overshoot at a step edge within the halo control's bound.
/// </summary>
public class SharpenQualityTests(ITestOutputHelper output)
{
    private const double BlurSigma = 1.0;

    /// <summary>The scene seen through a Gaussian optical blur of <paramref name="sigma"/> pixels (edges repeat).</summary>
    private static LinearScene Blurred(LinearScene scene, double sigma)
    {
        var reach = (int)Math.Ceiling(3 * sigma);
        var weights = Enumerable.Range(-reach, 2 * reach + 1).Select(k => Math.Exp(-k * k / (2 * sigma * sigma))).ToArray();
        var total = weights.Sum();
        int w = scene.Width, h = scene.Height;
        var rows = new float[scene.Rgb.Length];
        var result = new float[scene.Rgb.Length];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                for (var c = 0; c < 3; c++)
                    rows[(y * w + x) * 3 + c] = (float)(Enumerable.Range(-reach, 2 * reach + 1).Sum(k => weights[k + reach] * scene.Rgb[(y * w + Math.Clamp(x + k, 0, w - 1)) * 3 + c]) / total);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                for (var c = 0; c < 3; c++)
                    result[(y * w + x) * 3 + c] = (float)(Enumerable.Range(-reach, 2 * reach + 1).Sum(k => weights[k + reach] * rows[(Math.Clamp(y + k, 0, h - 1) * w + x) * 3 + c]) / total);
        return new LinearScene(w, h, result);
    }

    [Fact]
    public async Task CaptureSharpeningRecoversAKnownGaussianBlur()
    {
        using var home = new TempFolder();
        var environment = AiTestFiles.IsolatedEnvironment(home.Path);
        var plain = new List<double>();
        var sharpened = new List<double>();
        foreach (var kodak in SharedData.VendoredKodak)
        {
            var original = IdentityRoundTrip.CentreCrop(ImageFile.LoadSrgb8(SharedData.Kodak(kodak)), 384, 256);
            var dng = IdentityRoundTrip.WriteDng(home, SyntheticRaw.Create(Blurred(LinearScene.FromSrgb8(original), BlurSigma)), $"kodim{kodak:00}");
            plain.Add(await IdentityRoundTrip.ScoreAsync(dng, original, environment));
            sharpened.Add(await IdentityRoundTrip.ScoreAsync(dng, original, environment, "--sharpen", "2"));
        }
        var gain = sharpened.Average() - plain.Average();
        output.WriteLine($"blurred (sigma {BlurSigma}): {plain.Average():0.00} dB, --sharpen 2 {sharpened.Average():0.00} dB, gain {gain:+0.00;-0.00}");
        Assert.True(gain >= 1.0, $"capture sharpening recovers {gain:0.00} dB of a sigma {BlurSigma} blur (needs 1.0)");
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
    [InlineData(0.05, 0.06)]
    [InlineData(1.0, 1.0)]
    public async Task OvershootAtAStepEdgeStaysWithinTheHaloBound(double halo, double maximum)
    {
        // A blurred step from 0.1 to 0.5 (linear) on a linear raw (no demosaic), rendered in linear sRGB.
        const int width = 64, height = 16;
        var rgb = new float[width * height * 3];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = x < width / 2 ? 0.1f : 0.5f;
        var raw = SyntheticRaw.Create(Blurred(new LinearScene(width, height, rgb), BlurSigma), new SyntheticRawOptions { Cfa = null });
        var linear = Edit.Empty.With("sigmoid", new SigmoidParams()).WithEnabled("sigmoid", false)
            .With("exposure", new ExposureParams { Exposure = 0 }).With("colorout", new ColorOutParams { Profile = "srgb-linear" });
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 });
        using var session = engine.Open(raw);
        var roi = Roi.Full(session.OutputSize(linear));
        using var before = await session.RenderAsync(linear, roi);
        using var after = await session.RenderAsync(linear.With("sharpen", new SharpenParams { Amount = 4, Halo = halo }), roi);
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
        if (halo < 1) Assert.True(overshoot <= maximum, $"overshoot {overshoot:P1} of the step exceeds {maximum:P0}");
        else Assert.True(overshoot > 0.1, $"without halo control amount 4 should overshoot visibly, got {overshoot:P1}: the bound above tests nothing");
    }
}
