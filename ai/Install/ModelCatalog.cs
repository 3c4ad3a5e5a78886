using System.Text.Json;
using RawEngine.AI.Registry;

namespace RawEngine.AI.Install;

/// <summary>
/// One package a catalog knows: the model id, its SHA-256, and where it is: <see cref="Path"/> for a
/// package shipped beside the catalog (a model folder or an archive), <see cref="Url"/> for a download,
/// or only a <see cref="File"/> name, so that a local archive of that name is checked against the digest.
/// </summary>
public sealed record CatalogEntry(string Id, string? Url, string Sha256, string? File)
{
    public string? Task { get; init; }
    public string? Description { get; init; }

    /// <summary>Bytes of the package (a folder's files together, or the archive).</summary>
    public long? Size { get; init; }

    public string? License { get; init; }

    /// <summary>The shipped package's full path, resolved against the catalog's folder.</summary>
    public string? Path { get; init; }

    /// <summary>The manifest of a shipped model folder, read when asked (null for archives and downloads,
    /// or when it cannot be read): it says which inputs the model takes before it is installed.</summary>
    public ModelManifest? ShippedManifest()
    {
        var config = Path is null ? null : System.IO.Path.Combine(Path, ModelManifest.FileName);
        if (config is null || !System.IO.File.Exists(config)) return null;
        try { return ManifestReader.Read(config); }
        catch (ModelManifestException) { return null; }
    }
}

/// <summary>
/// The models a catalog offers (<c>models/catalog.json</c> in the repository):
/// <c>{"models": [{"id", "task", "description", "size", "sha256", "license", "path" | "url"}]}</c>; a
/// <c>path</c> is relative to the catalog's folder and may not leave it. A folder package's SHA-256 is that
/// of its <c>sha256sum</c> listing (see <see cref="Digest.OfFolder"/>).
/// </summary>
public sealed class ModelCatalog(IReadOnlyList<CatalogEntry> entries)
{
    /// <summary>Where the repository keeps its catalog, relative to the repository's root.</summary>
    public static readonly string ShippedRelativePath = System.IO.Path.Combine("models", "catalog.json");

    public IReadOnlyList<CatalogEntry> Entries { get; } = entries;

    /// <summary>The packages shipped beside the catalog (what <c>models install --all</c> installs).</summary>
    public IEnumerable<CatalogEntry> Shipped => Entries.Where(e => e.Path is not null);

    /// <summary>The catalog of the repository this program was built in: the first <c>models/catalog.json</c>
    /// in <paramref name="start"/> or a folder above it; null when there is none (an application embedding the
    /// engine). <c>./rawengine</c> and the tests run from build folders inside the repository.</summary>
    public static string? FindShipped(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, ShippedRelativePath);
            if (System.IO.File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static ModelCatalog Load(string path)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllText(path));
            if (!document.RootElement.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
                throw new ModelManifestException(path, "$.models: expected an array");
            var entries = new List<CatalogEntry>();
            var i = 0;
            foreach (var m in models.EnumerateArray())
            {
                string? Field(string name, bool required)
                {
                    if (m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String) return v.GetString();
                    return required ? throw new ModelManifestException(path, $"$.models[{i}].{name}: expected a string") : null;
                }
                var sha = Field("sha256", true)!;
                if (!Digest.IsSha256(sha)) throw new ModelManifestException(path, $"$.models[{i}].sha256: \"{sha}\" is not 64 hex digits");
                entries.Add(new CatalogEntry(Field("id", true)!, Field("url", false), sha.ToLowerInvariant(), Field("file", false))
                {
                    Task = Field("task", false),
                    Description = Field("description", false),
                    Size = m.TryGetProperty("size", out var size) && size.TryGetInt64(out var bytes) ? bytes : null,
                    License = Field("license", false),
                    Path = Field("path", false) is { } relative ? Inside(path, folder, relative, i) : null,
                });
                i++;
            }
            return new ModelCatalog(entries);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new ModelManifestException(path, $"cannot read catalog: {e.Message}", e);
        }
    }

    public CatalogEntry? ById(string id) => Entries.FirstOrDefault(e => e.Id == id);

    /// <summary>The entry for a URL, or for a local archive by its file name.</summary>
    public CatalogEntry? BySource(string source) =>
        Entries.FirstOrDefault(e => e.Url is not null && e.Url == source)
        ?? Entries.FirstOrDefault(e => e.File is not null && e.File == System.IO.Path.GetFileName(source));

    /// <summary>
    /// What to install for <paramref name="task"/> when no installed model serves <paramref name="input"/>:
    /// the entries of that task not in <paramref name="installed"/> whose shipped manifest takes the input
    /// (downloads are taken on trust), narrowed to those marked default when any is.
    /// </summary>
    public IReadOnlyList<CatalogEntry> Offers(string task, ModelInputTraits? input, IEnumerable<string> installed)
    {
        var have = installed.ToHashSet();
        var fitting = Entries
            .Where(e => e.Task == task && !have.Contains(e.Id))
            .Select(e => (Entry: e, Manifest: e.ShippedManifest()))
            .Where(x => input is null || x.Manifest is null || input.Fits(x.Manifest))
            .ToList();
        var defaults = fitting.Where(x => x.Manifest?.IsDefault == true).ToList();
        return [.. (defaults.Count > 0 ? defaults : fitting).Select(x => x.Entry)];
    }

    private static string Inside(string catalog, string folder, string relative, int index)
    {
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, relative));
        if (System.IO.Path.IsPathRooted(relative) || !full.StartsWith(folder + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ModelManifestException(catalog, $"$.models[{index}].path: \"{relative}\" is not a path inside the catalog's folder");
        return full;
    }
}
