using System.Text.Json;
using RawEngine.AI.Registry;

namespace RawEngine.AI.Install;

/// <summary>One archive a catalog knows: the model id, where to fetch it, its SHA-256, and
/// optionally its file name (so a local copy of it is verified too).</summary>
public sealed record CatalogEntry(string Id, string? Url, string Sha256, string? File);

/// <summary>
/// A list of known model archives with their digests:
/// <c>{"models": [{"id": "...", "url": "https://...", "sha256": "...", "file": "x.dtmodel"}]}</c>.
/// </summary>
public sealed class ModelCatalog(IReadOnlyList<CatalogEntry> entries)
{
    public IReadOnlyList<CatalogEntry> Entries { get; } = entries;

    public static ModelCatalog Load(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllText(path));
            if (!document.RootElement.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
                throw new ModelManifestException($"{path}: $.models: expected an array");
            var entries = new List<CatalogEntry>();
            var i = 0;
            foreach (var m in models.EnumerateArray())
            {
                string? Field(string name, bool required)
                {
                    if (m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String) return v.GetString();
                    return required ? throw new ModelManifestException($"{path}: $.models[{i}].{name}: expected a string") : null;
                }
                var sha = Field("sha256", true)!;
                if (!Digest.IsSha256(sha)) throw new ModelManifestException($"{path}: $.models[{i}].sha256: \"{sha}\" is not 64 hex digits");
                entries.Add(new CatalogEntry(Field("id", true)!, Field("url", false), sha.ToLowerInvariant(), Field("file", false)));
                i++;
            }
            return new ModelCatalog(entries);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new ModelManifestException($"{path}: cannot read catalog: {e.Message}", e);
        }
    }

    public CatalogEntry? ById(string id) => Entries.FirstOrDefault(e => e.Id == id);

    /// <summary>The entry for a URL, or for a local archive by its file name.</summary>
    public CatalogEntry? BySource(string source) =>
        Entries.FirstOrDefault(e => e.Url == source)
        ?? Entries.FirstOrDefault(e => e.File is not null && e.File == Path.GetFileName(source));
}
