using RawEngine.Engine.Imaging;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Quality;
using RawEngine.Tests.Support;
using Xunit.Abstractions;
namespace RawEngine.Tests.Detail;
public class Probe2(ITestOutputHelper output)
{
    [Fact]
    public async Task Bands()
    {
        using var home = new TempFolder();
        var environment = RawEngine.Tests.Ai.AiTestFiles.IsolatedEnvironment(home.Path);
        var flat = new Srgb8Image(400, 400, Enumerable.Repeat((byte)118, 400 * 400 * 3).ToArray());
        var raw = SyntheticRaw.Create(LinearScene.FromSrgb8(flat), new SyntheticRawOptions { Noise = new SensorNoise(0.0016, 0.000016) });
        var dng = IdentityRoundTrip.WriteDng(home, raw, "flat");
        Environment.SetEnvironmentVariable("RAWENGINE_DEBUG_BANDS", "1");
        var r = await CliRunner.RunAsync(environment, "convert", dng, "-o", home.File("f.png"), "--denoise", "classic");
        output.WriteLine(r.Error);
    }
}
