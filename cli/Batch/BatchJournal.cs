using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RawEngine.Cli.Batch;

/// <summary>What a journal line records.</summary>
public static class JournalStatus
{
    /// <summary>A run of a shard began: how many files the shard has and how many were already done.</summary>
    public const string Started = "started";

    /// <summary>The run is about to convert this file: if no later line says done or failed, it is pending.</summary>
    public const string Queued = "queued";

    public const string Done = "done";
    public const string Failed = "failed";
}

/// <summary>One line of a shard's journal (JSON, snake_case, absent fields left out).</summary>
public sealed record JournalEntry
{
    public required string Status { get; init; }
    public DateTime Time { get; init; }
    public required string Shard { get; init; }

    /// <summary>The input's path relative to the folder it was found in: what shards and resumes match on.</summary>
    public string? Key { get; init; }

    /// <summary>The input as the command line named it.</summary>
    public string? Input { get; init; }

    /// <summary>The output's path relative to the output folder (so the folder may be mounted elsewhere).</summary>
    public string? Output { get; init; }

    public long? Size { get; init; }
    public DateTime? Mtime { get; init; }

    /// <summary>Hash of the effective edit and output options the file was converted with.</summary>
    public string? Settings { get; init; }

    public double? Seconds { get; init; }
    public string? Error { get; init; }

    /// <summary>For <see cref="JournalStatus.Started"/>: the shard's files, and those skipped as already done.</summary>
    public int? Files { get; init; }
    public int? Skipped { get; init; }
}

/// <summary>The per-shard JSON-lines journals under <c>OUT/.rawengine/</c>.</summary>
public static class BatchJournal
{
    public const string FolderName = ".rawengine";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string FolderOf(string outputFolder) => Path.Combine(outputFolder, FolderName);

    /// <summary>
    /// Every entry of every journal in the folder, oldest first (by time; a file's own order breaks ties). A line that
    /// does not parse is the one a killed run was writing: it is left out.
    /// </summary>
    /// <param name="include">Which journals (by file name) to read; all when null.</param>
    public static IReadOnlyList<(string Journal, JournalEntry Entry)> ReadAll(string outputFolder, Func<string, bool>? include = null)
    {
        var folder = FolderOf(outputFolder);
        if (!Directory.Exists(folder)) return [];
        var entries = new List<(string, JournalEntry)>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.jsonl").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (include is not null && !include(name)) continue;
            foreach (var line in File.ReadLines(path))
                if (Parse(line) is { } entry) entries.Add((name, entry));
        }
        return [.. entries.OrderBy(e => e.Item2.Time)]; // OrderBy is stable: lines of one instant keep their order
    }

    private static JournalEntry? Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return null;
        try
        {
            return JsonSerializer.Deserialize<JournalEntry>(line, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Appends lines to one shard's journal, each flushed to the file as it is written.</summary>
    public sealed class Writer : IDisposable
    {
        private readonly FileStream _stream;

        public Writer(string outputFolder, Shard shard)
        {
            var folder = FolderOf(outputFolder);
            Directory.CreateDirectory(folder);
            Path = System.IO.Path.Combine(folder, shard.JournalName);
            _stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            // A run killed in the middle of a line left it unterminated: end it, so the next line parses.
            if (_stream.Length > 0)
            {
                _stream.Seek(-1, SeekOrigin.End);
                var last = _stream.ReadByte();
                if (last != '\n') _stream.WriteByte((byte)'\n');
            }
            _stream.Seek(0, SeekOrigin.End);
        }

        public string Path { get; }

        public void Append(IEnumerable<JournalEntry> entries)
        {
            var text = new StringBuilder();
            foreach (var entry in entries) text.Append(JsonSerializer.Serialize(entry, Json)).Append('\n');
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            lock (_stream)
            {
                _stream.Write(bytes);
                _stream.Flush();
            }
        }

        public void Append(JournalEntry entry) => Append([entry]);

        public void Dispose() => _stream.Dispose();
    }
}
