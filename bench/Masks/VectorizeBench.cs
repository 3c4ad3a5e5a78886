using RawEngine.Engine.Imaging;
using System.Diagnostics;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Masks.Vectorize;
using RawEngine.Tests.Masks.Vectorize;

namespace RawEngine.Bench.Masks;

/// <summary>
/// `bench mask-vectorize`: raster mask to Bézier group (<see cref="MaskVectorizer"/>) on a 1024x1024 mask
/// with a few objects (an ellipse with a hole, a star, a blob), soft-edged as a segmenter gives it and
/// hard-edged (0/1), and on a 256x256 one (a segmenter's low-res size). Each time is compared with
/// rendering the resulting group back at the same size (<see cref="MaskRasterizer"/>), the cheapest thing
/// a caller does with the paths; the contour tracing alone and the round trip's IoU and node count are
/// reported beside it. (For `bench mask`: click-to-mask includes one vectorise call of this kind.)
/// </summary>
internal static class VectorizeBench
{
    private const int Runs = 15;

    public static int Run(MetricReport report)
    {
        Console.Error.WriteLine($"mask-vectorize bench: {Environment.ProcessorCount} cores, median of {Runs}");
        var options = new VectorizeOptions();
        foreach (var (name, size, mask) in Scenes())
        {
            var group = MaskVectorizer.Vectorize(mask, size, size, options);
            var coverage = new float[size * size];
            var vectorise = Timing.MedianMilliseconds(() => MaskVectorizer.Vectorize(mask, size, size, options), Runs);
            var render = Timing.MedianMilliseconds(() => MaskRasterizer.Render(group, MaskView.Image(size, size), coverage), Runs);
            using var traced = new TracedContours();
            var trace = Timing.MedianMilliseconds(() =>
            {
                traced.Contours.Clear();
                traced.TruncateVertices(0);
                IsoContourTracer.Trace(mask, size, size, options.Threshold, traced);
            }, Runs);
            report.Add(new Metric($"mask_vectorize_{name}", vectorise, "ms", render, "few ms; vs rendering the group back"));
            report.Add(new Metric($"mask_vectorize_{name}_trace", trace, "ms", vectorise, "share of the whole"));
            report.Add(new Metric($"mask_vectorize_{name}_iou", ImageQuality.IoU(mask, coverage), "", null, ">= 0.97"));
            report.Add(new Metric($"mask_vectorize_{name}_nodes", Nodes(group), "nodes"));
        }
        report.PrintTable();
        return 0;
    }

    private static IEnumerable<(string Name, int Size, float[] Mask)> Scenes()
    {
        var soft = GeneratedMasks.Draw(1024, 1024,
            (new GeneratedMasks.Ellipse(300, 300, 200, 150, 20), false),
            (new GeneratedMasks.Ellipse(300, 300, 60, 50, 20), true),
            (GeneratedMasks.Polygon.Star(750, 700, 220, 100, 6, 0.3), false),
            (new GeneratedMasks.Blob(250, 800, 150, new Random(5)), false));
        yield return ("1024_soft", 1024, soft);
        yield return ("1024_hard", 1024, GeneratedMasks.Hard(soft));
        yield return ("256_soft", 256, GeneratedMasks.Draw(256, 256,
            (new GeneratedMasks.Blob(100, 110, 60, new Random(7)), false),
            (new GeneratedMasks.Ellipse(100, 110, 15, 12, 0), true),
            (GeneratedMasks.Polygon.Star(200, 60, 40, 18, 5, 0.2), false)));
    }


    private static int Nodes(MaskNode node) => node switch
    {
        PathForm path => path.Nodes.Count,
        MaskGroup group => group.Members.Sum(m => Nodes(m.Node)),
        _ => 0,
    };

}
