using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.AI.Segmentation;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Ai;

/// <summary>
/// The SAM-family segmenter on the small exported models (sam21-small, and the same weights as sam1-small):
/// encoder runs counted, both decoder signatures, prompts and their errors, the frame and post-processing.
/// </summary>
public class SegmentationTests
{
    private static ModelHost CpuHost() => new(new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: 2));

    internal static SamSegmenter Open(ModelHost host, string id, TempFolder home) =>
        SamSegmenter.Open(host, ModelRegistry.Discover(new ModelSearchOptions([AiTestFiles.TestModels], AiTestFiles.IsolatedEnvironment(home.Path))).Get(id));

    private static DisplayRender Render(SegmentationScene scene) => new(scene.Rgba, scene.Size, scene.Size, scene.Stride);

    [Fact]
    public void TheEncoderRunsOncePerImageHoweverManyClicksFollow()
    {
        using var home = new TempFolder();
        using var host = CpuHost();
        using var segmenter = Open(host, "sam21-small", home);
        var scene = SegmentationScenes.Generate(seed: 11);
        var target = segmenter.Encode("scene-11", scene.Size, scene.Size, Render(scene));
        Assert.Equal(1, segmenter.EncoderRuns);

        var prompt = segmenter.StartPrompt(target);
        var truth = scene.Objects[scene.Targets[0]].Visible;
        var click = SegmentationScenes.FirstClick(truth, scene.Size, new Random(1));
        PromptPoint[] clicks = [new(click.X, click.Y), new(10, 10, Positive: false), new(click.X + 1, click.Y), new(200, 30, Positive: false)];
        foreach (var point in clicks)
        {
            using var mask = prompt.Click(point);
            Assert.Equal(scene.Size, mask.Width);
            Assert.Equal(scene.Size, mask.Height);
            Assert.All(mask.Coverage.ToArray(), v => Assert.InRange(v, 0f, 1f));
        }
        Assert.Equal(4, prompt.Points.Count);

        // The same key again (a second object, say) reuses the embeddings; another key encodes anew.
        var again = segmenter.Encode("scene-11", scene.Size, scene.Size, Render(scene));
        Assert.Same(target, again);
        using (var second = segmenter.StartPrompt(again).Click(new PromptPoint(40, 40))) Assert.Equal(1, segmenter.EncoderRuns);
        var edited = segmenter.Encode("scene-11 edited", scene.Size, scene.Size, Render(SegmentationScenes.Generate(seed: 12)));
        Assert.Equal(2, segmenter.EncoderRuns);

        // The decoder keeps its embeddings bound across clicks (only the point tensors are reshaped) and rebinds
        // for another image: decoding the same prompt again gives the same logits bit for bit.
        PromptPoint[] one = [new(click.X, click.Y)];
        var (reference, _, _) = segmenter.Decode(target, one, null, null, CancellationToken.None);
        segmenter.Decode(target, [.. one, new(5, 5, false)], null, null, CancellationToken.None);
        var (other, _, _) = segmenter.Decode(edited, one, null, null, CancellationToken.None);
        var (repeated, _, _) = segmenter.Decode(target, one, null, null, CancellationToken.None);
        Assert.Equal(reference, repeated);
        Assert.NotEqual(reference, other);
    }

    [Fact]
    public void Sam21AndSam1SignaturesOfTheSameWeightsGiveTheSameMask()
    {
        using var home = new TempFolder();
        using var host = CpuHost();
        using var sam2 = Open(host, "sam21-small", home);
        using var sam1 = Open(host, "sam1-small", home);
        Assert.Equal(MaskVariant.Sam2, sam2.Variant);
        Assert.Equal(MaskVariant.Sam1, sam1.Variant);

        // A non-square image exercises the padded frame and the logits' image region.
        var scene = SegmentationScenes.Generate(seed: 5);
        const int height = 160;
        var render = new DisplayRender(scene.Rgba.AsMemory(0, scene.Stride * height), scene.Size, height, scene.Stride);
        var prompt2 = sam2.StartPrompt(sam2.Encode("s", scene.Size, height, render));
        var prompt1 = sam1.StartPrompt(sam1.Encode("s", scene.Size, height, render));
        // The same embeddings, prompt encoding, transformer and IoU head: on the first click (no mask input yet) the
        // same choice and score, and logits that differ only by the stride-4/8 features SAM 2.1 adds while upscaling
        // (the SAM 1 signature has no input for them).
        var first = new PromptPoint(120, 70);
        var (logits2, score2, index2) = sam2.Decode(prompt2.Target, [first], null, null, CancellationToken.None);
        var (logits1, score1, index1) = sam1.Decode(prompt1.Target, [first], null, null, CancellationToken.None);
        Assert.Equal(index2, index1 - 1); // SAM 1's four outputs lead with the single-mask one
        Assert.Equal(score2, score1, 4);
        var difference = 0.0;
        for (var i = 0; i < logits2.Length; i++) difference += Math.Abs(1 / (1 + Math.Exp(-logits2[i])) - 1 / (1 + Math.Exp(-logits1[i])));
        Assert.InRange(difference / logits2.Length, 0, 0.05);

        // Both run whole click sequences (with mask input) and boxes to image-size masks.
        PromptPoint[] clicks = [first, new(30, 20, Positive: false), new(200, 100)];
        foreach (var click in clicks)
        {
            using var a = prompt2.Click(click);
            using var b = prompt1.Click(click);
            Assert.Equal((256, 160), (a.Width, a.Height));
            Assert.Equal((256, 160), (b.Width, b.Height));
            Assert.InRange(b.Score, 0f, 1f);
        }
        using var boxed2 = sam2.StartPrompt(prompt2.Target).SetBox(new PromptBox(60, 20, 200, 140));
        using var boxed1 = sam1.StartPrompt(prompt1.Target).SetBox(new PromptBox(60, 20, 200, 140));
        Assert.False(boxed2.KeptComponent); // a box alone keeps the whole mask
        Assert.Equal(1, sam2.EncoderRuns);
        Assert.Equal(1, sam1.EncoderRuns);
    }

    [Fact]
    public void PromptsOutsideTheImageAndEmptyBoxesAreRefused()
    {
        using var home = new TempFolder();
        using var host = CpuHost();
        using var segmenter = Open(host, "sam21-small", home);
        var scene = SegmentationScenes.Generate(seed: 3);
        var prompt = segmenter.StartPrompt(segmenter.Encode("s", scene.Size, scene.Size, Render(scene)));

        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => prompt.Click(new PromptPoint(256, 10)));
        Assert.Contains("point (256,10) is outside the 256x256 image", outside.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => prompt.Click(new PromptPoint(5, -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => prompt.Click(new PromptPoint(double.NaN, 3)));
        var flat = Assert.Throws<ArgumentOutOfRangeException>(() => prompt.SetBox(new PromptBox(10, 20, 50, 20)));
        Assert.Contains("zero area", flat.Message);
        Assert.Contains("reaches outside", Assert.Throws<ArgumentOutOfRangeException>(() => prompt.SetBox(new PromptBox(10, 20, 300, 40))).Message);
        Assert.Empty(prompt.Points);
        Assert.Null(prompt.Box);
        Assert.Throws<InvalidOperationException>(() => prompt.Decode());
    }

    [Fact]
    public void ADecoderMatchingNeitherSignatureIsRefusedNamingTheModelAndItsInputs()
    {
        using var encoder = OnnxModel.Load(AiTestFiles.TestModel("mask-tiny-sam2", "encoder.onnx"), InferenceSettings.Cpu);
        using var notADecoder = OnnxModel.Load(AiTestFiles.TestModel("denoise-tiny"), InferenceSettings.Cpu);
        var e = Assert.Throws<ModelContractException>(() => new SamSegmenter("odd-model", encoder, notADecoder));
        Assert.Contains("model 'odd-model'", e.Message);
        Assert.Contains("inputs input", e.Message);
        Assert.Contains("match neither SAM decoder signature", e.Message);

        // A SAM 1 decoder whose io block renames a tensor the model does not have fits neither either.
        using var sam1Decoder = OnnxModel.Load(AiTestFiles.TestModel("mask-tiny-sam1", "decoder.onnx"), InferenceSettings.Cpu);
        var renamed = Assert.Throws<ModelContractException>(() =>
            new SamSegmenter("renamed", encoder, sam1Decoder, new Dictionary<string, string> { ["orig_im_size"] = "original_size" }));
        Assert.Contains("orig_im_size", renamed.Message);
    }

    [Fact]
    public void OnlyTheComponentUnderTheLastPositiveClickIsKeptWithItsSoftEdge()
    {
        // Logits with two separate discs in a square frame: the click picks one.
        var logits = new float[256 * 256];
        for (var y = 0; y < 256; y++)
            for (var x = 0; x < 256; x++)
            {
                var a = 20 - MathF.Sqrt((x - 60) * (x - 60) + (y - 60) * (y - 60));
                var b = 30 - MathF.Sqrt((x - 180) * (x - 180) + (y - 170) * (y - 170));
                logits[y * 256 + x] = Math.Clamp(MathF.Max(a, b), -32, 32);
            }
        var frame = new SamFrame(512, 512);
        using var both = SegmentationMask.FromLogits(logits, frame, keepAt: null, 0.9f, 0);
        using var first = SegmentationMask.FromLogits(logits, frame, new PromptPoint(120, 120), 0.9f, 0);
        using var second = SegmentationMask.FromLogits(logits, frame, new PromptPoint(360, 340), 0.9f, 0);
        using var missed = SegmentationMask.FromLogits(logits, frame, new PromptPoint(500, 10), 0.9f, 0);
        Assert.False(both.KeptComponent);
        Assert.True(first.KeptComponent);
        Assert.False(missed.KeptComponent);
        Assert.Equal(both.Area, missed.Area);
        Assert.Equal(both.Area, first.Area + second.Area);
        Assert.InRange(first.Area, 0.97 * Math.PI * 40 * 40, 1.03 * Math.PI * 40 * 40); // radius 20 logits = 40 pixels
        Assert.Equal(both.Coverage[120 * 512 + 120], first.Coverage[120 * 512 + 120]);
        Assert.True(first.Coverage[340 * 512 + 360] < 1e-6f);
        // The soft edge of the kept disc stays: just outside its boundary coverage is between 0 and 0.5; the other disc's goes.
        Assert.InRange(first.Coverage[120 * 512 + 161], 0.01f, 0.5f);
        Assert.True(first.Coverage[340 * 512 + 421] < 1e-6f);
        Assert.InRange(second.Coverage[340 * 512 + 421], 0.01f, 0.5f);
    }

    [Fact]
    public void TheFramePadsTheLongSideTo1024AndNormalisesWithImageNetStatistics()
    {
        var frame = new SamFrame(600, 400);
        Assert.Equal((1024, 683), (frame.Width, frame.Height));
        Assert.Equal((512.35333f, 341.68668f), frame.ToFrame(300, 200));
        Assert.Equal((1.5f, 1.5f), new SamFrame(256, 256).ToFrame(0, 0)); // the centre of a scene pixel's 4x4 block

        // A flat grey render (128/255) at another scale than the image: every frame pixel is (128 - mean) / std, the padding 0.
        var render = new float[150 * 100 * 4];
        for (var i = 0; i < render.Length; i++) render[i] = i % 4 == 3 ? 1f : 128f / 255f;
        var tensor = new float[3 * 1024 * 1024];
        frame.FillEncoderInput(new DisplayRender(render, 150, 100, 600), tensor);
        Assert.Equal((128 - 123.675f) / 58.395f, tensor[0], 4);
        Assert.Equal((128 - 116.28f) / 57.12f, tensor[1024 * 1024 + 682 * 1024 + 1023], 4);
        Assert.Equal((128 - 103.53f) / 57.375f, tensor[2 * 1024 * 1024 + 300 * 1024 + 500], 4);
        Assert.Equal(0f, tensor[683 * 1024]);
        Assert.Equal(0f, tensor[2 * 1024 * 1024 + 1023 * 1024 + 1023]);
    }
}
