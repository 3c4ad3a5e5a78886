using RawEngine.Engine.Color;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Support;
using RawEngine.Cli;
using RawEngine.Cli.Convert;
using RawEngine.Iop.Denoise;
using RawEngine.Iop.DenoiseNn;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.Sharpen;
using RawEngine.Engine.Sessions;
using RawEngine.Iop;

namespace RawEngine.Tests.Cli;

public class ConvertCommandTests
{
    private static string WriteChart(TempFolder temp, string name, SyntheticRawOptions? options = null)
    {
        var path = temp.File(name);
        DngWriter.Write(SyntheticRaw.Chart(240, 160, options), path);
        return path;
    }

    private static double MeanLevel(string image)
    {
        var picture = ImageFile.LoadSrgb8(image);
        return picture.Rgb.Average(b => (double)b);
    }

    [Fact]
    public async Task WritesAJpegWithTheProfileAndTheCameraMetadata()
    {
        using var temp = new TempFolder();
        var dng = WriteChart(temp, "IMG_1.dng", new SyntheticRawOptions { Capture = new CaptureInfo { Make = "Testcam", Model = "T1", Iso = 400 } });

        var result = await CliRunner.RunAsync("convert", dng, "-o", temp.Path);

        Assert.True(result.ExitCode == 0, result.Error);
        var jpeg = temp.File("IMG_1.jpg");
        using var image = NetVips.Image.NewFromFile(jpeg);
        Assert.Equal((240, 160), (image.Width, image.Height));
        Assert.Equal(IccProfile.For(RgbColorSpace.Srgb), (byte[])image.Get("icc-profile-data"));
        Assert.Contains("Testcam", image.Get("exif-ifd0-Make").ToString());
    }

    [Fact]
    public async Task FitsInsideWidthAndHeightAndWritesSixteenBitPng()
    {
        using var temp = new TempFolder();
        var dng = WriteChart(temp, "a.dng");

        var result = await CliRunner.RunAsync("convert", dng, "-o", temp.File("a.png"), "--width", "120", "--height", "100", "--bits", "16", "--profile", "prophoto");

        Assert.True(result.ExitCode == 0, result.Error);
        using var image = NetVips.Image.NewFromFile(temp.File("a.png"));
        Assert.Equal((120, 80), (image.Width, image.Height));
        Assert.Equal(NetVips.Enums.BandFormat.Ushort, image.Format);
        Assert.Equal(IccProfile.For(RgbColorSpace.ProPhoto), (byte[])image.Get("icc-profile-data"));
    }

    [Fact]
    public async Task ExposureAndTheSidecarBesideTheInputChangeTheResult()
    {
        using var temp = new TempFolder();
        var dng = WriteChart(temp, "b.dng");
        Assert.Equal(0, (await CliRunner.RunAsync("convert", dng, "-o", temp.File("plain.png"))).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("convert", dng, "-o", temp.File("darker.png"), "--exposure", "-1")).ExitCode);
        File.WriteAllText(dng + ".rawengine.json", """
            { "format": "rawengine-edit", "version": 1,
              "modules": [ { "module": "exposure", "version": 1, "params": { "exposure": 2.0 } } ] }
            """);
        var sidecar = await CliRunner.RunAsync("convert", dng, "-o", temp.File("brighter.png"));
        Assert.True(sidecar.ExitCode == 0, sidecar.Error);

        Assert.True(MeanLevel(temp.File("darker.png")) < MeanLevel(temp.File("plain.png")) - 5);
        Assert.True(MeanLevel(temp.File("brighter.png")) > MeanLevel(temp.File("plain.png")) + 5);
    }

    [Fact]
    public async Task AMaskInTheSidecarLimitsTheExposureToItsArea()
    {
        using var temp = new TempFolder();
        var dng = WriteChart(temp, "m.dng");
        // Outside the mask the picture is exposure's input, as with no exposure at all.
        Assert.Equal(0, (await CliRunner.RunAsync("convert", dng, "-o", temp.File("plain.png"), "--exposure", "0")).ExitCode);
        // A hard gradient pointing left (180 degrees) covers the left half.
        File.WriteAllText(dng + ".rawengine.json", """
            { "format": "rawengine-edit", "version": 1,
              "modules": [ { "module": "exposure", "params": { "exposure": 2.5 }, "blend": { "mask": "left" } } ],
              "masks": { "groups": [ { "id": "left", "members": [ { "form": { "type": "gradient", "anchor": [0.5, 0.5], "angle": 180 } } ] } ] } }
            """);
        var result = await CliRunner.RunAsync("convert", dng, "-o", temp.File("masked.png"));
        Assert.True(result.ExitCode == 0, result.Error);

        var plain = ImageFile.LoadSrgb8(temp.File("plain.png"));
        var masked = ImageFile.LoadSrgb8(temp.File("masked.png"));
        double Mean(Srgb8Image image, int x0, int x1)
        {
            var sum = 0.0;
            for (var y = 0; y < image.Height; y++)
                for (var i = x0 * 3; i < x1 * 3; i++) sum += image.Rgb[y * image.Width * 3 + i];
            return sum / (image.Height * (x1 - x0) * 3);
        }
        Assert.True(Mean(masked, 0, 110) > Mean(plain, 0, 110) + 10, "the left half is brighter");
        Assert.Equal(Mean(plain, 130, 240), Mean(masked, 130, 240), 6);

        File.WriteAllText(dng + ".rawengine.json", """
            { "format": "rawengine-edit", "version": 1,
              "modules": [ { "module": "exposure", "params": { "exposure": 2.5 }, "blend": { "mask": "sky" } } ] }
            """);
        var missing = await CliRunner.RunAsync("convert", dng, "-o", temp.File("missing.png"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("modules[0].blend.mask: no mask group 'sky'", missing.Error);
        Assert.False(File.Exists(temp.File("missing.png")));
    }

    [Fact]
    public async Task ABatchKeepsGoingPastABadFileAndExitsOne()
    {
        using var temp = new TempFolder();
        var input = Directory.CreateDirectory(temp.File("in")).FullName;
        var output = Directory.CreateDirectory(temp.File("out")).FullName;
        DngWriter.Write(SyntheticRaw.Chart(96, 64), Path.Combine(input, "good1.dng"));
        DngWriter.Write(SyntheticRaw.Chart(96, 64), Path.Combine(input, "good2.dng"));
        File.WriteAllBytes(Path.Combine(input, "broken.dng"), File.ReadAllBytes(Path.Combine(input, "good1.dng")).AsSpan(0, 3000).ToArray());

        var result = await CliRunner.RunAsync("convert", input, "-o", output, "--jobs", "2");

        Assert.Equal(1, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(output, "good1.jpg")));
        Assert.True(File.Exists(Path.Combine(output, "good2.jpg")));
        Assert.False(File.Exists(Path.Combine(output, "broken.jpg")));
        Assert.Contains($"rawengine: {Path.Combine(input, "broken.dng")}: ", result.Error);
        Assert.Contains("1 of 3 files failed", result.Error);
        Assert.Empty(Directory.GetFiles(output, "*.tmp").Concat(Directory.GetFiles(output, ".*")));
    }

    [Fact]
    public async Task AnExistingOutputIsKeptWithoutOverwrite()
    {
        using var temp = new TempFolder();
        var dng = WriteChart(temp, "c.dng");
        var target = temp.File("c.jpg");
        File.WriteAllText(target, "keep me");

        var refused = await CliRunner.RunAsync("convert", dng, "-o", target);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--overwrite", refused.Error);
        Assert.Equal("keep me", File.ReadAllText(target));

        Assert.Equal(0, (await CliRunner.RunAsync("convert", dng, "-o", target, "--overwrite")).ExitCode);
        Assert.NotEqual("keep me", File.ReadAllText(target));
    }

    [Fact]
    public async Task StandardOutputGetsTheEncodedFile()
    {
        using var temp = new TempFolder();
        var dng = WriteChart(temp, "d.dng");

        var result = await CliRunner.RunAsync("convert", dng, "-o", "-", "--format", "png");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, result.StandardOutputBytes[..4]);
        Assert.Equal("", result.Error);
    }

    [Theory]
    [InlineData("--bits", "32")]
    [InlineData("--profile", "cmyk")]
    [InlineData("--wb", "1,2")]
    [InlineData("--roi", "1,2,3")]
    [InlineData("--demosaic", "magic")]
    [InlineData("--demosaic", "nn:3")]
    [InlineData("--demosaic", "lmmse:2")]
    [InlineData("--format", "bmp")]
    [InlineData("--exposure", "40")]
    [InlineData("--exposure", "bright")]
    [InlineData("--width", "wide")]
    [InlineData("--bits", "many")]
    [InlineData("--quality", "0")]
    [InlineData("--jobs", "0")]
    [InlineData("--width", "0")]
    [InlineData("--scale", "-1")]
    [InlineData("--wb", "0.01,1,1")]
    [InlineData("--sharpen", "5")]
    [InlineData("--denoise", "nn:2")]
    [InlineData("--denoise", "classic:5")]
    [InlineData("--tone", "filmic")]
    [InlineData("--provider", "gpu")]
    public async Task BadOptionsAreUsageErrors(string option, string value)
    {
        using var temp = new TempFolder();
        var dng = WriteChart(temp, "e.dng");

        var result = await CliRunner.RunAsync("convert", dng, "-o", temp.File("e.jpg"), option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("rawengine: ", result.Error);
        Assert.Contains(option, result.Error);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.jpg"));
    }

    [Fact]
    public async Task HelpListsTheValuesEachOptionTakesWithTheModulesRanges()
    {
        var help = (await CliRunner.RunAsync("convert", "--help")).Out;

        Assert.Contains("--format <jpg|png|tif>", help);
        Assert.Contains("--bits <8|16|32>", help);
        Assert.Contains("--quality <1..100>", help);
        Assert.Contains("--profile <srgb|display-p3|adobe-rgb|prophoto|rec2020[-linear]>", help);
        Assert.Contains("--tone <sigmoid|none>", help);
        Assert.Contains("--provider <auto|cpu|cuda|", help);
        Assert.Contains("[default: auto]", help);
        Assert.DoesNotContain("[default: Auto]", help);
        // Ranges are the params' own [ParamRange], so a module that widens one widens the option.
        var exposure = CliOptions.RangeOf<ExposureParams>(nameof(ExposureParams.Exposure));
        Assert.Contains($"--exposure <{exposure.Min}..{exposure.Max}>", help);
        Assert.Contains($"--denoise <nn[:0..{CliOptions.RangeOf<DenoiseNnParams>("Strength").Max}]|classic[:0..{CliOptions.RangeOf<DenoiseParams>("Strength").Max}]>", help);
        Assert.Contains($"--sharpen <auto|off|0..{CliOptions.RangeOf<SharpenParams>("Amount").Max}>", help);

        // A value in the module's range passes the parser; one past it does not.
        using var temp = new TempFolder();
        var dng = WriteChart(temp, "range.dng");
        Assert.Equal(2, (await CliRunner.RunAsync("convert", dng, "-o", temp.File("r.jpg"), "--exposure", $"{exposure.Max + 0.5}")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("convert", dng, "-o", temp.File("r.jpg"), "--exposure", $"{exposure.Max}")).ExitCode);
    }

    [Fact]
    public async Task AParseErrorIsOneLineNamingTheCommandsHelp()
    {
        var result = await CliRunner.RunAsync("convert", "in.dng", "--bits");

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("rawengine: ", result.Error);
        Assert.EndsWith("(see 'rawengine convert --help')\n", result.Error);
    }

    [Fact]
    public async Task ABadSidecarIsNamedAndNothingIsWritten()
    {
        using var temp = new TempFolder();
        var dng = WriteChart(temp, "f.dng");
        var sidecar = temp.File("edit.json");
        File.WriteAllText(sidecar, """{ "format": "rawengine-edit", "version": 1, "modules": [ { "module": "exposure", "version": 1, "params": { "exposure": 40 } } ] }""");

        var result = await CliRunner.RunAsync("convert", dng, "-o", temp.File("f.jpg"), "--edit", sidecar);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(sidecar, result.Error);
        Assert.Contains("exposure", result.Error);
        Assert.False(File.Exists(temp.File("f.jpg")));
    }

    [Fact]
    public async Task DemoRendersTheBuiltInRaw()
    {
        using var temp = new TempFolder();
        var target = temp.File("demo.png");

        var result = await CliRunner.RunAsync("demo", "-o", target);

        Assert.True(result.ExitCode == 0, result.Error);
        var picture = ImageFile.LoadSrgb8(target);
        Assert.Equal((2400, 1600), (picture.Width, picture.Height));
        Assert.InRange(picture.Rgb.Average(b => (double)b), 60, 200);
    }

    [Theory]
    [InlineData("bayer", CfaKind.Bayer)]
    [InlineData("xtrans", CfaKind.XTrans)]
    public async Task DemoWritesTheBuiltInRawAsADngThatConvertReads(string cfa, CfaKind kind)
    {
        using var temp = new TempFolder();
        var dng = temp.File("demo.dng");

        var result = await CliRunner.RunAsync("demo", "-o", dng, "--cfa", cfa);

        Assert.True(result.ExitCode == 0, result.Error);
        var raw = RawDecoder.Decode(dng);
        Assert.Equal((kind, 2400), (raw.Cfa!.Kind, raw.SensorWidth));
        Assert.Equal(1, (await CliRunner.RunAsync("demo", "-o", dng)).ExitCode); // kept without --overwrite
        Assert.Equal(2, (await CliRunner.RunAsync("demo", "-o", dng, "--cfa", "foveon")).ExitCode);
    }

    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public async Task TheRealCanonDngConvertsWithItsOwnLook()
    {
        using var temp = new TempFolder();
        var result = await CliRunner.RunAsync("convert", SharedData.CanonLinearDng, "-o", temp.File("canon.jpg"));

        Assert.True(result.ExitCode == 0, result.Error);
        var picture = ImageFile.LoadSrgb8(temp.File("canon.jpg"));
        Assert.Equal((1224, 816), (picture.Width, picture.Height));
        Assert.InRange(picture.Rgb.Average(b => (double)b), 15, 200);
    }

    [Fact]
    public async Task VerboseShowsTheEnginesLogOnStandardError()
    {
        using var temp = new TempFolder();
        var dng = WriteChart(temp, "g.dng");

        var quiet = await CliRunner.RunAsync("convert", dng, "-o", temp.File("quiet.jpg"));
        var verbose = await CliRunner.RunAsync("convert", dng, "-o", temp.File("verbose.jpg"), "--verbose", "--memory-budget", "1");

        Assert.Equal(0, verbose.ExitCode);
        Assert.DoesNotContain("rawengine: debug:", quiet.Error);
        Assert.Contains("rawengine: debug: Pipe: Rendered (0, 0, ", verbose.Error);
        // The timeline: each debug line ends with the seconds since the process (here the test host) started.
        var seconds = verbose.Error.Split('\n').Where(l => l.StartsWith("rawengine: debug:", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @" \[(\d+\.\d{3}) s\]$"))
            .Select(m => m.Success ? double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1).ToList();
        Assert.Contains(verbose.Error.Split('\n'), l => l.StartsWith("rawengine: debug: BatchConverter: Decoded ", StringComparison.Ordinal));
        Assert.All(seconds, t => Assert.InRange(t, 0, 86400));
    }

    [Theory]
    [InlineData("out.jpg", 8, null)]
    [InlineData("out.tif", 32, "prophoto")]
    public void TheWarmUpDevelopsWithTheSettingsAndWritesNothing(string output, int bits, string? profile)
    {
        using var temp = new TempFolder();
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 });
        var settings = new ConvertSettings { Inputs = [temp.File("in.dng")], Output = temp.File(output), Bits = bits, Profile = profile };

        new Converter(engine, settings).WarmUp(CancellationToken.None);

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }
}
