using System.Diagnostics;
using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.AI.Segmentation;
using RawEngine.Engine.Synthetic;

namespace RawEngine.Bench.Masks;

/// <summary>
/// <c>bench -- mask [model-id]</c>: the segmenter on generated scenes with the default mask model of
/// testdata/models (or the one named): encoder time, encoder runs, and click-to-mask time with the
/// embeddings cached (decode, post-processing to image size) for a first click and two refinement clicks,
/// at the scene's 256x256, at a 1024x1024 image and at 24 MP.
/// </summary>
internal static class SegmentationBench
{
    private const int Scenes = 6;
    private const int FirstSeed = 910_000; // beyond the training and test seeds
    private const double TargetMilliseconds = 50;

    public static int Run(MetricReport report, string[] args)
    {
        var root = RepositoryRoot();
        var registry = ModelRegistry.Discover(new ModelSearchOptions([Path.Combine(root, "testdata", "models")], ModelEnvironment.Process));
        var package = registry.Choose("mask", requestedId: args.FirstOrDefault()).Package;
        using var host = new ModelHost(new InferenceSettings(ExecutionProvider.Cpu));
        using var segmenter = SamSegmenter.Open(host, package);
        Console.WriteLine($"mask model {package.Id} ({segmenter.Variant}), {Environment.ProcessorCount} CPUs");

        var encode = new List<double>();
        var decode = new List<double>();
        var post = new Dictionary<int, List<double>> { [256] = [], [1024] = [], [6000] = [] };
        var click = new Dictionary<int, List<double>> { [256] = [], [1024] = [], [6000] = [] };
        for (var i = 0; i < Scenes; i++)
        {
            var scene = SegmentationScenes.Generate(FirstSeed + i);
            if (scene.Targets.Count == 0) continue;
            var render = new DisplayRender(scene.Rgba, scene.Size, scene.Size, scene.Stride);
            var clock = Stopwatch.StartNew();
            segmenter.Encode($"scene {i} at 256x256", scene.Size, scene.Size, render);
            encode.Add(clock.Elapsed.TotalMilliseconds);
            var truth = scene.Objects[scene.Targets[0]].Visible;
            var first = SegmentationScenes.FirstClick(truth, scene.Size, new Random(i));

            foreach (var side in click.Keys)
            {
                // The same render stands for an image of another size: only the post-processing grows with it.
                var (width, height) = side == 6000 ? (6000, 4000) : (side, side);
                var target = segmenter.Encode($"scene {i} at {width}x{height}", width, height, render);
                var prompt = segmenter.StartPrompt(target);
                double sx = width / (double)scene.Size, sy = height / (double)scene.Size;
                var next = (SceneClick?)first;
                for (var round = 0; round < 3 && next is { } c; round++)
                {
                    clock.Restart();
                    using var mask = prompt.Click(new PromptPoint((c.X + 0.5) * sx - 0.5, (c.Y + 0.5) * sy - 0.5, c.Positive));
                    click[side].Add(clock.Elapsed.TotalMilliseconds);
                    next = side == 256 ? SegmentationScenes.RefinementClick(truth, Binary(mask), scene.Size) : Refine(first, round);
                }
            }

            // The parts: the decoder run alone, and the post-processing alone at each size.
            var cached = segmenter.Encode($"scene {i} at 256x256", scene.Size, scene.Size, render);
            clock.Restart();
            var (logits, score, index) = segmenter.Decode(cached, [new PromptPoint(first.X, first.Y)], null, null, CancellationToken.None);
            decode.Add(clock.Elapsed.TotalMilliseconds);
            foreach (var side in post.Keys)
            {
                var (width, height) = side == 6000 ? (6000, 4000) : (side, side);
                var frame = new SamFrame(width, height);
                clock.Restart();
                using var mask = SegmentationMask.FromLogits(logits, frame, new PromptPoint(first.X * width / 256.0, first.Y * height / 256.0), score, index);
                post[side].Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        report.Add(new Metric("mask.encoder", Median(encode), "ms"));
        report.Add(new Metric("mask.encoder_runs", segmenter.EncoderRuns, "runs", Baseline: encode.Count * click.Count, Target: "1 per image and size: ratio 1"));
        report.Add(new Metric("mask.decoder", Median(decode), "ms"));
        foreach (var side in click.Keys)
        {
            var name = side == 6000 ? "24mp" : $"{side}";
            report.Add(new Metric($"mask.post.{name}", Median(post[side]), "ms"));
            report.Add(new Metric($"mask.click_to_mask.{name}", Median(click[side]), "ms", Baseline: TargetMilliseconds,
                Target: side == 6000 ? null : $"<= {TargetMilliseconds} ms (ratio <= 1)"));
        }
        report.PrintTable();
        return 0;
    }

    /// <summary>Clicks for the larger frames: the scene's first click, then nearby negative and positive ones.</summary>
    private static SceneClick? Refine(SceneClick first, int round) =>
        round == 0 ? new SceneClick(Math.Max(0, first.X - 40), first.Y, false) : new SceneClick(first.X, Math.Max(0, first.Y - 2), true);

    private static byte[] Binary(SegmentationMask mask)
    {
        var binary = new byte[mask.Width * mask.Height];
        mask.CopyBinary(binary);
        return binary;
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawEngine.sln"))) return dir.FullName;
        throw new InvalidOperationException("RawEngine.sln not found above the bench binaries.");
    }
}
