using RawEngine.Engine.Raw;
namespace RawEngine.Engine.Pipeline;

[Flags]
public enum OperationFlags
{
    None = 0,
    /// <summary>The pipe may run the module on tiles when its memory need exceeds the budget.</summary>
    TilingAllowed = 1,
    /// <summary>The module's output may be blended with its input (opacity, blend mode, masks).</summary>
    SupportsBlending = 2,
    /// <summary>The module needs its whole input image whatever region is asked of it (e.g. global statistics); never tiled.</summary>
    NeedsFullRoi = 4,
    /// <summary>The module moves pixels (crop, flip, resize): masks must be mapped through it.</summary>
    Geometric = 8,
    /// <summary>The pipe runs the module with default params when an edit does not mention it.</summary>
    EnabledByDefault = 16,
    /// <summary>
    /// Pointwise, same region and channels in and out: <c>Process</c> may be handed one buffer as both
    /// input and output, which the pipe does when nothing else holds the input (no cache entry, no blend).
    /// </summary>
    InPlace = 32,
}

/// <summary>
/// What a module needs to be tiled, as data. Memory for a region is
/// <c>MemoryFactor * max(input bytes, output bytes) + OverheadBytes</c>; a factor of 2 means the
/// input and output tile only, more means temporaries of the same size. <see cref="Overlap"/> is the
/// halo per side in pixels (the default <c>ModifyRoiIn</c> grows the output region by it);
/// <see cref="Alignment"/> is the grid tile corners snap to (the pipe also snaps to the CFA period).
/// </summary>
public sealed record TilingNeeds(double MemoryFactor = 2.0, long OverheadBytes = 0, int Overlap = 0, int Alignment = 1)
{
    public static TilingNeeds Pointwise { get; } = new();

    public long BytesFor(long inputBytes, long outputBytes) =>
        (long)Math.Ceiling(MemoryFactor * Math.Max(inputBytes, outputBytes)) + OverheadBytes;
}

/// <summary>
/// A module's identity: stable <see cref="Id"/> (snake_case, used in edits and the CLI), the version
/// of its params, a display name, flags, the input formats it accepts and its tiling needs.
/// </summary>
public sealed record OperationInfo(string Id, int ParamsVersion, string DisplayName, OperationFlags Flags, FormatFilter Accepts, TilingNeeds Tiling)
{
    /// <summary>Modules that do this one's job another way: when this module is enabled they step aside
    /// (demosaic_nn replaces demosaic), even if enabled by default or in the edit.</summary>
    public IReadOnlyList<string> Replaces { get; init; } = [];

    /// <summary>For a module on by default: whether it has anything to do for an image (a DNG's opcode list);
    /// where not, it steps aside as where it does not accept the format. Null: every image.</summary>
    public Func<RawImage, bool>? AppliesTo { get; init; }

    public bool Has(OperationFlags flag) => (Flags & flag) == flag;
}

/// <summary>What a pipe is for: it reaches modules at commit, so they can pick quality against speed.</summary>
public enum PipeKind
{
    /// <summary>Full quality, scale 1 up to the final resize.</summary>
    Export,
    /// <summary>A viewer's region at a zoom.</summary>
    Full,
    /// <summary>The whole image, small; modules may downscale early.</summary>
    Preview,
}
