using RawEngine.AI.Registry;

namespace RawEngine.Tests.Ai;

public class ManifestTests
{
    [Fact]
    public void ReadsTheSharedDemosaicNetManifestWithItsIoBlock()
    {
        var m = ManifestReader.Read(Path.Combine(AiTestFiles.ShippedModels, AiTestFiles.DemosaicNetXTrans, "config.json"));
        Assert.Equal("demosaic-demosaicnet-xtrans", m.Id);
        Assert.Equal("demosaic", m.Task);
        Assert.Equal("demosaicnet", m.Arch);
        Assert.True(m.Tiling);
        Assert.Equal("MIT", m.ModelCard!.Value.GetProperty("license").GetString());
        Assert.Equal("mosaic", m.Io!.Inputs["image"]);
        Assert.Equal("rgb", m.Io.Outputs["image"]);
        Assert.Equal("xtrans", m.Io.Cfa!.Type);
        Assert.Equal(6, m.Io.Cfa.Pattern.Count);
        Assert.Equal([1020, 768, 510, 384, 252], m.Io.Tile!.Sizes);
        Assert.Equal(18, m.Io.Tile.Overlap);
        Assert.Equal(6, m.Io.Tile.Align);
        Assert.Equal(1f, m.Io.RangeMax);
        Assert.False(m.IsDefault);
    }

    [Theory]
    [InlineData("""{"task": "denoise"}""", "$.id: is missing")]
    [InlineData("""{"id": "../evil", "task": "denoise"}""", "$.id: \"../evil\" is not a usable model id")]
    [InlineData("""{"id": "a", "task": 3}""", "$.task: expected a string, found number")]
    [InlineData("""{"id": "a", "task": "denoise", "default": "yes"}""", "$.default: expected true or false")]
    [InlineData("""{"id": "a", "task": "demosaic", "io": {"layout": "hexagonal"}}""", "$.io.layout: \"hexagonal\" is not one of")]
    [InlineData("""{"id": "a", "task": "demosaic", "io": {"tile": {"sizes": [512, "x"]}}}""", "$.io.tile.sizes[1]: expected an integer")]
    [InlineData("""{"id": "a", "task": "demosaic", "io": {"tile": {"sizes": [64], "overlap": 32}}}""", "$.io.tile.sizes: every tile must be larger than twice the overlap")]
    [InlineData("""{"id": "a", "task": "demosaic", "io": {"cfa": {"type": "bayer", "pattern": ["GBGGRG", "RGRBGB", "GBGGRG", "GRGGBG", "BGBRGR", "GRGGBG"]}}}""", "$.io.cfa.pattern: a 6x6 pattern is not bayer")]
    [InlineData("""{"id": "a", "task": "demosaic", "io": {"cfa": {"type": "bayer", "pattern": ["GX", "BG"]}}}""", "$.io.cfa.pattern: CFA row 0")]
    [InlineData("""{"id": "a", "task": "demosaic", "io": {"range": [1, 0]}}""", "$.io.range: [1, 0] is empty")]
    [InlineData("""{"id": "a", "task": "demosaic", "io": {"fixed_dims": {"n": 0}}}""", "$.io.fixed_dims.n: must be a positive integer")]
    [InlineData("""{"id": "a", "task": "demosaic", "io": {"inputs": {"image": 5}}}""", "$.io.inputs.image: expected a tensor name")]
    [InlineData("""{"id": "a", """, "not valid JSON")]
    public void BadManifestsNameTheJsonPathAndTheProblem(string json, string expected)
    {
        var e = Assert.Throws<ModelManifestException>(() => ManifestReader.Parse(json, "pkg/config.json"));
        Assert.StartsWith("pkg/config.json: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void OptionalFieldsDefaultAndUnknownFieldsAreIgnored()
    {
        var m = ManifestReader.Parse("""{"id": "n", "task": "denoise", "default": true, "future_field": [1, 2], "io": {"fixed_dims": {"num_points": 4}}}""", "x");
        Assert.Equal("n", m.Name);
        Assert.Equal("onnx", m.Backend);
        Assert.True(m.IsDefault);
        Assert.Equal(4, m.Io!.FixedDims["num_points"]);
        Assert.Null(m.Io.Layout);
    }
}
