using RawEngine.AI.Contracts;
using RawEngine.Engine.Raw;

namespace RawEngine.AI.Registry;

/// <summary>
/// What the image handed to a model looks like, for choosing among models of a task: a CFA mosaic
/// (with its pattern) or RGB.
/// </summary>
public sealed record ModelInputTraits(CfaPattern? Cfa)
{
    public static ModelInputTraits Rgb { get; } = new((CfaPattern?)null);

    public static ModelInputTraits Mosaic(CfaPattern cfa) => new(cfa);

    /// <summary>Whether <paramref name="manifest"/>'s contract can take this input. Any phase of the
    /// model's CFA kind fits (the tiler shifts the phase); a mosaic model needs a mosaic of its kind and
    /// an RGB model needs RGB.</summary>
    public bool Fits(ModelManifest manifest)
    {
        if (manifest.Task == TaskDefaults.Mask) return Cfa is null;
        ModelIo io;
        try { io = TaskDefaults.EffectiveIo(manifest); }
        catch (ModelContractException) { return false; }
        var mosaicModel = io.Layout is "masked-mosaic" or "packed-bayer4";
        if (!mosaicModel) return Cfa is null;
        if (Cfa is null || io.Cfa is null) return false;
        return io.Cfa.Type == (Cfa.Kind == CfaKind.Bayer ? "bayer" : "xtrans");
    }

    public override string ToString() => Cfa is null ? "an RGB image" : Cfa.Kind == CfaKind.Bayer ? "a Bayer mosaic" : "an X-Trans mosaic";
}
