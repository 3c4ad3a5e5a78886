using RawEngine.Engine.Imaging;
using RawEngine.Engine.Color;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Sessions;
using RawEngine.Iop;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Cli;

/// <summary><c>rawengine mask</c> on a DNG of a generated segmentation scene.</summary>
public class MaskCommandTests
{
    /// <summary>A DNG of scene <paramref name="seed"/> (its display values decoded to linear light) and the scene.</summary>
    internal static (string Dng, SegmentationScene Scene) WriteScene(TempFolder temp, int seed, string name = "scene.dng", int size = SegmentationScenes.DefaultSize)
    {
        var scene = SegmentationScenes.Generate(seed, size);
        var rgb = new float[scene.Size * scene.Size * 3];
        for (var p = 0; p < scene.Size * scene.Size; p++)
            for (var c = 0; c < 3; c++)
                rgb[3 * p + c] = (float)TransferFunction.Srgb.Decode(scene.Rgba[4 * p + c]);
        var path = temp.File(name);
        DngWriter.Write(SyntheticRaw.Create(new LinearScene(scene.Size, scene.Size, rgb)), path);
        return (path, scene);
    }

    /// <summary>A models folder holding only <paramref name="id"/> (a link to the package in models/ or testdata/models).</summary>
    internal static string OnlyModel(TempFolder temp, string id)
    {
        var folder = Directory.CreateDirectory(temp.File("models")).FullName;
        var shipped = Path.Combine(AiTestFiles.ShippedModels, id);
        Directory.CreateSymbolicLink(Path.Combine(folder, id), Directory.Exists(shipped) ? shipped : Path.Combine(AiTestFiles.TestModels, id));
        return folder;
    }

    [Fact]
    public async Task WritesAnEightBitGreyMaskAtImageSizeWithTheOnlyMaskModelAvailable()
    {
        using var temp = new TempFolder();
        var (dng, scene) = WriteScene(temp, seed: 21);
        var models = OnlyModel(temp, "sam21-small");
        var click = SegmentationScenes.FirstClick(scene.Objects[scene.Targets[0]].Visible, scene.Size, new Random(2));

        var result = await CliRunner.RunAsync(AiTestFiles.IsolatedEnvironment(temp.Path), "mask", dng, "--point", $"{click.X},{click.Y}",
            "--point", "3,3,bg", "--box", "10,10,250,250", "-o", temp.File("mask.png"), "--models", models);

        Assert.True(result.ExitCode == 0, result.Error);
        using var image = NetVips.Image.NewFromFile(temp.File("mask.png"));
        Assert.Equal((256, 256, 1), (image.Width, image.Height, image.Bands));
        Assert.Equal(NetVips.Enums.BandFormat.Uchar, image.Format);
        var bytes = image.WriteToMemory<byte>();
        Assert.All(bytes, b => Assert.InRange(b, (byte)0, (byte)255));

        // Not again without --overwrite: the file stays as it was.
        var again = await CliRunner.RunAsync(AiTestFiles.IsolatedEnvironment(temp.Path), "mask", dng, "--point", $"{click.X},{click.Y}", "-o", temp.File("mask.png"), "--models", models);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Error);
    }

    [Theory]
    [InlineData("--point", "256,10", "point (256,10) is outside the 256x256 image")]
    [InlineData("--point", "-1,10,fg", "is outside the 256x256 image")]
    [InlineData("--box", "10,10,10,80", "has zero area")]
    [InlineData("--box", "10,10,300,80", "reaches outside the 256x256 image")]
    public async Task PromptsOutsideTheImageFailWithExitOneAndWriteNothing(string option, string value, string message)
    {
        using var temp = new TempFolder();
        var (dng, _) = WriteScene(temp, seed: 22);
        var result = await CliRunner.RunAsync(AiTestFiles.IsolatedEnvironment(temp.Path), "mask", dng, option, value, "-o", temp.File("mask.png"),
            "--models", OnlyModel(temp, "sam21-small"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"rawengine: {dng}: ", result.Error);
        Assert.Contains(message, result.Error);
        Assert.False(File.Exists(temp.File("mask.png")));
    }

    [Fact]
    public async Task NoMaskModelAMissingRawAndBadArgumentsAreClearErrors()
    {
        using var temp = new TempFolder();
        var (dng, _) = WriteScene(temp, seed: 23);
        var environment = AiTestFiles.IsolatedEnvironment(temp.Path);
        var empty = Directory.CreateDirectory(temp.File("no-models")).FullName;

        var noModel = await CliRunner.RunAsync(environment, "mask", dng, "--point", "5,5", "-o", temp.File("m.png"), "--models", empty);
        Assert.Equal(1, noModel.ExitCode);
        Assert.Contains("no mask model is installed", noModel.Error);

        var missing = await CliRunner.RunAsync(environment, "mask", temp.File("nothere.dng"), "--point", "5,5", "-o", temp.File("m.png"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("nothere.dng: no such file", missing.Error);

        var noPrompt = await CliRunner.RunAsync(environment, "mask", dng, "-o", temp.File("m.png"));
        Assert.Equal(2, noPrompt.ExitCode);
        Assert.Contains("give at least one --point or a --box", noPrompt.Error);
        var badPoint = await CliRunner.RunAsync(environment, "mask", dng, "--point", "5;5", "-o", temp.File("m.png"));
        Assert.Equal(2, badPoint.ExitCode);
        Assert.Contains("--point 5;5: expected x,y", badPoint.Error);
        var badLabel = await CliRunner.RunAsync(environment, "mask", dng, "--point", "5,5,maybe", "-o", temp.File("m.png"));
        Assert.Equal(2, badLabel.ExitCode);
        var nothingToWrite = await CliRunner.RunAsync(environment, "mask", dng, "--point", "5,5");
        Assert.Equal(2, nothingToWrite.ExitCode);
        Assert.False(File.Exists(temp.File("m.png")));
    }

    /// <summary>
    /// A held-out scene (blotchy background, touching distractors) as a DNG, masked from one click with the default
    /// model as the issue's outside check did: refined by default, the network's mask alone with --refine off.
    /// The encoder reads the picture without the tone mapper (<c>WithoutToneMapping</c>): through the default look this
    /// scene scored 0.34 with --refine off and 0.72 refined, the look's colours leading the network into a wide leak;
    /// without it 0.68 and 0.97.
    /// </summary>
    [Fact]
    public async Task TheMaskIsRefinedAgainstThePictureUnlessRefineIsOff()
    {
        using var temp = new TempFolder();
        var photos = HeldOutScenes.PhotoIndices.Select(i => ImageFile.LoadSrgb8(SharedData.Kodak(i))).ToList();
        var scene = HeldOutScenes.Generate(RefineSeed, HeldOutBackground.Blotches, photos);
        var rgb = new float[scene.Width * scene.Height * 3];
        for (var p = 0; p < scene.Width * scene.Height; p++)
            for (var c = 0; c < 3; c++)
                rgb[3 * p + c] = (float)TransferFunction.Srgb.Decode(scene.Rgba[4 * p + c]);
        var dng = temp.File("held-out.dng");
        DngWriter.Write(SyntheticRaw.Create(new LinearScene(scene.Width, scene.Height, rgb)), dng);
        var models = OnlyModel(temp, "sam-scenes-small");
        var environment = AiTestFiles.IsolatedEnvironment(temp.Path);

        var iou = new Dictionary<string, double>();
        foreach (var (name, extra) in new[] { ("default", Array.Empty<string>()), ("off", ["--refine", "off"]) })
        {
            var result = await CliRunner.RunAsync(environment, ["mask", dng, "--point", $"{scene.Click.X},{scene.Click.Y}", "-o", temp.File($"{name}.png"), "--models", models, .. extra]);
            Assert.True(result.ExitCode == 0, result.Error);
            using var png = NetVips.Image.NewFromFile(temp.File($"{name}.png"));
            iou[name] = ImageQuality.IoU(png.WriteToMemory<byte>().Select(v => v >= 128 ? (byte)1 : (byte)0).ToArray(), scene.Target);
        }
        Assert.True(iou["default"] >= 0.9 && iou["off"] >= 0.6, $"mask IoU refined (default) {iou["default"]:0.000}, --refine off {iou["off"]:0.000}");
        Assert.True(iou["default"] > iou["off"], $"mask IoU refined (default) {iou["default"]:0.000}, --refine off {iou["off"]:0.000}");
        var bad = await CliRunner.RunAsync(environment, "mask", dng, "--point", "5,5", "--refine", "maybe", "-o", temp.File("m.png"), "--models", models);
        Assert.Equal(2, bad.ExitCode);
    }

    private const int RefineSeed = 140_014;

    /// <summary>With the project's trained model (an untrained one's salt-and-pepper masks trace into slivers).</summary>
    [Fact]
    public async Task ApplyToAddsTheVectorisedMaskToTheSidecarAndConvertHonoursIt()
    {
        using var temp = new TempFolder();
        var (dng, scene) = WriteScene(temp, seed: 24);
        var models = OnlyModel(temp, "sam-scenes-small");
        var environment = AiTestFiles.IsolatedEnvironment(temp.Path);
        var click = SegmentationScenes.FirstClick(scene.Objects[scene.Targets[0]].Visible, scene.Size, new Random(3));
        var sidecar = EditSerializer.SidecarPathFor(dng);
        File.WriteAllText(sidecar, """{ "format": "rawengine-edit", "version": 1, "modules": [ { "module": "exposure", "params": { "exposure": 2.5 } } ] }""");

        var result = await CliRunner.RunAsync(environment, "mask", dng, "--point", $"{click.X},{click.Y}", "--box", "0,0,256,256",
            "-o", temp.File("mask.png"), "--apply-to", "exposure", "--models", models);
        Assert.True(result.ExitCode == 0, result.Error);

        // The sidecar now holds the mask group and exposure blends through it; re-rendered, the paths give the PNG's mask.
        var edit = new EditSerializer(StandardModules.CreateRegistry()).Load(sidecar);
        var blend = edit.Modules[edit.IndexOf("exposure")].Blend!;
        Assert.Equal("object1", blend.Mask);
        Assert.Equal(2.5, ((RawEngine.Iop.Exposure.ExposureParams)edit.Modules[edit.IndexOf("exposure")].Params).Exposure);
        var group = edit.Masks.Find("object1")!;
        var rendered = new float[256 * 256];
        MaskRasterizer.Render(group, MaskView.Image(256, 256), rendered);
        using var png = NetVips.Image.NewFromFile(temp.File("mask.png"));
        var written = png.WriteToMemory<byte>();
        var (a, b) = (written.Select(v => v >= 128 ? (byte)1 : (byte)0).ToArray(), rendered.Select(v => v >= 0.5f ? (byte)1 : (byte)0).ToArray());
        Assert.True(a.Count(v => v == 1) > 100, "the mask is (nearly) empty");
        // The fitted curves stay within 0.5 px of the traced outline: on an object of a couple of thousand pixels that is a few per cent.
        Assert.True(ImageQuality.IoU(a, b) >= 0.9, $"vector mask IoU {ImageQuality.IoU(a, b):0.000} with the raster mask");

        // convert applies +2.5 EV only through the mask: pixels well outside it keep the picture without exposure.
        var masked = await CliRunner.RunAsync("convert", dng, "-o", temp.File("masked.png"), "--edit", sidecar);
        Assert.True(masked.ExitCode == 0, masked.Error);
        File.WriteAllText(temp.File("plain.json"), """{ "format": "rawengine-edit", "version": 1, "modules": [ { "module": "exposure", "params": { "exposure": 0 } } ] }""");
        var plain = await CliRunner.RunAsync("convert", dng, "-o", temp.File("plain.png"), "--edit", temp.File("plain.json"));
        Assert.True(plain.ExitCode == 0, plain.Error);
        var (withMask, without) = (RawEngine.Engine.Imaging.ImageFile.LoadSrgb8(temp.File("masked.png")).Rgb, RawEngine.Engine.Imaging.ImageFile.LoadSrgb8(temp.File("plain.png")).Rgb);
        double insideGain = 0, outsideGain = 0;
        int inside = 0, outside = 0;
        for (var p = 0; p < 256 * 256; p++)
        {
            var gain = Enumerable.Range(0, 3).Sum(c => withMask[3 * p + c] - without[3 * p + c]);
            if (rendered[p] >= 0.99f) { insideGain += gain; inside++; }
            else if (rendered[p] <= 0.01f) { outsideGain += gain; outside++; }
        }
        Assert.True(inside > 0 && outside > 0);
        Assert.True(insideGain / inside > 30, $"inside the mask the picture brightened by {insideGain / inside:0.0}");
        Assert.InRange(outsideGain / outside, -1, 1);

        // A bad instance or a point off the image changes nothing.
        var before = File.ReadAllBytes(sidecar);
        var bad = await CliRunner.RunAsync(environment, "mask", dng, "--point", $"{click.X},{click.Y}", "--apply-to", "nosuchmodule", "--models", models);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("unknown module 'nosuchmodule'", bad.Error);
        var offImage = await CliRunner.RunAsync(environment, "mask", dng, "--point", "999,1", "--apply-to", "exposure", "--models", models);
        Assert.Equal(1, offImage.ExitCode);
        Assert.Equal(before, File.ReadAllBytes(sidecar));
    }
}
