using RawEngine.Cli.Batch;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Batch;

/// <summary>Small raws for batch tests, each a little different so their pictures differ, and journal readers.</summary>
public static class BatchFixtures
{
    /// <summary>Writes <paramref name="count"/> 96x64 DNGs into <c>raws/</c> of <paramref name="temp"/>; returns their paths.</summary>
    public static IReadOnlyList<string> WriteRaws(TempFolder temp, int count, int width = 96, int height = 64)
    {
        var folder = Directory.CreateDirectory(temp.File("raws")).FullName;
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var path = Path.Combine(folder, $"IMG_{i:D3}.dng");
            DngWriter.Write(SyntheticRaw.Chart(width, height, new SyntheticRawOptions { Exposure = 0.6 + 0.02 * i }), path);
            return path;
        })];
    }

    /// <summary>The pictures in <paramref name="folder"/> (not the journals), by name.</summary>
    public static SortedDictionary<string, byte[]> Pictures(string folder) =>
        new(Directory.EnumerateFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes), StringComparer.Ordinal);

    public static IReadOnlyList<JournalEntry> Journal(string output) => [.. BatchJournal.ReadAll(output).Select(e => e.Entry)];
}
