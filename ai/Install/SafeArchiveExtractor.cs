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

    public static void Extract(string archive, string destination, InstallLimits limits, IProgress<InstallProgress>? progress, CancellationToken ct)
    {
        var root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);
        using var stream = File.OpenRead(archive);
        IReader reader;
        try { reader = ReaderFactory.OpenReader(stream, new ReaderOptions { LeaveStreamOpen = true }); }
        catch (Exception e) when (e is InvalidOperationException or ArchiveException or InvalidFormatException or NotSupportedException)
        {
            throw new ModelInstallException($"{archive}: not a zip or tar archive: {e.Message}", e);
        }
        using (reader)
        {
            var entries = 0;
            long written = 0;
            var buffer = new byte[81920];
            try
            {
                while (reader.MoveToNextEntry())
                {
                    ct.ThrowIfCancellationRequested();
                    var entry = reader.Entry;
                    if (++entries > limits.MaxEntries)
                        throw new ModelInstallException($"{archive}: more than {limits.MaxEntries} entries; refusing it");
                    var relative = SafeRelativePath(archive, entry.Key);
                    if (!string.IsNullOrEmpty(entry.LinkTarget) || (entry.Attrib is { } attrib && ((attrib >> 16) & UnixFileTypeMask) == UnixSymlink))
                        throw new ModelInstallException($"{archive}: entry '{entry.Key}' is a link; links are refused");
                    if (entry.IsEncrypted) throw new ModelInstallException($"{archive}: entry '{entry.Key}' is encrypted");
                    if (relative.Length == 0) continue;
                    var target = Path.GetFullPath(Path.Combine(root, relative));
                    if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                        throw new ModelInstallException($"{archive}: entry '{entry.Key}' leaves the target folder");
                    if (entry.IsDirectory)
                    {
                        Directory.CreateDirectory(target);
                        continue;
                    }
                    if (entry.Size > limits.MaxTotalBytes - written)
                        throw TooLarge(archive, limits, entry.Key);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    if (File.Exists(target) || Directory.Exists(target))
                        throw new ModelInstallException($"{archive}: entry '{entry.Key}' appears twice");
                    using var input = reader.OpenEntryStream();
                    using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
                    int n;
                    while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        written += n;
                        if (written > limits.MaxTotalBytes) throw TooLarge(archive, limits, entry.Key);
                        output.Write(buffer, 0, n);
                    }
                    progress?.Report(new InstallProgress("extract", written, null));
                }
            }
            catch (Exception e) when (e is ArchiveException or InvalidFormatException or EndOfStreamException or InvalidDataException or IncompleteArchiveException)
            {
                throw new ModelInstallException($"{archive}: damaged archive: {e.Message}", e);
            }
            if (entries == 0) throw new ModelInstallException($"{archive}: the archive is empty");
        }
    }

    /// <summary>The entry's path made relative and checked: no root, no drive, no '..'.</summary>
    private static string SafeRelativePath(string archive, string? key)
    {
        if (string.IsNullOrEmpty(key)) throw new ModelInstallException($"{archive}: an entry has no name");
        var normalised = key.Replace('\\', '/');
        if (normalised.StartsWith('/') || (normalised.Length >= 2 && normalised[1] == ':') || Path.IsPathRooted(key))
            throw new ModelInstallException($"{archive}: entry '{key}' has an absolute path; refusing it");
        var parts = new List<string>();
        foreach (var part in normalised.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..") throw new ModelInstallException($"{archive}: entry '{key}' climbs out with '..'; refusing it");
            if (part.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) throw new ModelInstallException($"{archive}: entry '{key}' has a character not allowed in file names");
            parts.Add(part);
        }
        return string.Join(Path.DirectorySeparatorChar, parts);
    }

    private static ModelInstallException TooLarge(string archive, InstallLimits limits, string? key) =>
        new($"{archive}: unpacks to more than {limits.MaxTotalBytes} bytes (at entry '{key}'); refusing it as a possible zip bomb");
}
