using RawEngine.Engine.Color;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Cli;

/// <summary><c>rawengine mask</c> on a DNG of a generated segmentation scene.</summary>
public class MaskCommandTests
{
    /// <summary>A DNG of scene <paramref name="seed"/> (its display values decoded to linear light) and the scene.</summary>
    internal static (string Dng, SegmentationScene Scene) WriteScene(TempFolder temp, int seed, string name = "scene.dng")
    {
        var scene = SegmentationScenes.Generate(seed);
        var rgb = new float[scene.Size * scene.Size * 3];
        for (var p = 0; p < scene.Size * scene.Size; p++)
            for (var c = 0; c < 3; c++)
                rgb[3 * p + c] = (float)TransferFunction.Srgb.Decode(scene.Rgba[4 * p + c]);
        var path = temp.File(name);
        DngWriter.Write(SyntheticRaw.Create(new LinearScene(scene.Size, scene.Size, rgb)), path);
        return (path, scene);
    }

    /// <summary>A models folder holding only <paramref name="id"/> (a link to the package in testdata/models).</summary>
    internal static string OnlyModel(TempFolder temp, string id)
    {
        var folder = Directory.CreateDirectory(temp.File("models")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(folder, id), Path.Combine(AiTestFiles.TestModels, id));
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
}
