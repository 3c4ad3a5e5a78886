using RawEngine.Engine.Imaging;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Masks.Vectorize;
using Xunit.Abstractions;

namespace RawEngine.Tests.Masks.Vectorize;

public sealed class MaskVectorizerTests(ITestOutputHelper output)
{
    private static readonly VectorizeOptions Options = new() { GroupId = "object" };

    private static float[] Render(MaskNode node, int width, int height)
    {
        var coverage = new float[width * height];
        MaskRasterizer.Render(node, MaskView.Image(width, height), coverage);
        return coverage;
    }


    private static IEnumerable<PathForm> Paths(MaskNode node) => node switch
    {
        PathForm path => [path],
        MaskGroup group => group.Members.SelectMany(m => Paths(m.Node)),
        _ => [],
    };

    private static int NodeCount(MaskGroup group) => Paths(group).Sum(p => p.Nodes.Count);

    [Fact]
    public void Re_rasterised_paths_reproduce_every_mask_of_the_test_set()
    {
        var results = new List<(string Name, double IoU, int Nodes)>();
        foreach (var test in GeneratedMasks.TestSet.Value)
        {
            var group = MaskVectorizer.Vectorize(test.Mask, test.Width, test.Height, Options);
            var iou = ImageQuality.IoU(test.Mask, Render(group, test.Width, test.Height));
            results.Add((test.Name, iou, NodeCount(group)));
            output.WriteLine($"{test.Name,-22} {test.Width}x{test.Height}  IoU {iou:F4}  nodes {NodeCount(group)}");
        }
        output.WriteLine($"{results.Count} masks: IoU mean {results.Average(r => r.IoU):F4}, min {results.Min(r => r.IoU):F4}; nodes mean {results.Average(r => r.Nodes):F1}, max {results.Max(r => r.Nodes)}");

        Assert.True(results.Count >= 30);
        Assert.All(results, r => Assert.True(r.IoU >= 0.97, $"{r.Name}: IoU {r.IoU:F4} < 0.97"));
        // Node counts stay near what a person would draw: a few per convex shape, a couple per star point.
        Assert.All(results.Where(r => r.Name.StartsWith("ellipse")), r => Assert.InRange(r.Nodes, 2, 12));
        Assert.All(results.Where(r => r.Name.StartsWith("polygon")), r => Assert.InRange(r.Nodes, 3, 12));
        Assert.All(results.Where(r => r.Name.StartsWith("blob")), r => Assert.InRange(r.Nodes, 4, 20));
        Assert.All(results, r => Assert.InRange(r.Nodes, 2, 120));
    }

    [Fact]
    public void Holes_are_cut_from_their_region_and_islands_in_holes_are_regions_of_their_own()
    {
        var ring = GeneratedMasks.TestSet.Value.First(t => t.Name == "ring-island-2");
        var group = MaskVectorizer.Vectorize(ring.Mask, ring.Width, ring.Height, Options);

        Assert.Equal("object", group.Id);
        Assert.Equal(2, group.Members.Count);
        Assert.All(group.Members, m => Assert.Equal(CombineMode.Union, m.Mode));
        // The blob minus the ellipse; the star inside that hole minus its own small hole.
        foreach (var member in group.Members)
        {
            var region = Assert.IsType<MaskGroup>(member.Node);
            Assert.Equal(2, region.Members.Count);
            Assert.IsType<PathForm>(region.Members[0].Node);
            Assert.Equal(CombineMode.Difference, region.Members[1].Mode);
            Assert.IsType<PathForm>(region.Members[1].Node);
        }
        Assert.True(ImageQuality.IoU(ring.Mask, Render(group, ring.Width, ring.Height)) >= 0.97);
    }

    [Fact]
    public void The_group_goes_into_an_edit_and_reads_back_unchanged()
    {
        var ring = GeneratedMasks.TestSet.Value.First(t => t.Name == "ring-island-1");
        var group = MaskVectorizer.Vectorize(ring.Mask, ring.Width, ring.Height, Options);

        var masks = MaskSet.Empty.With(group);
        var read = MaskJson.Read(System.Text.Json.Nodes.JsonNode.Parse(masks.ToJson()));

        Assert.Equal(masks, read);
        Assert.Equal(Render(group, ring.Width, ring.Height), Render(read.Find("object")!, ring.Width, ring.Height));
    }

    [Fact]
    public void A_rectangle_becomes_four_corners_on_pixel_edges()
    {
        const int width = 64, height = 48;
        var mask = new float[width * height];
        for (var y = 5; y < 15; y++)
            for (var x = 10; x < 30; x++) mask[y * width + x] = 1;

        var group = MaskVectorizer.Vectorize(mask, width, height, Options);

        var path = Assert.IsType<PathForm>(Assert.Single(group.Members).Node);
        Assert.Equal(4, path.Nodes.Count);
        var corners = path.Nodes.Select(n => (X: Math.Round(n.Anchor.X * width, 6), Y: Math.Round(n.Anchor.Y * height, 6))).ToHashSet();
        Assert.Equal(new HashSet<(double, double)> { (10, 5), (30, 5), (30, 15), (10, 15) }, corners);
        Assert.Equal(1.0, ImageQuality.IoU(mask, Render(group, width, height)));
    }

    [Fact]
    public void An_empty_mask_gives_an_empty_group_and_a_full_mask_covers_the_image()
    {
        const int width = 40, height = 30;
        var empty = MaskVectorizer.Vectorize(new float[width * height], width, height, Options);
        Assert.Equal("object", empty.Id);
        Assert.Empty(empty.Members);

        var full = Enumerable.Repeat(1f, width * height).ToArray();
        var group = MaskVectorizer.Vectorize(full, width, height, Options);
        var path = Assert.IsType<PathForm>(Assert.Single(group.Members).Node);
        Assert.Equal(4, path.Nodes.Count);
        Assert.All(Render(group, width, height), v => Assert.True(v >= 0.5f));
    }

    [Fact]
    public void Specks_and_pinholes_below_the_minimum_area_are_dropped_and_kept_when_it_is_zero()
    {
        const int width = 80, height = 60;
        var mask = GeneratedMasks.Draw(width, height, (new GeneratedMasks.Ellipse(40, 30, 25, 20, 0), false));
        mask[30 * width + 40] = 0;     // a one-pixel pinhole in the ellipse
        mask[5 * width + 5] = 1;       // a one-pixel speck outside it
        mask[55 * width + 70] = 1;
        mask[56 * width + 70] = 1;     // a two-pixel speck

        var cleaned = MaskVectorizer.Vectorize(mask, width, height, Options);
        var region = Assert.IsType<PathForm>(Assert.Single(cleaned.Members).Node);
        Assert.True(region.Nodes.Count >= 2);

        var rendered = Render(cleaned, width, height);
        Assert.True(rendered[30 * width + 40] >= 0.5f && rendered[5 * width + 5] < 0.5f && rendered[55 * width + 70] < 0.5f);

        var everything = MaskVectorizer.Vectorize(mask, width, height, Options with { MinimumArea = 0 });
        Assert.Equal(3, everything.Members.Count);
        var withHole = Assert.IsType<MaskGroup>(everything.Members.Single(m => m.Node is MaskGroup).Node);
        Assert.Equal(CombineMode.Difference, withHole.Members[1].Mode);
        rendered = Render(everything, width, height);
        Assert.True(ImageQuality.IoU(mask, rendered) >= 0.97);
        Assert.True(rendered[30 * width + 40] < 0.5f && rendered[5 * width + 5] >= 0.5f && rendered[55 * width + 70] >= 0.5f && rendered[56 * width + 70] >= 0.5f);
    }

    [Fact]
    public void Random_blocks_with_holes_islands_and_diagonal_touches_round_trip()
    {
        const int size = 256, block = 8;
        var random = new Random(42);
        var cells = Enumerable.Range(0, size / block * (size / block)).Select(_ => random.NextDouble() < 0.5).ToArray();
        var mask = new float[size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++) mask[y * size + x] = cells[y / block * (size / block) + x / block] ? 1 : 0;

        var group = MaskVectorizer.Vectorize(mask, size, size, Options);

        Assert.Contains(group.Members, m => m.Node is MaskGroup);
        Assert.True(ImageQuality.IoU(mask, Render(group, size, size)) >= 0.99);
    }

    [Fact]
    public void Not_a_number_samples_count_as_background()
    {
        const int width = 120, height = 80;
        var mask = GeneratedMasks.Draw(width, height, (new GeneratedMasks.Ellipse(60, 40, 40, 25, 15), false));
        mask[40 * width + 60] = float.NaN;
        mask[40 * width + 61] = float.NaN;
        mask[41 * width + 60] = float.NaN;
        mask[41 * width + 61] = float.NaN;

        var group = MaskVectorizer.Vectorize(mask, width, height, Options with { MinimumArea = 1 });

        var region = Assert.IsType<MaskGroup>(Assert.Single(group.Members).Node);
        Assert.Equal(CombineMode.Difference, region.Members[1].Mode);
        Assert.True(Render(group, width, height)[40 * width + 60] < 0.5f);
    }

    [Fact]
    public void An_eight_bit_mask_vectorises_like_the_same_float_mask()
    {
        var test = GeneratedMasks.TestSet.Value.First(t => t.Name == "star-1");
        var bytes = test.Mask.Select(v => (byte)Math.Round(v * 255)).ToArray();
        var fromBytes = MaskVectorizer.Vectorize(bytes, test.Width, test.Height, Options);
        var fromFloats = MaskVectorizer.Vectorize(test.Mask, test.Width, test.Height, Options);
        Assert.Equal(NodeCount(fromFloats), NodeCount(fromBytes));
        Assert.True(ImageQuality.IoU(Render(fromFloats, test.Width, test.Height), Render(fromBytes, test.Width, test.Height)) > 0.999);
    }

    [Fact]
    public void Bad_input_is_refused_naming_the_problem()
    {
        var mask = new float[100];
        Assert.Contains("coverage", Assert.Throws<ArgumentException>(() => MaskVectorizer.Vectorize(mask, 10, 11, Options)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MaskVectorizer.Vectorize(mask, 0, 10, Options));
        Assert.Contains("FitTolerance", Assert.Throws<ArgumentOutOfRangeException>(() =>
            MaskVectorizer.Vectorize(mask, 10, 10, Options with { FitTolerance = 0 })).Message);
        Assert.Contains("Threshold", Assert.Throws<ArgumentOutOfRangeException>(() =>
            MaskVectorizer.Vectorize(mask, 10, 10, Options with { Threshold = 1 })).Message);
        Assert.Contains("GroupId", Assert.Throws<ArgumentException>(() =>
            MaskVectorizer.Vectorize(mask, 10, 10, Options with { GroupId = "" })).Message);
    }
}
