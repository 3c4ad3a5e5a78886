namespace RawEngine.Engine.IO;

/// <summary>
/// Writes a file so that readers see either the old file, no file, or the whole new one: the
/// content goes to a temporary name in the target folder and is renamed into place.
/// </summary>
public static class AtomicFile
{
    /// <exception cref="OutputExistsException">The target exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="IOException">The folder is missing, or the write failed.</exception>
    public static void Write(string path, Action<Stream> write, bool overwrite)
    {
        var (full, folder) = CheckTarget(path, overwrite);
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: false);
            }
            File.Move(temp, full, overwrite);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Fails as <see cref="Write"/> would before anything is written: the target exists (without
    /// <paramref name="overwrite"/>) or its folder is missing. Returns the full path and its folder.
    /// </summary>
    public static (string Full, string Folder) CheckTarget(string path, bool overwrite)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? ".";
        if (!overwrite && File.Exists(full)) throw new OutputExistsException(path);
        if (!Directory.Exists(folder)) throw new IOException($"{path}: the folder {folder} does not exist");
        return (full, folder);
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool overwrite)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy), overwrite);
    }
}

/// <summary>A file is not written because one is already there and replacing was not asked for. The subject is the path.</summary>
public sealed class OutputExistsException(string path) : RawEngineException(ErrorSubjectKind.File, path, "already exists");
