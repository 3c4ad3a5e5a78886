using System.Security.Cryptography;
using System.Text;

namespace RawEngine.AI.Install;

/// <summary>SHA-256 helpers: hex digests, checked and streamed.</summary>
public static class Digest
{
    public static bool IsSha256(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigit);

    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// A model folder's digest: the SHA-256 of its <c>sha256sum</c> listing, one line
    /// <c>"&lt;file's SHA-256&gt;  &lt;path relative to the folder, '/'-separated&gt;\n"</c> per file in ordinal order
    /// of path, so the shell gives the same: <c>(cd DIR &amp;&amp; find . -type f | cut -c3- | LC_ALL=C sort | xargs sha256sum) | sha256sum</c>.
    /// </summary>
    public static string OfFolder(string folder)
    {
        var listing = new StringBuilder();
        foreach (var relative in Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
                     .Order(StringComparer.Ordinal))
            listing.Append(OfFile(Path.Combine(folder, relative))).Append("  ").Append(relative).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
    }

    /// <summary>The digest the caller gave, lower-cased, or an error naming the parameter.</summary>
    public static string? Normalise(string? sha256) =>
        sha256 is null ? null
        : IsSha256(sha256.Trim()) ? sha256.Trim().ToLowerInvariant()
        : throw new ArgumentException($"\"{sha256}\" is not a SHA-256 digest (64 hex digits).", nameof(sha256));
}
