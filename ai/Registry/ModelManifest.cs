using System.Text.Json;
using RawEngine.Engine;

namespace RawEngine.AI.Registry;

/// <summary>
/// A model package's <c>config.json</c>: the darktable-ai fields plus RawEngine's optional
/// <see cref="Io"/> block and <see cref="IsDefault"/> flag.
/// </summary>
public sealed record ModelManifest(
    string Id,
    string Name,
    string Description,
    string Task,
    string Arch,
    string Backend,
    string Version,
    bool Tiling,
    JsonElement? ModelCard,
    JsonElement? Attributes,
    bool IsDefault,
    ModelIo? Io)
{
    public const string FileName = "config.json";
}

/// <summary>The <c>io</c> block: how the engine feeds the network and reads it back.</summary>
/// <param name="Inputs">Role ("image") -> tensor name.</param>
/// <param name="Outputs">Role -> tensor name.</param>
/// <param name="Layout">masked-mosaic | planar-rgb | packed-bayer4.</param>
/// <param name="Encoding">srgb | linear: what the network sees.</param>
/// <param name="WhiteBalance">applied | none: white balance on the CFA before the network.</param>
/// <param name="FixedDims">Symbolic dimension name -> size, fixed when the model loads.</param>
public sealed record ModelIo(
    IReadOnlyDictionary<string, string> Inputs,
    IReadOnlyDictionary<string, string> Outputs,
    string? Layout,
    string? Encoding,
    float RangeMin,
    float RangeMax,
    string? WhiteBalance,
    CfaSpec? Cfa,
    TileSpec? Tile,
    IReadOnlyDictionary<string, long> FixedDims);

/// <summary>The CFA a mosaic model expects at its tensor's top-left: "bayer" (2 rows) or "xtrans" (6 rows).</summary>
public sealed record CfaSpec(string Type, IReadOnlyList<string> Pattern);

/// <summary>Tile ladder (largest first), halo per side and alignment, all in pixels.</summary>
public sealed record TileSpec(IReadOnlyList<int> Sizes, int Overlap, int Align);

/// <summary>A <c>config.json</c> (or catalog, or active-model file) that does not parse or misses a field: the
/// subject is the file, the reason starts with the JSON path.</summary>
public sealed class ModelManifestException(string file, string reason, Exception? inner = null)
    : RawEngineException(ErrorSubjectKind.File, file, reason, inner);
