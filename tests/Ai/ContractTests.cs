using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Ai;

public class ContractTests
{
    private static ModelPackage Package(string dir) =>
        new(ManifestReader.Read(Path.Combine(dir, "config.json")), dir, Path.GetDirectoryName(dir)!, 0);

    /// <summary>Copies a test model into a scratch folder with a rewritten config.json.</summary>
    private static ModelPackage Rewritten(TempFolder temp, string sourceId, string config)
    {
        var dir = temp.File("pkg");
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
        using var temp = new TempFolder();
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
        using var temp = new TempFolder();
        var package = Rewritten(temp, "denoise-tiny", """{"id": "odd", "task": "upscale"}""");
        var e = Assert.Throws<ModelContractException>(() => ModelHost.Validate(package));
        Assert.Contains("unknown task \"upscale\"", e.Message);
    }

    [Fact]
    public void DemosaicWithoutCfaOrWithAnRgbLayoutIsRejected()
    {
        using var temp = new TempFolder();
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
    public void Sam1SignatureLoadsValidatesAndRunsAtTheOriginalImageSize()
    {
        var package = Package(Path.Combine(AiTestFiles.TestModels, "mask-tiny-sam1"));
        using var host = new ModelHost(new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: 2));
        var loaded = host.Open(package, new Dictionary<string, long> { ["num_points"] = 2 });
        Assert.Equal(MaskVariant.Sam1, loaded.Contract.Variant);
        var encoder = loaded.Networks[TaskContract.EncoderFile];
        using var enc = encoder.Bind(encoder.Inputs.Concat(encoder.Outputs).ToDictionary(t => t.Name, t => t.Dims));
        enc["image"].Span.Fill(0.25f);
        enc.Run();

        var decoder = loaded.Networks[TaskContract.DecoderFile];
        using var dec = decoder.Bind(new Dictionary<string, long[]>
        {
            ["image_embeddings"] = [1, 256, 64, 64], ["point_coords"] = [1, 2, 2], ["point_labels"] = [1, 2],
            ["mask_input"] = [1, 1, 256, 256], ["has_mask_input"] = [1], ["orig_im_size"] = [2],
            ["masks"] = [1, 1, 480, 640], ["iou_predictions"] = [1, 1], ["low_res_masks"] = [1, 1, 256, 256],
        });
        enc["image_embeddings"].Span.CopyTo(dec["image_embeddings"].Span);
        float[] points = [512, 256, 0, 0]; // one click, then SAM 1's padding point (0,0) labelled -1
        points.CopyTo(dec["point_coords"].Span);
        float[] labels = [1, -1];
        labels.CopyTo(dec["point_labels"].Span);
        float[] size = [480, 640];
        size.CopyTo(dec["orig_im_size"].Span);
        dec.Run();
        Assert.True(dec["low_res_masks"].Span[64 * 256 + 128] > 0, "low-res logits positive under the click");
        Assert.True(dec["masks"].Span[120 * 640 + 320] > 0, "full-size mask positive under the click");
        Assert.True(dec["masks"].Span[470 * 640 + 10] < 0, "full-size mask negative far away");
    }

    [Fact]
    public void MaskVariantComesFromTheDecoderWhenTheArchDoesNotSay()
    {
        using var temp = new TempFolder();
        var package = Rewritten(temp, "mask-tiny-sam2", """{"id": "m", "task": "mask", "arch": "custom-net"}""");
        Assert.Equal(MaskVariant.Sam2, ModelHost.Validate(package).Variant);
        using var temp1 = new TempFolder();
        Assert.Equal(MaskVariant.Sam1, ModelHost.Validate(Rewritten(temp1, "mask-tiny-sam1", """{"id": "m1", "task": "mask", "arch": "custom-net"}""")).Variant);
        File.WriteAllText(Path.Combine(package.Directory, "config.json"), """{"id": "m", "task": "mask", "arch": "hq-sam"}""");
        var e = Assert.Throws<ModelContractException>(() => ModelHost.Validate(Package(package.Directory)));
        Assert.Contains("image_embeddings", e.Message);
    }

    [Fact]
    public void IoFixedDimsAreAppliedWhenThePackageOpensAndTheCallCanOverrideThem()
    {
        using var temp = new TempFolder();
        var package = Rewritten(temp, "mask-tiny-sam2", """{"id": "m", "task": "mask", "arch": "sam2", "io": {"fixed_dims": {"num_points": 3}}}""");
        using var host = new ModelHost(InferenceSettings.Cpu);
        var decoder = host.Open(package).Networks[TaskContract.DecoderFile];
        Assert.Equal(3, decoder.FixedDims["num_points"]);
        Assert.Equal(3, decoder.Input("point_coords").Dims[1]); // ONNX Runtime reports the fixed size
        var shapes = decoder.Inputs.Concat(decoder.Outputs).ToDictionary(t => t.Name, t => t.Dims.ToArray());
        shapes["point_coords"] = [1, 2, 2];
        shapes["point_labels"] = [1, 2];
        Assert.Contains("'point_coords'", Assert.Throws<ArgumentException>(() => decoder.Bind(shapes)).Message);
        var two = host.Open(package, new Dictionary<string, long> { ["num_points"] = 2 }).Networks[TaskContract.DecoderFile];
        Assert.NotSame(decoder, two);
        using var binding = two.Bind(shapes);
        binding.Run();
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
