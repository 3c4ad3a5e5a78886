using System.Diagnostics;
using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.AI.Segmentation;
using RawEngine.Engine.Masks.Vectorize;
using RawEngine.Engine.Synthetic;

namespace RawEngine.Bench.Masks;

/// <summary>
/// <c>bench -- mask [model-id] [--threads N]</c>: the segmenter on generated scenes with the default mask model of
/// models/ (or the one named): encoder time, encoder runs, and click-to-mask time with the
/// embeddings cached (decode, refinement against the picture, post-processing to image size, vectorising) for a
/// first click and two refinement clicks, at the scene's 256x256, at a 1024x1024 image and at 24 MP, side by side
/// with the network's mask alone (<c>--refine off</c>: <c>click_to_mask_network</c>); and each part alone.
/// </summary>
internal static class SegmentationBench
{
    private const int Scenes = 6;
    private const int FirstSeed = 910_000; // beyond the training and test seeds
    private const double TargetMilliseconds = 50;

    public static int Run(MetricReport report, string[] args)
    {
        var root = RepositoryRoot();
        var registry = ModelRegistry.Discover(new ModelSearchOptions([Path.Combine(root, "models")], ModelEnvironment.Process));
        // --threads 1: one inference thread, whose CPU time is the single-core cost that other processes' load does not inflate.
        var threadsAt = Array.IndexOf(args, "--threads");
        var threads = threadsAt >= 0 && threadsAt + 1 < args.Length && int.TryParse(args[threadsAt + 1], out var t) ? t : 0;
        var modelId = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--threads")).FirstOrDefault();
        var package = registry.Choose("mask", requestedId: modelId).Package;
        using var host = new ModelHost(new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: threads));
        using var segmenter = SamSegmenter.Open(host, package);
        Console.WriteLine($"mask model {package.Id} ({segmenter.Variant}), {Environment.ProcessorCount} CPUs, inference threads {(threads == 0 ? "all" : threads)}, load average {Timing.LoadAverage()}");

        var sizes = new[] { 256, 1024, 6000 };
        var encode = new Timings();
        var decode = new Timings();
        var post = sizes.ToDictionary(s => s, _ => new Timings());
        var vectorise = sizes.ToDictionary(s => s, _ => new Timings());
        var click = sizes.ToDictionary(s => s, _ => new Timings());
        var clickNetwork = sizes.ToDictionary(s => s, _ => new Timings());
        var refinedPost = sizes.ToDictionary(s => s, _ => new Timings());
        var images = 0;
        for (var i = 0; i < Scenes; i++)
        {
            var scene = SegmentationScenes.Generate(FirstSeed + i);
            if (scene.Targets.Count == 0) continue;
            var render = new DisplayRender(scene.Rgba, scene.Size, scene.Size, scene.Stride);
            foreach (var side in sizes)
            {
                var (width, height) = side == 6000 ? (6000, 4000) : (side, side);
                encode.Measure(() => segmenter.Encode($"scene {i} at {width}x{height}", width, height, render));
                images++;
            }
            var truth = scene.Objects[scene.Targets[0]].Visible;
            var first = SegmentationScenes.FirstClick(truth, scene.Size, new Random(i));

            foreach (var side in sizes)
            {
                // The same render stands for an image of another size: only the post-processing grows with it.
                var (width, height) = side == 6000 ? (6000, 4000) : (side, side);
                var target = segmenter.Encode($"scene {i} at {width}x{height}", width, height, render);
                double sx = width / (double)scene.Size, sy = height / (double)scene.Size;
                // Refined and network-only prompts in alternating rounds, so that both see the same load.
                (MaskPrompt Prompt, Timings Timings)[] prompts = [(segmenter.StartPrompt(target, refine: true), click[side]), (segmenter.StartPrompt(target, refine: false), clickNetwork[side])];
                var next = (SceneClick?)first;
                for (var round = 0; round < 3 && next is { } c; round++)
                {
                    foreach (var (prompt, timings) in prompts)
                    {
                        SegmentationMask? mask = null;
                        timings.Measure(() =>
                        {
                            mask = prompt.Click(new PromptPoint((c.X + 0.5) * sx - 0.5, (c.Y + 0.5) * sy - 0.5, c.Positive));
                            MaskVectorizer.Vectorize(mask.Coverage, mask.Width, mask.Height, new VectorizeOptions());
                        });
                        using (mask)
                            if (prompt.Refine) next = side == 256 ? SegmentationScenes.RefinementClick(truth, Binary(mask!), scene.Size) : Refine(first, round);
                    }
                }
            }

            // The parts: the decoder run alone, the post-processing and the vectoriser alone at each size.
            var cached = segmenter.Encode($"scene {i} at 256x256", scene.Size, scene.Size, render);
            (float[] Logits, float Score, int Index) decoded = default;
            decode.Measure(() => decoded = segmenter.Decode(cached, [new PromptPoint(first.X, first.Y)], null, null, CancellationToken.None));
            foreach (var side in sizes)
            {
                var (width, height) = side == 6000 ? (6000, 4000) : (side, side);
                var target = segmenter.Encode($"scene {i} at {width}x{height}", width, height, render);
                var point = new PromptPoint((first.X + 0.5) * width / 256.0 - 0.5, (first.Y + 0.5) * height / 256.0 - 0.5);
                SegmentationMask? mask = null;
                post[side].Measure(() => mask = SegmentationMask.FromLogits(decoded.Logits!, target.Frame, point, decoded.Score, decoded.Index));
                using (mask) vectorise[side].Measure(() => MaskVectorizer.Vectorize(mask!.Coverage, width, height, new VectorizeOptions()));
                refinedPost[side].Measure(() => SegmentationMask.FromLogits(decoded.Logits!, target.Frame, point, decoded.Score, decoded.Index,
                    new MaskRefiner(target.Guide, [point])).Dispose());
            }
        }

        encode.Report(report, "mask.encoder");
        report.Add(new Metric("mask.encoder_runs", segmenter.EncoderRuns, "runs", Baseline: images, Target: "1 per image (scene and size) however many clicks: ratio 1"));
        decode.Report(report, "mask.decoder");
        foreach (var side in sizes)
        {
            var name = side == 6000 ? "24mp" : $"{side}";
            post[side].Report(report, $"mask.post.{name}");
            refinedPost[side].Report(report, $"mask.post_refined.{name}");
            vectorise[side].Report(report, $"mask.vectorise.{name}");
            click[side].Report(report, $"mask.click_to_mask.{name}", side == 6000 ? null : TargetMilliseconds);
            clickNetwork[side].Report(report, $"mask.click_to_mask_network.{name}", side == 6000 ? null : TargetMilliseconds);
        }
        report.PrintTable();
        Console.WriteLine("cpu: process CPU time of all threads; with --threads 1 the single-core cost, which other processes' load does not inflate");
        return 0;
    }

    /// <summary>Wall and process-CPU milliseconds of repeated steps; medians reported.</summary>
    private sealed class Timings
    {
        private readonly List<double> _wall = [];
        private readonly List<double> _cpu = [];

        public void Measure(Action step)
        {
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            step();
            _wall.Add(clock.Elapsed.TotalMilliseconds);
            process.Refresh();
            _cpu.Add((process.TotalProcessorTime - cpu).TotalMilliseconds);
        }

        public void Report(MetricReport report, string name, double? target = null)
        {
            report.Add(new Metric($"{name}.wall", Timing.Median(_wall), "ms"));
            report.Add(new Metric($"{name}.cpu", Timing.Median(_cpu), "ms", Baseline: target, Target: target is { } t ? $"<= {t} ms (ratio <= 1)" : null));
        }
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


    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawEngine.sln"))) return dir.FullName;
        throw new InvalidOperationException("RawEngine.sln not found above the bench binaries.");
    }
}
