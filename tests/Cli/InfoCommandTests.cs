using System.Text.Json;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Cli;

public class InfoCommandTests
{
    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public async Task PrintsTheCanonDngAsText()
    {
        var result = await CliRunner.RunAsync("info", SharedData.CanonLinearDng);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Canon EOS 6D", result.Out);
        Assert.Contains("1224 x 816", result.Out);
        Assert.Contains("linear RGB", result.Out);
        Assert.Contains("ISO", result.Out);
        Assert.Equal("", result.Error);
    }

    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public async Task JsonIsMachineReadable()
    {
        var result = await CliRunner.RunAsync("info", SharedData.CanonLinearDng, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal("Canon", root.GetProperty("make").GetString());
        Assert.Equal(1224, root.GetProperty("width").GetInt32());
        Assert.Equal(816, root.GetProperty("height").GetInt32());
        Assert.Equal("linear", root.GetProperty("layout").GetString());
        Assert.False(root.TryGetProperty("cfa", out _));
        Assert.Equal(9, root.GetProperty("xyz_to_camera").GetArrayLength());
        Assert.Equal(1000, root.GetProperty("iso").GetSingle());
    }

    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public async Task ABadFileIsOneLineAndExitCodeOne()
    {
        using var temp = new TempFolder();
        var bad = temp.File("bad.dng");
        File.WriteAllBytes(bad, File.ReadAllBytes(SharedData.CanonLinearDng).AsSpan(0, 50_000).ToArray());

        var result = await CliRunner.RunAsync("info", bad);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"rawengine: {bad}: ", result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task UsageErrorsExitWithTwo()
    {
        Assert.Equal(2, (await CliRunner.RunAsync("info")).ExitCode);
        Assert.Equal(2, (await CliRunner.RunAsync("info", SharedData.CanonLinearDng, "--no-such-option")).ExitCode);
        Assert.Equal(2, (await CliRunner.RunAsync("no-such-command")).ExitCode);
    }

    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public async Task ThumbWritesTheEmbeddedJpegAndNeverOverwritesSilently()
    {
        using var temp = new TempFolder();
        var target = temp.File("preview.jpg");

        var first = await CliRunner.RunAsync("thumb", SharedData.CanonLinearDng, "-o", target);
        Assert.Equal(0, first.ExitCode);
        var bytes = File.ReadAllBytes(target);
        Assert.True(bytes.Length > 1000);
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, bytes[..2]);

        var second = await CliRunner.RunAsync("thumb", SharedData.CanonLinearDng, "-o", target);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("--overwrite", second.Error);
        Assert.Equal(bytes, File.ReadAllBytes(target));
        Assert.Single(Directory.GetFiles(temp.Path));

        Assert.Equal(0, (await CliRunner.RunAsync("thumb", SharedData.CanonLinearDng, "-o", target, "--overwrite")).ExitCode);
    }

    [Fact]
    public async Task ThumbRefusesAnExtensionThatNamesNoFormat()
    {
        using var temp = new TempFolder();
        var target = temp.File("preview.jpgg");

        var result = await CliRunner.RunAsync("thumb", temp.File("missing.dng"), "-o", target);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'.jpgg' names no format", result.Error);
        Assert.False(File.Exists(target));
    }

    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public async Task ThumbEncodesBitmapPreviewsAndConvertsJpegOnesToOtherFormats()
    {
        using var temp = new TempFolder();
        var dng = temp.File("preview.dng");
        var grey = new RawEngine.Engine.Synthetic.LinearScene(120, 90, Enumerable.Repeat(0.18f, 120 * 90 * 3).ToArray());
        RawEngine.Engine.Dng.DngWriter.Write(RawEngine.Engine.Synthetic.SyntheticRaw.Create(grey), dng, new RawEngine.Engine.Dng.DngWriteOptions { PreviewLongSide = 64 });

        var bitmap = await CliRunner.RunAsync("thumb", dng, "-o", temp.File("bitmap.jpg"));
        Assert.True(bitmap.ExitCode == 0, bitmap.Error);
        using (var jpeg = NetVips.Image.NewFromFile(temp.File("bitmap.jpg")))
        {
            Assert.Equal(RawEngine.Engine.Raw.RawDecoder.ExtractThumbnail(dng).Width, jpeg.Width);
            Assert.InRange(jpeg.Avg(), 110, 125); // 18 % grey in sRGB is about 118
        }

        var converted = await CliRunner.RunAsync("thumb", SharedData.CanonLinearDng, "-o", temp.File("canon.png"));
        Assert.True(converted.ExitCode == 0, converted.Error);
        using var png = NetVips.Image.NewFromFile(temp.File("canon.png"));
        Assert.Equal((1024, 683), (png.Width, png.Height));
    }
}
