using RawEngine.Engine.Export;

namespace RawEngine.Cli.Convert;

/// <summary>Which files a convert reads and where each one's picture goes.</summary>
public static class OutputPlan
{
    /// <summary>Extensions of raw formats LibRaw reads, for picking files out of folders.</summary>
    public static readonly HashSet<string> RawExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".raf", ".orf", ".rw2", ".pef", ".srw",
        ".3fr", ".fff", ".iiq", ".erf", ".mos", ".mef", ".mrw", ".x3f", ".kdc", ".dcr", ".rwl", ".raw", ".gpr",
    };

    /// <summary>
    /// Files named directly, plus the raw files inside named folders (sorted, not recursive), each with its key: the path
    /// relative to the folder it was found in (a file named directly: its name), the same wherever the folder is mounted.
    /// </summary>
    public static IReadOnlyList<InputFile> ExpandInputs(IEnumerable<string> inputs)
    {
        var files = new List<InputFile>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input).Where(f => RawExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal)
                    .Select(f => new InputFile(f, Path.GetRelativePath(input, f))));
            else
                files.Add(new InputFile(input, Path.GetFileName(input)));
        }
        return files;
    }

    /// <summary>
    /// Pairs each input with its output: <c>-o</c> naming a folder (or several inputs, or <paramref name="intoFolder"/>:
    /// a batch's shard) gives <c>&lt;folder&gt;/&lt;input stem&gt;.&lt;ext&gt;</c>, the folder created when missing; a
    /// file name is used as it is; <c>-</c> is standard output.
    /// </summary>
    public static IReadOnlyList<PlannedFile> Pair(IReadOnlyList<InputFile> inputs, string output, ExportFormat? format, bool intoFolder = false)
    {
        if (output == "-" && intoFolder) throw new UsageException("-o -: a shard or a resumed batch writes into a folder, where its journals live");
        intoFolder |= Directory.Exists(output) || output.EndsWith(Path.DirectorySeparatorChar) || inputs.Count > 1;
        if (output == "-")
        {
            if (inputs.Count != 1) throw new UsageException("-o -: standard output takes exactly one input");
            return [new PlannedFile(inputs[0].Path, inputs[0].Key, "-")];
        }
        if (!intoFolder) return [new PlannedFile(inputs[0].Path, inputs[0].Key, output)];
        var extension = (format ?? ExportFormat.Jpeg).Extension();
        var files = inputs.Select(i => new PlannedFile(i.Path, i.Key, Path.Combine(output, Path.GetFileNameWithoutExtension(i.Path) + extension))).ToList();
        var clash = files.GroupBy(p => p.Output, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new UsageException($"{string.Join(" and ", clash.Select(p => p.Input))} would all be written to {clash.Key}");
        try
        {
            Directory.CreateDirectory(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"-o {output}: cannot create the folder: {e.Message}");
        }
        return files;
    }
}

/// <summary>An input raw and its key (its path relative to the folder it was found in).</summary>
public sealed record InputFile(string Path, string Key);

/// <summary>An input raw, its key, and where its picture goes.</summary>
public sealed record PlannedFile(string Input, string Key, string Output);
