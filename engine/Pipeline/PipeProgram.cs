using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;

namespace RawEngine.Engine.Pipeline;

/// <summary>
/// One module instance placed in a pipe, committed, with what flows in and out of it; <see cref="Mask"/> is
/// the mask group its blend names, if any.
/// </summary>
public sealed record PipeNode(
    string Instance,
    IImageOperation Operation,
    ICommittedOperation Committed,
    BufferFormat InputFormat,
    ImageSize InputSize,
    BufferFormat OutputFormat,
    ImageSize OutputSize,
    BlendParams? Blend,
    MaskGroup? Mask,
    ChainKey Key);

/// <summary>
/// A pipe built from an edit for one image: the raw source and the enabled module instances in
/// order, each committed, with formats, sizes and cache keys. Immutable; render it any number of
/// times, from any number of threads.
/// </summary>
public sealed record PipeProgram(RawSource Source, PipeKind Kind, ChainKey SourceKey, IReadOnlyList<PipeNode> Nodes)
{
    /// <summary>The size of the finished image at scale 1.</summary>
    public ImageSize OutputSize => Nodes.Count == 0 ? Source.Size : Nodes[^1].OutputSize;

    public BufferFormat OutputFormat => Nodes.Count == 0 ? Source.Format : Nodes[^1].OutputFormat;
}
