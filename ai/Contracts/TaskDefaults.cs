using RawEngine.AI.Registry;
using RawEngine.Engine;

namespace RawEngine.AI.Contracts;

/// <summary>
/// What a package means when its manifest leaves something out: darktable-ai packages carry no
/// <c>io</c> block, so their tensor names and encodings come from the task (and, for masks, the arch).
/// The manifest's own <c>io</c> entries always win.
/// </summary>
public static class TaskDefaults
{
    public const string Denoise = "denoise";
    public const string Demosaic = "demosaic";
    public const string Mask = "mask";

    public static IReadOnlyList<string> KnownTasks { get; } = [Denoise, Demosaic, Mask];

    /// <summary>The manifest's io block completed with the task's defaults.</summary>
    public static ModelIo EffectiveIo(ModelManifest manifest, MaskVariant? variant = null)
    {
        var io = manifest.Io;
        var (inputs, outputs, layout) = manifest.Task switch
        {
            Denoise => (Names(("image", "input")), Names(("image", "output")), "planar-rgb"),
            Demosaic => (Names(("image", "mosaic")), Names(("image", "rgb")), "masked-mosaic"),
            Mask => MaskNames(variant ?? MaskVariantOf(manifest.Arch) ?? MaskVariant.Sam2),
            _ => throw UnknownTask(manifest),
        };
        if (io is not null)
        {
            foreach (var (role, name) in io.Inputs) inputs[role] = name;
            foreach (var (role, name) in io.Outputs) outputs[role] = name;
        }
        return new ModelIo(inputs, outputs, io?.Layout ?? layout, io?.Encoding ?? "srgb",
            io?.RangeMin ?? 0f, io?.RangeMax ?? 1f, io?.WhiteBalance ?? "applied", io?.Cfa, io?.Tile,
            io?.FixedDims ?? new Dictionary<string, long>());
    }

    /// <summary>
    /// The tile ladder for a package whose manifest has no <c>io.tile</c>: NAFNet-style denoisers halve
    /// four times (sides a multiple of 16) and see about 32 px around a pixel; demosaic models keep the
    /// CFA period as their alignment.
    /// </summary>
    public static TileSpec DefaultTile(string task, Engine.Raw.CfaPattern? cfa = null) => task switch
    {
        Demosaic => new TileSpec([512, 384, 256], 32, cfa?.Width ?? 2),
        _ => new TileSpec([1024, 768, 512, 256], 32, 16),
    };

    /// <summary>The SAM decoder signature the arch names, or null when the arch does not say.</summary>
    public static MaskVariant? MaskVariantOf(string arch)
    {
        var a = arch.ToLowerInvariant().Replace("_", "-");
        if (a.StartsWith("sam2", StringComparison.Ordinal) || a.StartsWith("sam-2", StringComparison.Ordinal)) return MaskVariant.Sam2;
        if (a is "sam" or "sam1" or "hq-sam" or "hqsam" or "light-hq-sam" or "mobilesam" or "mobile-sam" or "efficientsam") return MaskVariant.Sam1;
        return null;
    }

    public static ModelContractException UnknownTask(ModelManifest manifest) =>
        new(manifest.Id, $"unknown task \"{manifest.Task}\" (known: {string.Join(", ", KnownTasks)})");

    private static (Dictionary<string, string>, Dictionary<string, string>, string) MaskNames(MaskVariant variant) => variant switch
    {
        MaskVariant.Sam2 => (
            Names(("image", "image"), ("image_embed", "image_embed"), ("high_res_feats_0", "high_res_feats_0"), ("high_res_feats_1", "high_res_feats_1"),
                ("point_coords", "point_coords"), ("point_labels", "point_labels"), ("mask_input", "mask_input"), ("has_mask_input", "has_mask_input")),
            Names(("high_res_feats_0", "high_res_feats_0"), ("high_res_feats_1", "high_res_feats_1"), ("image_embed", "image_embed"),
                ("masks", "masks"), ("iou_predictions", "iou_predictions")),
            "planar-rgb"),
        _ => (
            Names(("image", "image"), ("image_embeddings", "image_embeddings"), ("point_coords", "point_coords"), ("point_labels", "point_labels"),
                ("mask_input", "mask_input"), ("has_mask_input", "has_mask_input"), ("orig_im_size", "orig_im_size")),
            Names(("image_embeddings", "image_embeddings"), ("masks", "masks"), ("iou_predictions", "iou_predictions"), ("low_res_masks", "low_res_masks")),
            "planar-rgb"),
    };

    private static Dictionary<string, string> Names(params (string Role, string Name)[] pairs) =>
        pairs.ToDictionary(p => p.Role, p => p.Name, StringComparer.Ordinal);
}

/// <summary>The two SAM decoder signatures: SAM 2.1 (darktable-ai export) and SAM 1 / HQ-SAM.</summary>
public enum MaskVariant { Sam2, Sam1 }

/// <summary>A model whose manifest or real tensors do not fit its task's contract: the subject is the model's
/// id, <see cref="Tensor"/> the network input or output at fault (when one is), the reason what was expected and found.</summary>
public sealed class ModelContractException(string modelId, string reason, string? tensor = null)
    : RawEngineException(ErrorSubjectKind.Model, modelId, reason)
{
    public string? Tensor { get; } = tensor;
}
