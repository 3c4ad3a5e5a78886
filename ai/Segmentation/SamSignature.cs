using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;

namespace RawEngine.AI.Segmentation;

/// <summary>
/// Which SAM decoder a package holds, told by its input names: SAM 2.1 (darktable-ai: <c>image_embed</c>,
/// <c>high_res_feats_0/1</c>, no <c>orig_im_size</c>; appends its own padding point) or SAM 1 / HQ-SAM
/// (segment-anything: <c>image_embeddings</c>, <c>orig_im_size</c>, <c>low_res_masks</c> out; the caller
/// pads the points). Tensor names go through the package's io block (role -> name).
/// </summary>
internal sealed class SamSignature
{
    private static readonly string[] Sam2Roles = ["image_embed", "high_res_feats_0", "high_res_feats_1"];
    private static readonly string[] PromptRoles = ["point_coords", "point_labels", "mask_input", "has_mask_input"];

    private readonly Func<string, string> _name;

    private SamSignature(MaskVariant variant, Func<string, string> name, string masksName, string iouName, int maskCount)
    {
        Variant = variant;
        _name = name;
        Masks = masksName;
        Iou = iouName;
        MaskCount = maskCount;
    }

    public MaskVariant Variant { get; }

    /// <summary>The decoder output holding the 256x256 low-resolution logits (SAM 2.1: <c>masks</c>; SAM 1: <c>low_res_masks</c>).</summary>
    public string Masks { get; }

    public string Iou { get; }

    /// <summary>How many masks one decode returns.</summary>
    public int MaskCount { get; }

    public string this[string role] => _name(role);

    /// <summary>
    /// Matches <paramref name="decoder"/> to a signature; a decoder that fits neither is refused with a
    /// message naming the model and the inputs it has.
    /// </summary>
    public static SamSignature Match(string modelId, OnnxModel decoder, IReadOnlyDictionary<string, string>? names, int? declaredMaskCount)
    {
        string Name(string role) => names is not null && names.TryGetValue(role, out var n) ? n : role;
        bool HasInput(string role) => decoder.Inputs.Any(t => t.Name == Name(role));
        bool HasOutput(string role) => decoder.Outputs.Any(t => t.Name == Name(role));

        var prompts = PromptRoles.All(HasInput) && HasOutput("iou_predictions");
        if (prompts && Sam2Roles.All(HasInput) && !HasInput("orig_im_size") && HasOutput("masks"))
            return new(MaskVariant.Sam2, Name, Name("masks"), Name("iou_predictions"), CountMasks(decoder, Name("masks"), modelId, declaredMaskCount));
        if (prompts && HasInput("image_embeddings") && HasInput("orig_im_size") && HasOutput("low_res_masks") && HasOutput("masks"))
            return new(MaskVariant.Sam1, Name, Name("low_res_masks"), Name("iou_predictions"), CountMasks(decoder, Name("low_res_masks"), modelId, declaredMaskCount));
        throw new ModelContractException(modelId,
            $"the decoder's tensors (inputs {string.Join(", ", decoder.Inputs.Select(t => t.Name))}; outputs {string.Join(", ", decoder.Outputs.Select(t => t.Name))}) " +
            "match neither SAM decoder signature: SAM 2.1 takes image_embed, high_res_feats_0, high_res_feats_1, point_coords, point_labels, mask_input, has_mask_input " +
            "and gives masks, iou_predictions; SAM 1 takes image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size " +
            "and gives masks, iou_predictions, low_res_masks");
    }

    /// <summary>The decoder's inputs fed from the encoder (every input that is not a prompt).</summary>
    public IEnumerable<TensorSpec> EmbeddingInputs(OnnxModel decoder) =>
        decoder.Inputs.Where(t => !PromptRoles.Any(r => this[r] == t.Name) && t.Name != this["orig_im_size"]);

    /// <summary>The mask count of the low-res output, from its shape or (when the model leaves it free) the manifest.</summary>
    private static int CountMasks(OnnxModel decoder, string output, string modelId, int? declared)
    {
        var dims = decoder.Output(output).Dims;
        if (dims.Length == 4 && dims[1] > 0) return (int)dims[1];
        return declared is > 0 ? declared.Value
            : throw new ModelContractException(modelId, $"the decoder's '{output}' {decoder.Output(output).Describe()} leaves the mask count free; declare it as attributes.multimask_outputs in config.json");
    }
}
