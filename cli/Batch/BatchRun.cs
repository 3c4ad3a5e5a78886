using RawEngine.Cli.Convert;

namespace RawEngine.Cli.Batch;

/// <summary>
/// One run of one shard of a batch: which of its files still need converting (with <c>--resume</c>, those the
/// journals do not record as done from the same input and settings), and the journal it appends to as files finish.
/// </summary>
public sealed class BatchRun : IDisposable
{
    private readonly BatchJournal.Writer _journal;
    private readonly string _outputFolder;
    private readonly HashSet<string> _writtenByTheBatch;

    private BatchRun(BatchJournal.Writer journal, string outputFolder, Shard shard, IReadOnlyList<PlannedFile> toDo, int skipped, HashSet<string> written)
    {
        _journal = journal;
        _outputFolder = outputFolder;
        _writtenByTheBatch = written;
        Shard = shard;
        ToDo = toDo;
        Skipped = skipped;
    }

    public Shard Shard { get; }

    /// <summary>The shard's files this run converts.</summary>
    public IReadOnlyList<PlannedFile> ToDo { get; }

    /// <summary>The shard's files a resume found done with the same input and settings.</summary>
    public int Skipped { get; }

    /// <summary>
    /// Starts a run over <paramref name="files"/> (the shard's share). <paramref name="settingsHash"/> gives the hash a
    /// file would be converted with now (null when it cannot be known, e.g. its sidecar does not load: then it is redone).
    /// </summary>
    public static BatchRun Start(string outputFolder, Shard shard, IReadOnlyList<PlannedFile> files, bool resume,
        Func<PlannedFile, string?> settingsHash, CancellationToken cancellation)
    {
        var toDo = new List<PlannedFile>(files.Count);
        var written = new HashSet<string>(StringComparer.Ordinal);
        if (resume)
        {
            // This shard's journal, and those of other shard counts (a batch sharded anew): their files are done all the
            // same. The other shards of this count hold none of this shard's files, and a thousand shards each reading
            // every journal would read the whole library's a thousand times.
            var latest = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
            var sameCount = $"-of-{shard.Count}.jsonl";
            foreach (var (_, entry) in BatchJournal.ReadAll(outputFolder, name => name == shard.JournalName || !name.EndsWith(sameCount, StringComparison.Ordinal)))
            {
                if (entry.Key is null) continue;
                latest[entry.Key] = entry;
                if (entry.Output is not null) written.Add(entry.Output);
            }
            foreach (var file in files)
            {
                cancellation.ThrowIfCancellationRequested();
                if (!(latest.TryGetValue(file.Key, out var last) && IsStillDone(last, file, outputFolder, settingsHash))) toDo.Add(file);
            }
            RemoveTemporaryFiles(outputFolder, files);
        }
        else
            toDo.AddRange(files);
        var journal = new BatchJournal.Writer(outputFolder, shard);
        var run = new BatchRun(journal, outputFolder, shard, toDo, files.Count - toDo.Count, written);
        var now = DateTime.UtcNow;
        journal.Append([
            new JournalEntry { Status = JournalStatus.Started, Time = now, Shard = shard.ToString(), Files = files.Count, Skipped = run.Skipped },
            .. toDo.Select(f => new JournalEntry { Status = JournalStatus.Queued, Time = now, Shard = shard.ToString(), Key = f.Key, Input = f.Input, Output = run.Relative(f.Output) }),
        ]);
        return run;
    }

    /// <summary>
    /// Whether an existing output may be replaced without <c>--overwrite</c>: the journals record that this batch wrote
    /// it (or began to), so it is the batch's own, stale because its input or settings changed or its run was killed.
    /// </summary>
    public bool MayReplace(PlannedFile file) => _writtenByTheBatch.Contains(Relative(file.Output));

    /// <summary>Records a finished file; <paramref name="stamp"/> is the input as it was before converting.</summary>
    public void Finished(PlannedFile file, InputStamp? stamp, string? settings, TimeSpan elapsed, string? error) =>
        _journal.Append(new JournalEntry
        {
            Status = error is null ? JournalStatus.Done : JournalStatus.Failed,
            Time = DateTime.UtcNow,
            Shard = Shard.ToString(),
            Key = file.Key,
            Input = file.Input,
            Output = Relative(file.Output),
            Size = stamp?.Size,
            Mtime = stamp?.Modified,
            Settings = settings,
            Seconds = Math.Round(elapsed.TotalSeconds, 4),
            Error = error,
        });

    public void Dispose() => _journal.Dispose();

    private string Relative(string output) => Path.GetRelativePath(_outputFolder, output);

    private static bool IsStillDone(JournalEntry last, PlannedFile file, string outputFolder, Func<PlannedFile, string?> settingsHash) =>
        last.Status == JournalStatus.Done
        && InputStamp.Of(file.Input) is { } now && now.Size == last.Size && now.Modified == last.Mtime
        && last.Output == Path.GetRelativePath(outputFolder, file.Output) && File.Exists(file.Output)
        && settingsHash(file) is { } hash && hash == last.Settings;

    /// <summary>
    /// Deletes what killed runs left of this shard's outputs: the temporary files an atomic write renames into place
    /// (<c>.NAME.PID.GUID.tmp</c>). Only this shard writes these names, so none of them is another run's work in progress.
    /// </summary>
    private static void RemoveTemporaryFiles(string outputFolder, IReadOnlyList<PlannedFile> files)
    {
        var names = files.Select(f => Path.GetFileName(f.Output)).ToHashSet(StringComparer.Ordinal);
        foreach (var temp in Directory.EnumerateFiles(outputFolder, ".*.tmp"))
        {
            var parts = Path.GetFileName(temp)[1..].Split('.');
            if (parts.Length > 3 && names.Contains(string.Join('.', parts[..^3]))) File.Delete(temp);
        }
    }
}

/// <summary>An input's size and modification time: a file whose stamp changed is converted again.</summary>
public sealed record InputStamp(long Size, DateTime Modified)
{
    public static InputStamp? Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new InputStamp(info.Length, info.LastWriteTimeUtc) : null;
    }
}
