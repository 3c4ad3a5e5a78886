using System.Text.Json.Nodes;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Tests.Pipeline.TestOps;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Pipeline;

public class EditTests
{
    private static EditSerializer Serializer(PipeFixture fixture) => fixture.Engine.Edits;

    private static string Sidecar(string modules, string extra = "") =>
        $$"""{ "format": "rawengine-edit", "version": 1, "image": "IMG_1.dng", {{extra}} "modules": [ {{modules}} ] }""";

    [Fact]
    public void EditsRoundTripThroughTheSidecar()
    {
        using var fixture = new PipeFixture();
        using var temp = new TempFolder();
        var edit = Edit.Empty
            .With("gain", new GainParams { Gain = 2.5f, Offset = -0.125f })
            .With("gain#2", new GainParams { Gain = 0.5f }, new BlendParams { Opacity = 0.25 })
            .With("box_blur", new BoxBlurParams { Strength = 0.5f })
            .WithEnabled("box_blur", false) with
        {
            Image = "IMG_1.dng",
            Order = ["gain#2", "box_blur", "gain"],
            Masks = new MaskSet([new MaskGroup("m1", [new GroupMember(new EllipseForm(new MaskPoint(0.5, 0.5), 0.2, 0.1, 30) { Feather = 0.05 })])]),
        };
        var path = temp.File(EditSerializer.SidecarPathFor("IMG_1.dng"));
        Assert.EndsWith("IMG_1.dng.rawengine.json", path);
        Serializer(fixture).Save(edit, path);
        var text = File.ReadAllText(path);
        Assert.Contains("\"format\": \"rawengine-edit\"", text);
        Assert.Contains("\"module\": \"gain#2\"", text);
        var loaded = Serializer(fixture).Load(path);
        Assert.Equal(edit, loaded);
        Assert.Equal(0.25, loaded.Modules[1].Blend!.Opacity);
        Assert.False(loaded.Modules[2].Enabled);
    }

    [Fact]
    public void OldParamsMigrateStepByStep()
    {
        using var fixture = new PipeFixture();
        var edit = Serializer(fixture).Read(Sidecar("""{ "module": "gain", "version": 1, "params": { "factor": 3 } }"""));
        Assert.Equal(new GainParams { Gain = 3, Offset = 0 }, edit.Modules[0].Params);
        var saved = JsonNode.Parse(Serializer(fixture).Write(edit))!;
        Assert.Equal(2, saved["modules"]![0]!["version"]!.GetValue<int>());
        Assert.Equal(3f, saved["modules"]![0]!["params"]!["gain"]!.GetValue<float>());
    }

    [Fact]
    public void MissingParamsTakeTheirDefaults()
    {
        using var fixture = new PipeFixture();
        var edit = Serializer(fixture).Read(Sidecar("""{ "module": "box_blur" }, { "module": "gain", "params": { "offset": 0.5 } }"""));
        Assert.Equal(new BoxBlurParams(), edit.Modules[0].Params);
        Assert.Equal(new GainParams { Gain = 1, Offset = 0.5f }, edit.Modules[1].Params);
    }

    [Theory]
    [InlineData("""{ "module": "gain", "params": { "gain": 40 } }""", "modules[0].params.gain: 40 is outside [0, 16]")]
    [InlineData("""{ "module": "gain" }, { "module": "gain#2", "params": { "gain": "bright" } }""", "modules[1].params.gain: expected a number, got \"bright\"")]
    [InlineData("""{ "module": "gain", "params": { "gian": 1 } }""", "modules[0].params.gian: unknown parameter (known: gain, offset)")]
    [InlineData("""{ "module": "exposure" }""", "modules[0].module: unknown module 'exposure' (known: box_blur, cfa_smooth, gain, late_gain)")]
    [InlineData("""{ "module": "gain", "version": 3, "params": {} }""", "modules[0].version: params version 3 is newer than module 'gain' knows (2)")]
    [InlineData("""{ "module": "gain" }, { "module": "gain" }""", "modules[1].module: instance 'gain' appears twice")]
    [InlineData("""{ "module": "gain", "blend": { "opacity": 2 } }""", "modules[0].blend.opacity: 2 is outside [0, 1]")]
    [InlineData("""{ "module": "gain", "enabled": "yes" }""", "modules[0].enabled: expected true or false, got \"yes\"")]
    [InlineData("""{ "module": "Gain!" }""", "modules[0].module: 'Gain!' is not a module instance name (snake_case id, optionally '#' and a name)")]
    public void BadEditsNameTheJsonPath(string modules, string message)
    {
        using var fixture = new PipeFixture();
        var error = Assert.Throws<EditException>(() => Serializer(fixture).Read(Sidecar(modules)));
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("""{ "format": "darktable", "version": 1 }""", "format: expected \"rawengine-edit\", got \"darktable\"")]
    [InlineData("""{ "format": "rawengine-edit", "version": 7 }""", "version: edit format version 7 is newer than this engine reads (1)")]
    [InlineData("""{ "format": "rawengine-edit", "version": 1, "modules": {} }""", "modules: expected an array")]
    [InlineData("""{ "format": "rawengine-edit", "version": 1, "colour": 1 }""", "colour: unknown field (known: format, version, image, order, modules, masks)")]
    [InlineData("""[1, 2]""", "$: an edit is a JSON object")]
    public void BadSidecarsNameTheField(string json, string message)
    {
        using var fixture = new PipeFixture();
        Assert.Equal(message, Assert.Throws<EditException>(() => Serializer(fixture).Read(json)).Message);
    }

    [Fact]
    public async Task OrderComesFromTheRegistryUnlessTheEditOverridesIt()
    {
        using var fixture = new PipeFixture();
        var edit = Edit.Empty.With("late_gain", new GainParams { Gain = 2 }).With("gain#2", new GainParams()).With("box_blur", new BoxBlurParams()).With("gain", new GainParams());
        var raw = TestRaws.Rgb(16, 16);
        var program = fixture.Engine.Pipe.Build(edit, new RawSource(raw), "o", PipeKind.Full);
        Assert.Equal(["gain", "gain#2", "box_blur", "late_gain"], program.Nodes.Select(n => n.Instance));

        var reordered = fixture.Engine.Pipe.Build(edit with { Order = ["late_gain", "box_blur", "gain", "gain#2"] }, new RawSource(raw), "o", PipeKind.Full);
        Assert.Equal(["late_gain", "box_blur", "gain", "gain#2"], reordered.Nodes.Select(n => n.Instance));

        var missing = Assert.Throws<EditException>(() => fixture.Engine.Pipe.Build(edit with { Order = ["gain", "box_blur", "late_gain"] }, new RawSource(raw), "o", PipeKind.Full));
        Assert.Equal("order: the explicit order does not place enabled instance 'gain#2'", missing.Message);

        // Values made in code are checked like loaded ones.
        using var session = fixture.Engine.Open(raw);
        var range = await Assert.ThrowsAsync<EditException>(() => session.RenderAsync(edit.With("box_blur", new BoxBlurParams { Strength = 3 }), new Roi(0, 0, 8, 8)));
        Assert.Equal("modules[2].params.strength: 3 is outside [0, 1]", range.Message);
        var wrongType = await Assert.ThrowsAsync<EditException>(() => session.RenderAsync(edit.With("box_blur", new GainParams()), new Roi(0, 0, 8, 8)));
        Assert.Equal("modules[2].params: expected BoxBlurParams, got GainParams", wrongType.Message);
    }

    [Fact]
    public void SchemasExposeRangesAndDefaults()
    {
        using var fixture = new PipeFixture();
        var gain = fixture.Registry.SchemaOf("gain").Parameters.Single(p => p.Name == "gain");
        Assert.Equal((0.0, 16.0, 1f), (gain.Min!.Value, gain.Max!.Value, gain.Default));
        Assert.Equal("Multiplies every colour channel.", gain.Description);
        Assert.Equal(typeof(float), gain.Type);
    }
}
