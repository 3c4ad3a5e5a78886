using System.Text.Json.Nodes;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Tests.Pipeline;
using RawEngine.Tests.Pipeline.TestOps;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Masks;

public class MaskJsonTests
{
    private static string Sidecar(string masks, string blendMask = "a") => $$"""
        { "format": "rawengine-edit", "version": 1,
          "modules": [ { "module": "gain", "blend": { "mask": "{{blendMask}}" } } ],
          "masks": {{masks}} }
        """;

    private static string Member(string form) => $$"""{ "groups": [ { "id": "a", "members": [ { "form": {{form}} } ] } ] }""";

    [Fact]
    public void EveryFormAndGroupRoundTripsThroughTheSidecar()
    {
        using var fixture = new PipeFixture();
        using var temp = new TempFolder();
        var sky = new MaskGroup("sky", [
            new GroupMember(new EllipseForm(new MaskPoint(0.5, 0.4), 0.2, 0.1, 30) { Feather = 0.02, Opacity = 0.9 }),
            new GroupMember(new GradientForm(new MaskPoint(0.5, 0.5), 90) { Feather = 0.3 }, CombineMode.Intersection, Inverted: true),
            new GroupMember(new PathForm([new PathNode(new MaskPoint(0.1, 0.1), new MaskPoint(0.05, 0.15), new MaskPoint(0.2, 0.1)), PathNode.Corner(0.3, 0.4), PathNode.Corner(0.1, 0.3)]), CombineMode.Exclusion),
            new GroupMember(new MaskGroup("hole", [
                new GroupMember(new BrushForm([new BrushPoint(new MaskPoint(0.3, 0.3), 0.02, 0.8), new BrushPoint(new MaskPoint(0.35, 0.32), 0.03)])),
                new GroupMember(new RasterForm(3, 2, [0, 64, 128, 192, 255, 7]) { Opacity = 0.5 }),
            ]) { Inverted = true, Opacity = 0.75 }, CombineMode.Difference),
        ]);
        var edit = Edit.Empty.With("gain", new GainParams { Gain = 2 }, new BlendParams { Mask = "sky", Mode = BlendMode.Overlay, Opacity = 0.5 }) with
        {
            Masks = new MaskSet([sky, new MaskGroup("other", [new GroupMember(new EllipseForm(new MaskPoint(0.1, 0.9), 0.05, 0.05))])]),
        };
        var path = temp.File("edit.json");
        fixture.Engine.Edits.Save(edit, path);
        var loaded = fixture.Engine.Edits.Load(path);
        Assert.Equal(edit, loaded);
        Assert.Equal(edit.Masks.ToJson(), loaded.Masks.ToJson());
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("path", json["masks"]!["groups"]![0]!["members"]![2]!["form"]!["type"]!.GetValue<string>());
        Assert.Equal("overlay", json["modules"]![0]!["blend"]!["mode"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String(new byte[] { 0, 64, 128, 192, 255, 7 }),
            json["masks"]!["groups"]![0]!["members"]![3]!["group"]!["members"]![1]!["form"]!["data"]!.GetValue<string>());
        Assert.NotEqual(edit, edit with { Masks = edit.Masks.With(sky with { Opacity = 0.5 }) });
    }

    [Fact]
    public void OptionalFieldsTakeTheirDefaults()
    {
        using var fixture = new PipeFixture();
        var edit = fixture.Engine.Edits.Read(Sidecar("""
            { "groups": [ { "id": "a", "members": [
                { "form": { "type": "ellipse", "center": [0.5, 0.5], "radius_x": 0.1, "radius_y": 0.2 } },
                { "mode": "difference", "form": { "type": "path", "nodes": [ { "anchor": [0, 0] }, { "anchor": [1, 0], "in": [0.5, 0.5] }, { "anchor": [1, 1] } ] } } ] } ] }
            """));
        var group = edit.Masks.Find("a")!;
        Assert.False(group.Inverted);
        Assert.Equal(1, group.Opacity);
        Assert.Equal(new EllipseForm(new MaskPoint(0.5, 0.5), 0.1, 0.2), group.Members[0].Node);
        Assert.Equal((CombineMode.Union, false), (group.Members[0].Mode, group.Members[0].Inverted));
        var path = Assert.IsType<PathForm>(group.Members[1].Node);
        Assert.Equal(CombineMode.Difference, group.Members[1].Mode);
        Assert.Equal(PathNode.Corner(0, 0), path.Nodes[0]);
        Assert.Equal(new PathNode(new MaskPoint(1, 0), new MaskPoint(0.5, 0.5), new MaskPoint(1, 0)), path.Nodes[1]);
    }

    [Theory]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "form": { "type": "star" } } ] } ] }""",
        "masks.groups[0].members[0].form.type: unknown form type \"star\" (known: ellipse, gradient, path, brush, raster)")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "form": { "center": [0, 0] } } ] } ] }""",
        "masks.groups[0].members[0].form.type: missing (known: ellipse, gradient, path, brush, raster)")]
    [InlineData("""{ "groups": [ { "members": [ { "form": { "type": "gradient", "anchor": [0, 0], "angle": 0 } } ] } ] }""",
        "masks.groups[0].id: missing: every mask group needs an id")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [] } ] }""", "masks.groups[0].members: a group needs at least one member")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "form": { "type": "ellipse", "center": [0.5], "radius_x": 1, "radius_y": 1 } } ] } ] }""",
        "masks.groups[0].members[0].form.center: expected a point [x, y], got [0.5]")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "form": { "type": "ellipse", "center": [0.5, 0.5], "radius_x": -0.1, "radius_y": 1 } } ] } ] }""",
        "masks.groups[0].members[0].form.radius_x: -0.1 is not a positive length")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "form": { "type": "gradient", "anchor": [0, 0], "angle": 0, "opacity": 2 } } ] } ] }""",
        "masks.groups[0].members[0].form.opacity: 2 is outside [0, 1]")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "form": { "type": "gradient", "anchor": [0, 0], "angel": 0 } } ] } ] }""",
        "masks.groups[0].members[0].form.angel: unknown field (known: type, feather, opacity, anchor, angle)")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "mode": "xor", "form": { "type": "gradient", "anchor": [0, 0], "angle": 0 } } ] } ] }""",
        "masks.groups[0].members[0].mode: unknown combine mode \"xor\" (known: union, intersection, difference, exclusion)")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { } ] } ] }""", "masks.groups[0].members[0]: a member needs a \"form\" or a \"group\"")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "form": { "type": "path", "nodes": [ { "anchor": [0, 0] } ] } } ] } ] }""",
        "masks.groups[0].members[0].form.nodes: has 1 path nodes; at least 2 needed")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "form": { "type": "raster", "width": 2, "height": 2, "data": "AAAA" } } ] } ] }""",
        "masks.groups[0].members[0].form.data: holds 3 bytes, but a 2x2 raster needs 4")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "form": { "type": "brush", "points": [ { "at": [0, 0], "radius": 0.1, "hardness": 1.5 } ] } } ] } ] }""",
        "masks.groups[0].members[0].form.points[0].hardness: 1.5 is outside [0, 1]")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "group": { "id": "b", "members": [ { "form": { "type": "oval" } } ] } } ] } ] }""",
        "masks.groups[0].members[0].group.members[0].form.type: unknown form type \"oval\" (known: ellipse, gradient, path, brush, raster)")]
    [InlineData("""{ "groups": [ { "id": "a", "members": [ { "form": { "type": "gradient", "anchor": [0, 0], "angle": 0 } } ] }, { "id": "a", "members": [ { "form": { "type": "gradient", "anchor": [0, 0], "angle": 1 } } ] } ] }""",
        "masks.groups[1].id: mask group id 'a' appears twice")]
    [InlineData("""[ 1, 2 ]""", "masks: expected a masks object with \"groups\", got [1,2]")]
    public void BadMasksNameTheJsonPath(string masks, string message)
    {
        using var fixture = new PipeFixture();
        var error = Assert.Throws<EditException>(() => fixture.Engine.Edits.Read(Sidecar(masks)));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ABlendNamingAMissingMaskIsAnError()
    {
        using var fixture = new PipeFixture();
        var error = Assert.Throws<EditException>(() => fixture.Engine.Edits.Read(Sidecar(Member("""{ "type": "gradient", "anchor": [0, 0], "angle": 0 }"""), "sky")));
        Assert.Equal("modules[0].blend.mask: no mask group 'sky' in the edit's masks (known: a)", error.Message);
        var unsaved = Edit.Empty.With("gain", new GainParams(), new BlendParams { Mask = "sky" });
        Assert.Equal("modules[0].blend.mask: no mask group 'sky' in the edit's masks (known: none)",
            Assert.Throws<EditException>(() => fixture.Engine.Edits.Write(unsaved)).Message);
    }

    [Fact]
    public void GroupsAreAddedReplacedAndRemovedById()
    {
        var a = new MaskGroup("a", [new GroupMember(new GradientForm(new MaskPoint(0.5, 0.5), 0))]);
        var b = new MaskGroup("b", [new GroupMember(new GradientForm(new MaskPoint(0.5, 0.5), 90))]);
        var masks = MaskSet.Empty.With(a).With(b);
        Assert.Equal(["a", "b"], masks.Groups.Select(g => g.Id));
        var replaced = masks.With(a with { Inverted = true });
        Assert.Equal(["a", "b"], replaced.Groups.Select(g => g.Id));
        Assert.True(replaced.Find("a")!.Inverted);
        Assert.NotEqual(masks, replaced);
        Assert.Equal(["b"], replaced.Without("a").Groups.Select(g => g.Id));
        Assert.Null(masks.Find("c"));
        Assert.Throws<ArgumentException>(() => new MaskSet([a, a]));
    }
}
