using RawEngine.Engine.Imaging;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.Shared;
using RawEngine.Tests.Quality;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Detail;

public class DenoiseQualityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.02)]
    [InlineData(0.04)]
    public async Task Probe(double sigma)
    {
        using var home = new TempFolder();
        var environment = RawEngine.Tests.Ai.AiTestFiles.IsolatedEnvironment(home.Path);
        foreach (var kodak in SharedData.VendoredKodak)
        {
            var original = ImageFile.LoadSrgb8(SharedData.Kodak(kodak));
            var raw = SyntheticRaw.Create(LinearScene.FromSrgb8(original),
                new SyntheticRawOptions { Noise = new SensorNoise(sigma * sigma, sigma * sigma / 100), Seed = (ulong)kodak });
            var model = NoiseModel.Estimate(raw);
            var profiled = NoiseModel.Of(raw);
            var dng = IdentityRoundTrip.WriteDng(home, raw, $"kodim{kodak:00}");
            var plain = await IdentityRoundTrip.ScoreAsync(dng, original, environment);
            var line = $"{kodak}: est shot {model.Shot:g3} read {model.Read:g3} prof {profiled.Shot:g3} (true {sigma * sigma:g3} {sigma * sigma / 100:g3}) plain {plain:0.00}";
            foreach (var s in new[] { "1", "1.25" })
                line += $" {s}:{await IdentityRoundTrip.ScoreAsync(dng, original, environment, "--denoise", "classic:" + s):0.00}";
            output.WriteLine(line);
        }
    }
}
