using System.CommandLine;

namespace RawEngine.Cli.Batch;

/// <summary>The state of a batch, merged from its shards' journals: each file's latest line decides its status.</summary>
public sealed record BatchReport(
    int Files, int Done, int Failed, int Pending,
    IReadOnlyList<BatchReport.ShardSummary> Shards,
    IReadOnlyList<BatchReport.FailedFile> Failures,
    IReadOnlyList<string> PendingInputs,
    IReadOnlyList<string> ShardsNotStarted)
{
    /// <summary>A shard: its files' statuses, and what its runs converted in how long (wall time, all runs).</summary>
    public sealed record ShardSummary(string Shard, int Done, int Failed, int Pending, int Converted, double Seconds, double? FilesPerSecond);

    public sealed record FailedFile(string Input, string Error);

    /// <summary>Finished, with nothing failed, pending, or a shard that never ran.</summary>
    public bool Complete => Failed == 0 && Pending == 0 && ShardsNotStarted.Count == 0;

    public static BatchReport Of(IReadOnlyList<(string Journal, JournalEntry Entry)> entries)
    {
        var latest = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
        var runs = new Dictionary<string, (DateTime Start, DateTime End, double Seconds, int Converted)>(StringComparer.Ordinal);
        foreach (var (_, entry) in entries)
        {
            if (entry.Status == JournalStatus.Started)
            {
                // A new run: the shard's previous run (if any) ended with its last line.
                var before = runs.GetValueOrDefault(entry.Shard);
                runs[entry.Shard] = (entry.Time, entry.Time, before.Seconds + (before.End - before.Start).TotalSeconds, before.Converted);
                continue;
            }
            if (entry.Key is not null) latest[entry.Key] = entry;
            if (runs.TryGetValue(entry.Shard, out var run))
                runs[entry.Shard] = run with { End = entry.Time, Converted = run.Converted + (entry.Status == JournalStatus.Done ? 1 : 0) };
        }
        var byShard = latest.Values.ToLookup(e => e.Shard);
        var shards = runs.OrderBy(r => ShardOrder(r.Key)).Select(r =>
        {
            var seconds = r.Value.Seconds + (r.Value.End - r.Value.Start).TotalSeconds;
            var files = byShard[r.Key].ToList();
            return new ShardSummary(r.Key, files.Count(e => e.Status == JournalStatus.Done), files.Count(e => e.Status == JournalStatus.Failed),
                files.Count(e => e.Status == JournalStatus.Queued), r.Value.Converted, Math.Round(seconds, 3),
                seconds > 0 ? Math.Round(r.Value.Converted / seconds, 3) : null);
        }).ToList();
        var notStarted = runs.Keys.Select(ShardOrder).Select(s => s.Count).Distinct()
            .SelectMany(count => Enumerable.Range(0, count).Select(index => $"{index}/{count}"))
            .Where(shard => !runs.ContainsKey(shard)).ToList();
        var ordered = latest.Values.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        return new BatchReport(latest.Count,
            ordered.Count(e => e.Status == JournalStatus.Done),
            ordered.Count(e => e.Status == JournalStatus.Failed),
            ordered.Count(e => e.Status == JournalStatus.Queued),
            shards,
            [.. ordered.Where(e => e.Status == JournalStatus.Failed).Select(e => new FailedFile(e.Input ?? e.Key!, e.Error ?? "failed"))],
            [.. ordered.Where(e => e.Status == JournalStatus.Queued).Select(e => e.Input ?? e.Key!)],
            notStarted);
    }

    private static (int Count, int Index) ShardOrder(string shard)
    {
        var parts = shard.Split('/');
        return (int.Parse(parts[1]), int.Parse(parts[0]));
    }

    public void WriteText(TextWriter output)
    {
        foreach (var s in Shards)
            output.WriteLine($"shard {s.Shard}: {s.Done} done, {s.Failed} failed, {s.Pending} pending; converted {s.Converted} in {s.Seconds:0.0} s" +
                (s.FilesPerSecond is { } rate ? $" ({rate:0.00} files/s)" : ""));
        foreach (var shard in ShardsNotStarted) output.WriteLine($"shard {shard}: never started");
        foreach (var failure in Failures) output.WriteLine($"failed: {failure.Error}");
        foreach (var input in PendingInputs) output.WriteLine($"pending: {input}");
        output.WriteLine($"{Files} files: {Done} done, {Failed} failed, {Pending} pending" +
            (ShardsNotStarted.Count > 0 ? $"; {ShardsNotStarted.Count} shards never started" : ""));
    }
}

/// <summary><c>rawengine batch report OUT [--json]</c>: what a sharded convert into OUT has done.</summary>
public static class BatchCommand
{
    public static Command Create(CliContext context)
    {
        var folder = new Argument<string>("output") { Description = "The output folder of a sharded or resumed convert" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var report = new Command("report", "Merge the shards' journals: done, failed (with reasons), pending, throughput per shard; exit 1 unless all is done")
        {
            folder, json,
        };
        report.SetAction(parsed =>
        {
            var output = parsed.GetValue(folder)!;
            if (!Directory.Exists(output))
            {
                context.Fail($"{output}: no such folder");
                return ExitCodes.UsageError;
            }
            var entries = BatchJournal.ReadAll(output);
            if (entries.Count == 0)
            {
                context.Fail($"{output}: no batch journals in {BatchJournal.FolderOf(output)} (convert with --shard or --resume writes them)");
                return ExitCodes.ProcessingError;
            }
            var result = BatchReport.Of(entries);
            if (parsed.GetValue(json)) context.Out.WriteLine(ReportJson.Serialize(result));
            else result.WriteText(context.Out);
            return result.Complete ? ExitCodes.Ok : ExitCodes.ProcessingError;
        });
        return new Command("batch", "Sharded, resumable conversion of large libraries") { report };
    }
}
