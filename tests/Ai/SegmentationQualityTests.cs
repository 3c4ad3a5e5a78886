using RawEngine.Engine.Imaging;
using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.AI.Segmentation;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Ai;

/// <summary>
/// The project's own trained segmenter (the default mask model the project ships, models/sam-scenes-small, trained by
/// tools/train_segmenter.py on tools/scenes.py's scenes) through the engine's segmenter on scenes from the C#
/// generator: the same spec, another random stream, so none of these scenes was seen in training. One target
/// per scene (two decodes per encode) keeps the test near a minute and a half of CPU time.
/// </summary>
public class SegmentationQualityTests(ITestOutputHelper output)
{
    private const int Scenes = 200;
    private const int FirstSeed = 500_000;

    /// <summary>
    /// The first masks issue's bar for the network alone after one click. The shipped model (sam-scenes-small after its GPU
    /// phases and a CPU fine-tune on varied scenes, masks chosen by stability as its manifest asks) reaches 0.922 here
    /// (0.915 before the fine-tune).
    /// </summary>
    private const double NetworkFloor = 0.85;

    /// <summary>What the refined masks (the default) must keep on these scenes while they gain on unseen ones (HeldOutSegmentationTests).</summary>
    private const double RefinedFloor = 0.88;

    [Fact]
    public void OneClickGivesAHighMeanIoUAndASecondClickInTheLargestErrorRaisesItWithAndWithoutRefinement()
    {
        using var home = new TempFolder();
        var registry = ModelRegistry.Discover(new ModelSearchOptions([AiTestFiles.ShippedModels], AiTestFiles.IsolatedEnvironment(home.Path)));
        var package = registry.Choose("mask").Package;
        Assert.Equal("sam-scenes-small", package.Id); // the default mask model
        using var host = new ModelHost(new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: 2));
        using var segmenter = SamSegmenter.Open(host, package);

        var one = new List<double>();
        var two = new List<double>();
        var refinedOne = new List<double>();
        var refinedTwo = new List<double>();
        var predicted = new byte[SegmentationScenes.DefaultSize * SegmentationScenes.DefaultSize];
        for (var k = 0; k < Scenes; k++)
        {
            var scene = SegmentationScenes.Generate(FirstSeed + k);
            if (scene.Targets.Count == 0) continue;
            var target = segmenter.Encode($"scene {k}", scene.Size, scene.Size, new DisplayRender(scene.Rgba, scene.Size, scene.Size, scene.Stride));
            // One target per scene keeps the decodes (two each) in proportion to the encodes.
            var random = new Random(k);
            var truth = scene.Objects[scene.Targets[random.Next(scene.Targets.Count)]].Visible;
            var first = SegmentationScenes.FirstClick(truth, scene.Size, random);
            foreach (var (refine, afterOne, afterTwo) in new[] { (false, one, two), (true, refinedOne, refinedTwo) })
            {
                var prompt = segmenter.StartPrompt(target, refine);
                using (var mask = prompt.Click(new PromptPoint(first.X, first.Y)))
                    mask.CopyBinary(predicted);
                afterOne.Add(ImageQuality.IoU(predicted, truth));
                if (SegmentationScenes.RefinementClick(truth, predicted, scene.Size) is { } fix)
                    using (var mask = prompt.Click(new PromptPoint(fix.X, fix.Y, fix.Positive)))
                        mask.CopyBinary(predicted);
                afterTwo.Add(ImageQuality.IoU(predicted, truth));
            }
        }

        Assert.Equal(one.Count, segmenter.EncoderRuns);
        output.WriteLine($"{package.Id}: {one.Count} scenes, mean IoU {one.Average():0.0000} after one click, {two.Average():0.0000} after two;"
                         + $" refined {refinedOne.Average():0.0000} after one click, {refinedTwo.Average():0.0000} after two");
        Assert.True(one.Count >= 0.95 * Scenes, $"only {one.Count} of {Scenes} scenes had a target");
        Assert.True(one.Average() >= NetworkFloor, $"the network alone: mean IoU after one click {one.Average():0.0000} < {NetworkFloor}");
        Assert.True(two.Average() > one.Average(), $"the network alone: a second click did not raise the mean IoU ({one.Average():0.0000} -> {two.Average():0.0000})");
        Assert.True(refinedOne.Average() >= RefinedFloor, $"refined: mean IoU after one click {refinedOne.Average():0.0000} < {RefinedFloor}");
        Assert.True(refinedTwo.Average() > refinedOne.Average(), $"refined: a second click did not raise the mean IoU ({refinedOne.Average():0.0000} -> {refinedTwo.Average():0.0000})");
    }
}
