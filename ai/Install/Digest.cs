using System.Security.Cryptography;

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

    /// <summary>The digest the caller gave, lower-cased, or an error naming the parameter.</summary>
    public static string? Normalise(string? sha256) =>
        sha256 is null ? null
        : IsSha256(sha256.Trim()) ? sha256.Trim().ToLowerInvariant()
        : throw new ArgumentException($"--sha256 \"{sha256}\" is not a SHA-256 digest (64 hex digits).", nameof(sha256));
}
