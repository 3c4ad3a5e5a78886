using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.AI.Segmentation;
using RawEngine.Engine.Imaging;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Ai;

/// <summary>
/// The default mask model (models/sam-scenes-small) through the engine's segmenter on <see cref="HeldOutScenes"/>:
/// pictures unlike its training scenes (busy blotchy or photographic backgrounds, grain, touching distractors,
/// target shapes and colours it never saw). Half the scenes have blotches behind, half Kodak crops.
/// </summary>
public class HeldOutSegmentationTests(ITestOutputHelper output)
{
    private const int Scenes = 48;

    /// <summary>The held-out seeds: 150000-150047 judged the last refinement change (it was first tuned on
    /// 140000-140047), so 160000-160047, on which nothing was tuned or chosen, keeps the measure honest.</summary>
    public static TheoryData<int> SeedRanges => new() { 150_000, 160_000 };

    /// <summary>The network alone after one click: 0.789 on 150000-, 0.764 on 160000- since the fine-tune on varied scenes
    /// (tools/scenes_varied.py); 0.722 and 0.686 before it (0.66 on such scenes measured outside the project).</summary>
    private const double NetworkFloor = 0.74;

    /// <summary>The bar for the refined mask after one click: 0.914 on 150000- and 0.892 on 160000- (0.960 and
    /// 0.943 after two).</summary>
    private const double OneClickFloor = 0.85;

    [Theory]
    [MemberData(nameof(SeedRanges))]
    public void RefinedMasksHoldUpOnUnseenScenesAndASecondBackgroundClickRaisesThem(int firstSeed)
    {
        using var home = new TempFolder();
        var registry = ModelRegistry.Discover(new ModelSearchOptions([AiTestFiles.ShippedModels], AiTestFiles.IsolatedEnvironment(home.Path)));
        var package = registry.Choose("mask").Package;
        using var host = new ModelHost(new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: 2));
        using var segmenter = SamSegmenter.Open(host, package);
        var photos = HeldOutScenes.PhotoIndices.Select(i => ImageFile.LoadSrgb8(SharedData.Kodak(i))).ToList();

        var network = new Scores();
        var refined = new Scores();
        var predicted = new byte[HeldOutScenes.Width * HeldOutScenes.Height];
        for (var k = 0; k < Scenes; k++)
        {
            var scene = HeldOutScenes.Generate(firstSeed + k, k % 2 == 0 ? HeldOutBackground.Blotches : HeldOutBackground.Photo, photos);
            var target = segmenter.Encode($"held-out {k}", scene.Width, scene.Height, new DisplayRender(scene.Rgba, scene.Width, scene.Height, scene.Stride));
            foreach (var (refine, scores) in new[] { (false, network), (true, refined) })
            {
                var prompt = segmenter.StartPrompt(target, refine);
                using (var mask = prompt.Click(new PromptPoint(scene.Click.X, scene.Click.Y)))
                    mask.CopyBinary(predicted);
                var first = ImageQuality.IoU(predicted, scene.Target);
                if (HeldOutScenes.SecondClick(scene.Target, predicted) is { } fix)
                    using (var mask = prompt.Click(new PromptPoint(fix.X, fix.Y, fix.Positive)))
                        mask.CopyBinary(predicted);
                scores.Add(scene.Background, first, ImageQuality.IoU(predicted, scene.Target));
            }
            output.WriteLine($"scene {k} ({scene.Background}, {scene.Shape}): network {network.One[^1]:0.000} -> {network.Two[^1]:0.000}, refined {refined.One[^1]:0.000} -> {refined.Two[^1]:0.000}");
        }

        output.WriteLine($"{package.Id}, {Scenes} held-out scenes of seeds {firstSeed}-{firstSeed + Scenes - 1}: network alone {network}; refined {refined}");
        Assert.Equal(Scenes, segmenter.EncoderRuns);
        Assert.True(network.One.Average() >= NetworkFloor, $"the network alone: mean IoU after one click {network.One.Average():0.0000} < {NetworkFloor}");
        Assert.True(refined.One.Average() >= OneClickFloor, $"refined: mean IoU after one click {refined.One.Average():0.0000} < {OneClickFloor}");
        Assert.True(refined.Two.Average() > refined.One.Average(), $"refined: a second click did not raise the mean IoU ({refined})");
        Assert.True(refined.One.Average() > network.One.Average() && refined.Two.Average() > network.Two.Average(),
            $"refinement did not raise the mean IoU: network alone {network}; refined {refined}");
    }

    /// <summary>IoU after one and after two clicks, scene by scene.</summary>
    private sealed class Scores
    {
        private readonly List<HeldOutBackground> _backgrounds = [];

        public List<double> One { get; } = [];
        public List<double> Two { get; } = [];

        public void Add(HeldOutBackground background, double one, double two)
        {
            _backgrounds.Add(background);
            One.Add(one);
            Two.Add(two);
        }

        public override string ToString() =>
            $"mean IoU {One.Average():0.0000} after one click, {Two.Average():0.0000} after two (one click: blotches {Of(HeldOutBackground.Blotches):0.0000}, photos {Of(HeldOutBackground.Photo):0.0000})";

        private double Of(HeldOutBackground background) => One.Where((_, i) => _backgrounds[i] == background).Average();
    }
}
