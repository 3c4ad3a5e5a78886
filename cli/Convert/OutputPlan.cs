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

    /// <summary>Files named directly, plus the raw files inside named folders (sorted, not recursive).</summary>
    public static IReadOnlyList<string> ExpandInputs(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input).Where(f => RawExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal));
            else
                files.Add(input);
        }
        return files;
    }

    /// <summary>
    /// Pairs each input with its output: <c>-o</c> naming a folder (or several inputs) gives
    /// <c>&lt;folder&gt;/&lt;input stem&gt;.&lt;ext&gt;</c>; a file name is used as it is; <c>-</c> is standard output.
    /// </summary>
    public static IReadOnlyList<(string Input, string Output)> Pair(IReadOnlyList<string> inputs, string output, ExportFormat? format)
    {
        var intoFolder = Directory.Exists(output) || output.EndsWith(Path.DirectorySeparatorChar) || inputs.Count > 1;
        if (output == "-")
        {
            if (inputs.Count != 1) throw new UsageException("-o -: standard output takes exactly one input");
            return [(inputs[0], "-")];
        }
        if (!intoFolder) return [(inputs[0], output)];
        if (!Directory.Exists(output)) throw new UsageException($"-o {output}: no such folder (several inputs need an existing output folder)");
        var extension = (format ?? ExportFormat.Jpeg).Extension();
        var pairs = inputs.Select(i => (i, Path.Combine(output, Path.GetFileNameWithoutExtension(i) + extension))).ToList();
        var clash = pairs.GroupBy(p => p.Item2, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new UsageException($"{string.Join(" and ", clash.Select(p => p.Item1))} would all be written to {clash.Key}");
        return pairs;
    }
}
