namespace RawEngine.Web;

/// <summary>
/// The one folder the editor serves and writes into. Names from requests are plain file names of raws that
/// sit directly in it; anything else (separators, dot segments, absolute paths, names that are not raws,
/// links whose target lies outside the folder) resolves to nothing, which the API answers with 404.
/// </summary>
public sealed class PhotoFolder
{
    /// <summary>Extensions LibRaw reads that cameras and converters write (lower case, with the dot).</summary>
    public static readonly IReadOnlySet<string> RawExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".raf", ".orf", ".rw2", ".pef",
        ".srw", ".x3f", ".3fr", ".fff", ".iiq", ".mos", ".mef", ".mrw", ".erf", ".kdc", ".dcr", ".raw", ".rwl",
    };

    public PhotoFolder(string path)
    {
        var full = Path.GetFullPath(path);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"{path}: no such folder");
        // The real path, so that links inside are compared with where the folder really is.
        Root = new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
    }

    public string Root { get; }

    /// <summary>Where exports go: <c>FOLDER/export/</c>.</summary>
    public string ExportFolder => Path.Combine(Root, "export");

    /// <summary>The raws in the folder, by name.</summary>
    public IReadOnlyList<string> List() =>
        Directory.EnumerateFiles(Root)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => Resolve(name) is not null)
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The full path of raw <paramref name="name"/> in the folder, or null when the name is not one.</summary>
    public string? Resolve(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 255 || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0) return null;
        if (!RawExtensions.Contains(Path.GetExtension(name))) return null;
        var path = Path.Combine(Root, name);
        var file = new FileInfo(path);
        if (!file.Exists) return null;
        if (file.LinkTarget is not null)
        {
            var target = file.ResolveLinkTarget(returnFinalTarget: true);
            if (target is not { Exists: true } || !IsInside(target.FullName)) return null;
        }
        return path;
    }

    private bool IsInside(string path) =>
        path.StartsWith(Root.EndsWith(Path.DirectorySeparatorChar) ? Root : Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
