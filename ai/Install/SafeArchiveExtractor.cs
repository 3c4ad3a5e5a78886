using SharpCompress.Archives;
using SharpCompress.Common;
using SharpCompress.Readers;

namespace RawEngine.AI.Install;

/// <summary>
/// Unpacks a zip or tar(.gz) archive into an empty folder, refusing anything that could write outside
/// it or exhaust the disk: absolute paths, '..' segments, links, encrypted entries, duplicate names,
/// more than <see cref="InstallLimits.MaxEntries"/> entries, or more than
/// <see cref="InstallLimits.MaxTotalBytes"/> bytes (counted as written, not as the headers claim).
/// </summary>
internal static class SafeArchiveExtractor
{
    private const int UnixFileTypeMask = 0xF000;
    private const int UnixSymlink = 0xA000;

    /// <param name="archive">The file to unpack.</param>
    /// <param name="name">What to call it in messages (the user's path or URL).</param>
    public static void Extract(string archive, string name, string destination, InstallLimits limits, IProgress<InstallProgress>? progress, CancellationToken ct)
    {
        var root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);
        using var stream = File.OpenRead(archive);
        var entries = 0;
        long written = 0;
        var buffer = new byte[81920];
        try
        {
            foreach (var (entry, open) in Entries(stream, name))
            {
                ct.ThrowIfCancellationRequested();
                if (++entries > limits.MaxEntries)
                    throw new ModelInstallException(name, $"more than {limits.MaxEntries} entries; refusing it");
                var relative = SafeRelativePath(name, entry.Key);
                if (!string.IsNullOrEmpty(entry.LinkTarget) || IsUnixSymlink(entry))
                    throw new ModelInstallException(name, $"entry '{entry.Key}' is a link; links are refused");
                if (entry.IsEncrypted) throw new ModelInstallException(name, $"entry '{entry.Key}' is encrypted");
                if (relative.Length == 0) continue;
                var target = Path.GetFullPath(Path.Combine(root, relative));
                if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new ModelInstallException(name, $"entry '{entry.Key}' leaves the target folder");
                if (entry.IsDirectory)
                {
                    Directory.CreateDirectory(target);
                    continue;
                }
                if (entry.Size > limits.MaxTotalBytes - written) throw TooLarge(name, limits, entry.Key);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (File.Exists(target) || Directory.Exists(target))
                    throw new ModelInstallException(name, $"entry '{entry.Key}' appears twice");
                using var input = open();
                using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
                int n;
                while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                {
                    ct.ThrowIfCancellationRequested();
                    written += n;
                    if (written > limits.MaxTotalBytes) throw TooLarge(name, limits, entry.Key);
                    output.Write(buffer, 0, n);
                }
                progress?.Report(new InstallProgress("extract", written, null));
            }
        }
        catch (Exception e) when (e is ArchiveException or InvalidFormatException or EndOfStreamException or InvalidDataException or IncompleteArchiveException)
        {
            throw new ModelInstallException(name, $"damaged archive: {e.Message}", e);
        }
        if (entries == 0) throw new ModelInstallException(name, "the archive is empty");
    }

    /// <summary>
    /// Entries with a way to open each. Zip goes through its central directory, the only place that
    /// holds the unix mode bits that mark a symlink; anything else streams through a reader.
    /// </summary>
    private static IEnumerable<(IEntry Entry, Func<Stream> Open)> Entries(Stream stream, string name)
    {
        Span<byte> magic = stackalloc byte[4];
        var isZip = stream.Read(magic) == 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K';
        stream.Position = 0;
        if (isZip)
        {
            using var archive = Open(() => ArchiveFactory.OpenArchive(stream, new ReaderOptions { LeaveStreamOpen = true }), name);
            foreach (var entry in archive.Entries)
                yield return (entry, entry.OpenEntryStream);
            yield break;
        }
        using var reader = Open(() => ReaderFactory.OpenReader(stream, new ReaderOptions { LeaveStreamOpen = true }), name);
        while (reader.MoveToNextEntry())
            yield return (reader.Entry, reader.OpenEntryStream);
    }

    private static T Open<T>(Func<T> open, string name)
    {
        try { return open(); }
        catch (Exception e) when (e is InvalidOperationException or ArchiveException or InvalidFormatException or NotSupportedException)
        {
            throw new ModelInstallException(name, $"not a zip or tar archive: {e.Message}", e);
        }
    }

    // Zip keeps the unix mode in the high half of the external attributes; other formats report links
    // through LinkTarget and may not implement Attrib at all.
    private static bool IsUnixSymlink(IEntry entry)
    {
        try { return entry.Attrib is { } attrib && ((attrib >> 16) & UnixFileTypeMask) == UnixSymlink; }
        catch (NotImplementedException) { return false; }
    }

    /// <summary>The entry's path made relative and checked: no root, no drive, no '..'.</summary>
    private static string SafeRelativePath(string name, string? key)
    {
        if (string.IsNullOrEmpty(key)) throw new ModelInstallException(name, "an entry has no name");
        var normalised = key.Replace('\\', '/');
        if (normalised.StartsWith('/') || (normalised.Length >= 2 && normalised[1] == ':') || Path.IsPathRooted(key))
            throw new ModelInstallException(name, $"entry '{key}' has an absolute path; refusing it");
        var parts = new List<string>();
        foreach (var part in normalised.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..") throw new ModelInstallException(name, $"entry '{key}' climbs out with '..'; refusing it");
            if (part.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) throw new ModelInstallException(name, $"entry '{key}' has a character not allowed in file names");
            parts.Add(part);
        }
        return string.Join(Path.DirectorySeparatorChar, parts);
    }

    private static ModelInstallException TooLarge(string name, InstallLimits limits, string? key) =>
        new(name, $"unpacks to more than {limits.MaxTotalBytes} bytes (at entry '{key}'); refusing it as a possible zip bomb");
}
