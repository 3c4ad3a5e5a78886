namespace RawEngine.Engine.IO;

/// <summary>
/// Writes a file so that readers see either the old file, no file, or the whole new one: the
/// content goes to a temporary name in the target folder and is renamed into place.
/// </summary>
public static class AtomicFile
{
    /// <exception cref="IOException">The target exists and <paramref name="overwrite"/> is false, or the write failed.</exception>
    public static void Write(string path, Action<Stream> write, bool overwrite)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(folder)) throw new IOException($"{path}: the folder {folder} does not exist");
        if (!overwrite && File.Exists(full)) throw new IOException($"{path}: already exists (use --overwrite to replace it)");
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

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool overwrite)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy), overwrite);
    }
}
