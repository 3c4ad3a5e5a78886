using RawEngine.AI.Backend;
using RawEngine.AI.Registry;

namespace RawEngine.AI.Contracts;

/// <summary>One tensor a task needs: in which file, which way, its role and name, and its dimensions
/// (a null dimension takes any size; null <paramref name="Dims"/> any shape). An optional tensor may be
/// absent (HQ-SAM's <c>interm_embeddings</c>).</summary>
public sealed record TensorContract(string File, bool IsInput, string Role, string Name, long?[]? Dims, bool Optional = false)
{
    public string Describe() => Dims is null ? "any float32|float16" : $"[{string.Join(",", Dims.Select(d => d?.ToString() ?? "?"))}] float32|float16";
}

/// <summary>A real model's tensors, as its session reports them.</summary>
public sealed record ModelSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs)
{
    public static ModelSignature Of(OnnxModel model) => new(model.Inputs, model.Outputs);
}

/// <summary>
/// What a task's network must look like: its files and tensors, built from the task, the arch and the
/// effective io block. <see cref="Validate"/> checks real signatures against it.
/// </summary>
public sealed class TaskContract
{
    public const string SingleFile = "model.onnx";
    public const string EncoderFile = "encoder.onnx";
    public const string DecoderFile = "decoder.onnx";

    private TaskContract(ModelManifest manifest, ModelIo io, MaskVariant? variant, IReadOnlyList<string> files, IReadOnlyList<TensorContract> tensors)
    {
        Manifest = manifest;
        Io = io;
        Variant = variant;
        Files = files;
        Tensors = tensors;
    }

    public ModelManifest Manifest { get; }
    public ModelIo Io { get; }
    public MaskVariant? Variant { get; }
    public IReadOnlyList<string> Files { get; }
    public IReadOnlyList<TensorContract> Tensors { get; }

    /// <summary>The ONNX files a task's package holds, before any signature is known.</summary>
    public static IReadOnlyList<string> FilesOf(ModelManifest manifest) => manifest.Task switch
    {
        TaskDefaults.Denoise or TaskDefaults.Demosaic => [SingleFile],
        TaskDefaults.Mask => [EncoderFile, DecoderFile],
        _ => throw TaskDefaults.UnknownTask(manifest),
    };

    /// <summary>
    /// The contract for <paramref name="manifest"/>. For masks the SAM variant comes from the arch or,
    /// when the arch does not say, from the decoder's input names (SAM 1 takes <c>orig_im_size</c>).
    /// </summary>
    public static TaskContract For(ModelManifest manifest, ModelSignature? decoder = null)
    {
        MaskVariant? variant = null;
        if (manifest.Task == TaskDefaults.Mask)
            variant = TaskDefaults.MaskVariantOf(manifest.Arch)
                ?? (decoder is not null && decoder.Inputs.Any(t => t.Name == "orig_im_size") ? MaskVariant.Sam1 : MaskVariant.Sam2);
        var io = TaskDefaults.EffectiveIo(manifest, variant);
        var tensors = manifest.Task switch
        {
            TaskDefaults.Denoise => ImageToImage(manifest, io, outputsSameLayout: true),
            TaskDefaults.Demosaic => ImageToImage(manifest, io, outputsSameLayout: false),
            TaskDefaults.Mask => variant == MaskVariant.Sam1 ? Sam1(io) : Sam2(io),
            _ => throw TaskDefaults.UnknownTask(manifest),
        };
        return new TaskContract(manifest, io, variant, FilesOf(manifest), tensors);
    }

    /// <summary>Checks every file's real tensors; throws <see cref="ModelContractException"/> at the first misfit.</summary>
    public void Validate(string file, ModelSignature signature)
    {
        var expected = Tensors.Where(t => t.File == file).ToArray();
        if (expected.Length == 0) throw new ModelContractException(Manifest.Id, $"{file} is not part of a {Manifest.Task} package");
        foreach (var want in expected)
        {
            var side = want.IsInput ? signature.Inputs : signature.Outputs;
            var direction = want.IsInput ? "input" : "output";
            var found = side.FirstOrDefault(t => t.Name == want.Name);
            if (found is null && want.Optional) continue;
            found = found ?? throw Misfit(want, $"no {direction} of that name (the model's {direction}s: {string.Join(", ", side.Select(t => t.Name))})");
            if (!found.IsFloat || (want.Dims is not null && found.Rank != want.Dims.Length))
                throw Misfit(want, found.Describe());
            if (want.Dims is null) continue;
            for (var i = 0; i < want.Dims.Length; i++)
                if (want.Dims[i] is { } size && found.Dims[i] >= 0 && found.Dims[i] != size)
                    throw Misfit(want, found.Describe());
        }
        foreach (var input in signature.Inputs)
            if (!expected.Any(t => t.IsInput && t.Name == input.Name))
                throw new ModelContractException(Manifest.Id,
                    $"{file}: input tensor '{input.Name}' {input.Describe()} is not part of the {Manifest.Task} contract, so nothing would feed it", input.Name);
    }

    private ModelContractException Misfit(TensorContract want, string found) =>
        new(Manifest.Id, $"{want.File}: {(want.IsInput ? "input" : "output")} tensor '{want.Name}' (role {want.Role}): expected {want.Describe()}, found {found}", want.Name);

    private static TensorContract[] ImageToImage(ModelManifest manifest, ModelIo io, bool outputsSameLayout)
    {
        var layout = io.Layout!;
        var mosaic = layout is "masked-mosaic" or "packed-bayer4";
        if (manifest.Task == TaskDefaults.Demosaic && !mosaic)
            throw new ModelContractException(manifest.Id, "io.layout \"{layout}\" is not a mosaic layout; a demosaic model takes masked-mosaic or packed-bayer4");
        if (mosaic && io.Cfa is null)
            throw new ModelContractException(manifest.Id, $"io.cfa is missing; a {layout} model must say which CFA pattern it expects");
        if (layout == "packed-bayer4" && io.Cfa!.Type != "bayer")
            throw new ModelContractException(manifest.Id, $"io.layout packed-bayer4 needs a bayer io.cfa, not {io.Cfa.Type}");
        long inChannels = layout == "packed-bayer4" ? 4 : 3;
        long outChannels = outputsSameLayout ? inChannels : 3;
        return
        [
            new(SingleFile, true, "image", Name(manifest, io.Inputs, "image", true), [null, inChannels, null, null]),
            new(SingleFile, false, "image", Name(manifest, io.Outputs, "image", false), [null, outChannels, null, null]),
        ];
    }

    private static TensorContract[] Sam2(ModelIo io) =>
    [
        new(EncoderFile, true, "image", io.Inputs["image"], [1, 3, 1024, 1024]),
        new(EncoderFile, false, "high_res_feats_0", io.Outputs["high_res_feats_0"], [1, 32, 256, 256]),
        new(EncoderFile, false, "high_res_feats_1", io.Outputs["high_res_feats_1"], [1, 64, 128, 128]),
        new(EncoderFile, false, "image_embed", io.Outputs["image_embed"], [1, 256, 64, 64]),
        new(DecoderFile, true, "image_embed", io.Inputs["image_embed"], [1, 256, 64, 64]),
        new(DecoderFile, true, "high_res_feats_0", io.Inputs["high_res_feats_0"], [1, 32, 256, 256]),
        new(DecoderFile, true, "high_res_feats_1", io.Inputs["high_res_feats_1"], [1, 64, 128, 128]),
        new(DecoderFile, true, "point_coords", io.Inputs["point_coords"], [1, null, 2]),
        new(DecoderFile, true, "point_labels", io.Inputs["point_labels"], [1, null]),
        new(DecoderFile, true, "mask_input", io.Inputs["mask_input"], [1, 1, 256, 256]),
        new(DecoderFile, true, "has_mask_input", io.Inputs["has_mask_input"], [1]),
        new(DecoderFile, false, "masks", io.Outputs["masks"], [1, null, 256, 256]),
        new(DecoderFile, false, "iou_predictions", io.Outputs["iou_predictions"], [1, null]),
    ];

    private static TensorContract[] Sam1(ModelIo io) =>
    [
        new(EncoderFile, true, "image", io.Inputs["image"], [1, 3, 1024, 1024]),
        new(EncoderFile, false, "image_embeddings", io.Outputs["image_embeddings"], [1, 256, 64, 64]),
        new(EncoderFile, false, "interm_embeddings", "interm_embeddings", null, Optional: true),
        new(DecoderFile, true, "image_embeddings", io.Inputs["image_embeddings"], [1, 256, 64, 64]),
        new(DecoderFile, true, "interm_embeddings", "interm_embeddings", null, Optional: true),
        new(DecoderFile, true, "point_coords", io.Inputs["point_coords"], [1, null, 2]),
        new(DecoderFile, true, "point_labels", io.Inputs["point_labels"], [1, null]),
        new(DecoderFile, true, "mask_input", io.Inputs["mask_input"], [1, 1, 256, 256]),
        new(DecoderFile, true, "has_mask_input", io.Inputs["has_mask_input"], [1]),
        new(DecoderFile, true, "orig_im_size", io.Inputs["orig_im_size"], [2]),
        new(DecoderFile, false, "masks", io.Outputs["masks"], [1, null, null, null]),
        new(DecoderFile, false, "iou_predictions", io.Outputs["iou_predictions"], [1, null]),
        new(DecoderFile, false, "low_res_masks", io.Outputs["low_res_masks"], [1, null, 256, 256]),
    ];

    private static string Name(ModelManifest manifest, IReadOnlyDictionary<string, string> map, string role, bool input) =>
        map.TryGetValue(role, out var name) ? name
            : throw new ModelContractException(manifest.Id, $"io.{(input ? "inputs" : "outputs")}.{role} is missing");
}
