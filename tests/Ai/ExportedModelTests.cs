using System.Text.Json;
using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Ai;

/// <summary>
/// The small real-architecture exports of tools/export_small_models.py (NAFNet, SAM 2.1-style, and the same
/// SAM weights with the SAM 1 signature) and the shipped segmenter of tools/train_segmenter.py (models/sam-scenes-small,
/// sam1-scenes-small), reached through the registry, loaded and contract-checked by the ModelHost, run by ONNX
/// Runtime and compared with PyTorch's outputs sampled in testdata/model-references.
/// </summary>
public class ExportedModelTests
{
    private const string NafnetId = "nafnet-small";
    private const string Sam2Id = "sam21-small";
    private const string Sam1Id = "sam1-small";

    private const string ShippedSam2Id = "sam-scenes-small";
    private const string ShippedSam1Id = "sam1-scenes-small";

    private static readonly Lazy<JsonDocument[]> References = new(() =>
        new[] { "exported.json", $"{ShippedSam2Id}.json" }.Select(name =>
            JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "testdata", "model-references", name)))).ToArray());

    private static ModelPackage Package(TempFolder home, string id) =>
        ModelRegistry.Discover(new ModelSearchOptions([AiTestFiles.TestModels, AiTestFiles.ShippedModels], AiTestFiles.IsolatedEnvironment(home.Path))).Get(id);

    private static ModelHost CpuHost() => new(new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: 2));

    private static JsonElement Reference(string id) =>
        References.Value.Select(d => d.RootElement).First(root => root.TryGetProperty(id, out _)).GetProperty(id);

    [Fact]
    public void ExportedPackagesAreDiscoveredAndPassTheirTaskContracts()
    {
        using var home = new TempFolder();
        var nafnet = ModelHost.Validate(Package(home, NafnetId));
        Assert.Equal("input", nafnet.Io.Inputs["image"]);
        Assert.Equal("output", nafnet.Io.Outputs["image"]);
        Assert.Equal(8, nafnet.Io.Tile!.Align);
        Assert.Equal(MaskVariant.Sam2, ModelHost.Validate(Package(home, Sam2Id)).Variant);
        Assert.Equal(MaskVariant.Sam1, ModelHost.Validate(Package(home, Sam1Id)).Variant);

        // The untrained export is never the default denoiser (the trained nafnet-denoise is), but can be asked for.
        var registry = ModelRegistry.Discover(new ModelSearchOptions([AiTestFiles.TestModels], AiTestFiles.IsolatedEnvironment(home.Path)));
        Assert.NotEqual(NafnetId, registry.Choose("denoise").Package.Id);
        Assert.Equal(NafnetId, registry.Choose("denoise", requestedId: NafnetId).Package.Id);
    }

    [Fact]
    public void NafnetDenoisesAnOddSizedImageAsPyTorchDoes()
    {
        using var home = new TempFolder();
        DenoisesAnOddSizedImageAsPyTorchDoes(Package(home, NafnetId), Reference(NafnetId));
    }

    /// <summary>
    /// The shipped default denoiser (tools/train_denoiser.py) keeps the darktable-ai denoise contract, its tiles align to
    /// what its graph pads to, and ONNX Runtime gives the output PyTorch gave when it was trained
    /// (testdata/model-references/nafnet-denoise.json, written by the trainer).
    /// </summary>
    [Fact]
    public void TheShippedDenoiserKeepsItsContractAndRunsAsPyTorchDoes()
    {
        using var home = new TempFolder();
        var registry = ModelRegistry.Discover(new ModelSearchOptions([AiTestFiles.ShippedModels], AiTestFiles.IsolatedEnvironment(home.Path)));
        var package = registry.Choose("denoise").Package;
        Assert.Equal("nafnet-denoise", package.Id);
        var contract = ModelHost.Validate(package);
        Assert.Equal(("input", "output", "planar-rgb", "srgb"), (contract.Io.Inputs["image"], contract.Io.Outputs["image"], contract.Io.Layout, contract.Io.Encoding));
        Assert.Equal(package.Manifest.Attributes!.Value.GetProperty("pad_multiple").GetInt32(), contract.Io.Tile!.Align);
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "testdata", "model-references", "nafnet-denoise.json")));
        DenoisesAnOddSizedImageAsPyTorchDoes(package, reference.RootElement);
    }

    private static void DenoisesAnOddSizedImageAsPyTorchDoes(ModelPackage package, JsonElement reference)
    {
        using var host = CpuHost();
        var loaded = host.Open(package);
        const int height = 37, width = 53; // no power of two divides them: the graph pads and crops
        using var binding = loaded.Network.Bind(new Dictionary<string, long[]>
        {
            [loaded.Io.Inputs["image"]] = [1, 3, height, width],
            [loaded.Io.Outputs["image"]] = [1, 3, height, width],
        });
        FormulaImage(reference.GetProperty("input"), binding["input"].Span);
        binding.Run();

        var output = binding["output"];
        Assert.Equal(new long[] { 1, 3, height, width }, output.Shape);
        AssertFinite(output.Span, "output");
        AssertMatches(reference.GetProperty("output"), output.Span, $"{package.Id} output");
    }

    [Theory]
    [InlineData(Sam2Id)]
    [InlineData(ShippedSam2Id)]
    public void Sam21EncoderAndDecoderRunWithOneAndThreePointsAsPyTorchDoes(string sam2Id)
    {
        using var home = new TempFolder();
        using var host = CpuHost();
        var package = Package(home, sam2Id);
        var reference = Reference(sam2Id);
        var one = host.Open(package, new Dictionary<string, long> { ["num_points"] = 1 });
        Assert.Equal(MaskVariant.Sam2, one.Contract.Variant);

        var encoder = one.Networks[TaskContract.EncoderFile];
        using var enc = encoder.Bind(encoder.Inputs.Concat(encoder.Outputs).ToDictionary(t => t.Name, t => t.Dims));
        FormulaImage(reference.GetProperty("image"), enc["image"].Span);
        enc.Run();
        string[] features = ["image_embed", "high_res_feats_0", "high_res_feats_1"];
        foreach (var name in features) AssertMatches(reference.GetProperty(name), enc[name].Span, name);

        float[] firstMask;
        var clicks = reference.GetProperty("one_point");
        using (var dec = BindSam2Decoder(one, 1, enc, features))
        {
            Prompt(dec, clicks);
            dec.Run();
            AssertSam2Outputs(dec, clicks, "one point");
            firstMask = dec["masks"].Span[..(256 * 256)].ToArray();
        }

        var three = host.Open(package, new Dictionary<string, long> { ["num_points"] = 3 });
        var moreClicks = reference.GetProperty("three_points");
        using var dec3 = BindSam2Decoder(three, 3, enc, features);
        Prompt(dec3, moreClicks);
        firstMask.CopyTo(dec3["mask_input"].Span); // the previous click's low-res logits fed back
        dec3["has_mask_input"].Span.Fill(1f);
        dec3.Run();
        AssertSam2Outputs(dec3, moreClicks, "three points");
    }

    [Theory]
    [InlineData(Sam2Id, Sam1Id)]
    [InlineData(ShippedSam2Id, ShippedSam1Id)]
    public void Sam1SignatureOfTheSameWeightsReturnsMasksAtTheOriginalSize(string sam2Id, string sam1Id)
    {
        using var home = new TempFolder();
        using var host = CpuHost();
        var reference = Reference(sam1Id);
        var loaded = host.Open(Package(home, sam1Id), new Dictionary<string, long> { ["num_points"] = 2 });
        Assert.Equal(MaskVariant.Sam1, loaded.Contract.Variant);

        var encoder = loaded.Networks[TaskContract.EncoderFile];
        using var enc = encoder.Bind(encoder.Inputs.Concat(encoder.Outputs).ToDictionary(t => t.Name, t => t.Dims));
        FormulaImage(Reference(sam2Id).GetProperty("image"), enc["image"].Span);
        enc.Run();
        // Same trunk, neck and projection as the SAM 2.1 package: the embedding matches its image_embed.
        AssertMatches(Reference(sam2Id).GetProperty("image_embed"), enc["image_embeddings"].Span, "image_embeddings");

        const int height = 480, width = 640;
        var decoder = loaded.Networks[TaskContract.DecoderFile];
        using var dec = decoder.Bind(new Dictionary<string, long[]>
        {
            ["image_embeddings"] = [1, 256, 64, 64], ["point_coords"] = [1, 2, 2], ["point_labels"] = [1, 2],
            ["mask_input"] = [1, 1, 256, 256], ["has_mask_input"] = [1], ["orig_im_size"] = [2],
            ["masks"] = [1, 4, height, width], ["iou_predictions"] = [1, 4], ["low_res_masks"] = [1, 4, 256, 256],
        });
        enc["image_embeddings"].Span.CopyTo(dec["image_embeddings"].Span);
        Prompt(dec, reference);
        float[] size = [height, width];
        size.CopyTo(dec["orig_im_size"].Span);
        dec.Run();

        AssertFinite(dec["masks"].Span, "masks");
        AssertMatches(reference.GetProperty("masks"), dec["masks"].Span, "masks");
        AssertMatches(reference.GetProperty("low_res_masks"), dec["low_res_masks"].Span, "low_res_masks");
        AssertClose(reference.GetProperty("iou_predictions"), dec["iou_predictions"].Span, "iou_predictions");
    }

    private static InferenceBinding BindSam2Decoder(LoadedModel model, int points, InferenceBinding encoder, string[] features)
    {
        var decoder = model.Networks[TaskContract.DecoderFile];
        var shapes = decoder.Inputs.Concat(decoder.Outputs).ToDictionary(t => t.Name, t => t.Dims.Select(d => d < 0 ? points : d).ToArray());
        var binding = decoder.Bind(shapes);
        foreach (var name in features) encoder[name].Span.CopyTo(binding[name].Span);
        return binding;
    }

    private static void Prompt(InferenceBinding decoder, JsonElement prompt)
    {
        Floats(prompt.GetProperty("point_coords")).CopyTo(decoder["point_coords"].Span);
        Floats(prompt.GetProperty("point_labels")).CopyTo(decoder["point_labels"].Span);
    }

    private static void AssertSam2Outputs(InferenceBinding decoder, JsonElement reference, string what)
    {
        var masks = decoder["masks"];
        Assert.Equal(new long[] { 1, 3, 256, 256 }, masks.Shape);
        Assert.Equal(new long[] { 1, 3 }, decoder["iou_predictions"].Shape);
        AssertFinite(masks.Span, $"{what} masks");
        foreach (var logit in masks.Span) Assert.InRange(logit, -32f, 32f);
        AssertMatches(reference.GetProperty("masks"), masks.Span, $"{what} masks");
        AssertClose(reference.GetProperty("iou_predictions"), decoder["iou_predictions"].Span, $"{what} iou_predictions");
    }

    /// <summary>((a*channel + b*row + c*column) mod 256) / 255 * scale + offset, in float32 as the exporter computed it.</summary>
    private static void FormulaImage(JsonElement spec, Span<float> planes)
    {
        var shape = spec.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int a = spec.GetProperty("a").GetInt32(), b = spec.GetProperty("b").GetInt32(), c = spec.GetProperty("c").GetInt32();
        float scale = spec.GetProperty("scale").GetSingle(), offset = spec.GetProperty("offset").GetSingle();
        int channels = shape[1], height = shape[2], width = shape[3];
        Assert.Equal(channels * height * width, planes.Length);
        for (var ch = 0; ch < channels; ch++)
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                    planes[(ch * height + y) * width + x] = (float)((a * ch + b * y + c * x) % 256) / 255f * scale + offset;
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    private static void AssertFinite(ReadOnlySpan<float> values, string what)
    {
        for (var i = 0; i < values.Length; i++)
            Assert.True(float.IsFinite(values[i]), $"{what}[{i}] is {values[i]}");
    }

    /// <summary>Checks (flat index, PyTorch value) samples against ONNX Runtime's tensor.</summary>
    private static void AssertMatches(JsonElement samples, ReadOnlySpan<float> actual, string what)
    {
        var count = 0;
        foreach (var pair in samples.EnumerateArray())
        {
            var index = pair[0].GetInt32();
            var expected = pair[1].GetSingle();
            Assert.True(index < actual.Length, $"{what}: sample index {index} is outside the {actual.Length} values");
            AssertNear(expected, actual[index], $"{what}[{index}]");
            count++;
        }
        Assert.True(count >= 16, $"{what}: only {count} reference samples");
    }

    private static void AssertClose(JsonElement expected, ReadOnlySpan<float> actual, string what)
    {
        var values = Floats(expected);
        Assert.Equal(values.Length, actual.Length);
        for (var i = 0; i < values.Length; i++) AssertNear(values[i], actual[i], $"{what}[{i}]");
    }

    private static void AssertNear(float expected, float actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-3f + 1e-3f * Math.Abs(expected), $"{what}: ONNX Runtime {actual}, PyTorch {expected}");
}
