using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;

namespace RawEngine.Tests.Ai;

public class ContractTests
{
    private static ModelPackage Package(string dir) =>
        new(ManifestReader.Read(Path.Combine(dir, "config.json")), dir, Path.GetDirectoryName(dir)!, 0);

    /// <summary>Copies a test model into a scratch folder with a rewritten config.json.</summary>
    private static ModelPackage Rewritten(TempDir temp, string sourceId, string config)
    {
        var dir = temp.Combine("pkg");
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(Path.Combine(AiTestFiles.TestModels, sourceId), "*.onnx"))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(dir, "config.json"), config);
        return Package(dir);
    }

    [Fact]
    public void DarktableStyleDenoisePackageWithoutIoUsesTaskDefaults()
    {
        var package = Package(Path.Combine(AiTestFiles.TestModels, "denoise-tiny"));
        Assert.Null(package.Manifest.Io);
        var contract = ModelHost.Validate(package);
        Assert.Equal("input", contract.Io.Inputs["image"]);
        Assert.Equal("output", contract.Io.Outputs["image"]);
        Assert.Equal("planar-rgb", contract.Io.Layout);
        Assert.Equal("srgb", contract.Io.Encoding);
    }

    [Fact]
    public void FourChannelDenoiseIsRejectedNamingModelTensorExpectedAndFound()
    {
        var package = Package(Path.Combine(AiTestFiles.InvalidModels, "denoise-four-channels"));
        var e = Assert.Throws<ModelContractException>(() => ModelHost.Validate(package));
        Assert.Contains("model 'denoise-four-channels'", e.Message);
        Assert.Contains("input tensor 'input'", e.Message);
        Assert.Contains("expected [?,3,?,?]", e.Message);
        Assert.Contains("found [batch,4,height,width] float32", e.Message);
    }

    [Fact]
    public void IoBlockNamingATensorTheModelLacksIsRejected()
    {
        using var temp = new TempDir();
        var package = Rewritten(temp, "denoise-tiny", """
            {"id": "renamed", "task": "denoise", "arch": "nafnet", "io": {"inputs": {"image": "noisy"}}}
            """);
        var e = Assert.Throws<ModelContractException>(() => ModelHost.Validate(package));
        Assert.Contains("input tensor 'noisy'", e.Message);
        Assert.Contains("no input of that name", e.Message);
        Assert.Contains("input", e.Message);
    }

    [Fact]
    public void UnknownTaskIsRejected()
    {
        using var temp = new TempDir();
        var package = Rewritten(temp, "denoise-tiny", """{"id": "odd", "task": "upscale"}""");
        var e = Assert.Throws<ModelContractException>(() => ModelHost.Validate(package));
        Assert.Contains("unknown task \"upscale\"", e.Message);
    }

    [Fact]
    public void DemosaicWithoutCfaOrWithAnRgbLayoutIsRejected()
    {
        using var temp = new TempDir();
        var noCfa = Rewritten(temp, "denoise-tiny", """{"id": "d", "task": "demosaic", "io": {"inputs": {"image": "input"}, "outputs": {"image": "output"}}}""");
        Assert.Contains("io.cfa is missing", Assert.Throws<ModelContractException>(() => ModelHost.Validate(noCfa)).Message);
        File.WriteAllText(Path.Combine(noCfa.Directory, "config.json"),
            """{"id": "d", "task": "demosaic", "io": {"layout": "planar-rgb", "inputs": {"image": "input"}, "outputs": {"image": "output"}}}""");
        Assert.Contains("not a mosaic layout", Assert.Throws<ModelContractException>(() => ModelHost.Validate(Package(noCfa.Directory))).Message);
    }

    [Fact]
    public void Sam2SignatureLoadsValidatesAndRuns()
    {
        var package = Package(Path.Combine(AiTestFiles.TestModels, "mask-tiny-sam2"));
        using var host = new ModelHost(new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: 2));
        var loaded = host.Open(package, new Dictionary<string, long> { ["num_points"] = 2 });
        Assert.Equal(MaskVariant.Sam2, loaded.Contract.Variant);
        Assert.Equal(2, loaded.Networks.Count);
        Assert.Throws<InvalidOperationException>(() => loaded.Network);

        var encoder = loaded.Networks[TaskContract.EncoderFile];
        using var enc = encoder.Bind(encoder.Inputs.Concat(encoder.Outputs).ToDictionary(t => t.Name, t => t.Dims));
        enc["image"].Span.Fill(0.5f);
        enc.Run();
        var decoder = loaded.Networks[TaskContract.DecoderFile];
        var shapes = decoder.Inputs.Concat(decoder.Outputs).ToDictionary(t => t.Name, t => t.Dims.Select(d => d < 0 ? 2 : d).ToArray());
        using var dec = decoder.Bind(shapes);
        foreach (var name in new[] { "image_embed", "high_res_feats_0", "high_res_feats_1" }) enc[name].Span.CopyTo(dec[name].Span);
        float[] clicks = [512, 256, 520, 270]; // two positive clicks near (516, 263) in the 1024 frame
        clicks.CopyTo(dec["point_coords"].Span);
        dec["point_labels"].Span.Fill(1f);
        dec.Run();
        var masks = dec["masks"].Span;
        // The tiny decoder puts a positive blob around the clicks' mean (129, 66 in the 256 grid).
        Assert.True(masks[66 * 256 + 129] > 0, "mask is positive under the clicks");
        Assert.True(masks[250 * 256 + 5] < 0, "mask is negative far from the clicks");
        Assert.Equal(3, dec["iou_predictions"].Length);
    }

    [Fact]
    public void MaskVariantComesFromTheDecoderWhenTheArchDoesNotSay()
    {
        using var temp = new TempDir();
        var package = Rewritten(temp, "mask-tiny-sam2", """{"id": "m", "task": "mask", "arch": "custom-net"}""");
        Assert.Equal(MaskVariant.Sam2, ModelHost.Validate(package).Variant);
        File.WriteAllText(Path.Combine(package.Directory, "config.json"), """{"id": "m", "task": "mask", "arch": "hq-sam"}""");
        var e = Assert.Throws<ModelContractException>(() => ModelHost.Validate(Package(package.Directory)));
        Assert.Contains("image_embeddings", e.Message);
    }

    [Fact]
    public void ContractCheckRejectsAFixedDimensionThatDiffers()
    {
        var manifest = ManifestReader.Parse("""{"id": "x", "task": "denoise"}""", "test");
        var contract = TaskContract.For(manifest);
        var wrong = new ModelSignature(
            [new TensorSpec("input", TensorElement.Float32, "float32", [1, 3, -1, -1], ["", "", "h", "w"])],
            [new TensorSpec("output", TensorElement.Float16, "float16", [1, 1, -1, -1], ["", "", "h", "w"])]);
        var e = Assert.Throws<ModelContractException>(() => contract.Validate(TaskContract.SingleFile, wrong));
        Assert.Contains("output tensor 'output'", e.Message);
        Assert.Contains("found [1,1,h,w] float16", e.Message);
        var intInput = new ModelSignature(
            [new TensorSpec("input", TensorElement.Int64, "int64", [1, 3, -1, -1], ["", "", "h", "w"])],
            [new TensorSpec("output", TensorElement.Float32, "float32", [1, 3, -1, -1], ["", "", "h", "w"])]);
        Assert.Contains("found [1,3,h,w] int64", Assert.Throws<ModelContractException>(() => contract.Validate(TaskContract.SingleFile, intInput)).Message);
    }
}
