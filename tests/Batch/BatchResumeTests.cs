using RawEngine.Cli.Batch;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Batch;

public class BatchResumeTests
{
    [Fact]
    public async Task ShardsWriteIntoACreatedFolderAndJournalEachFileOnce()
    {
        using var temp = new TempFolder();
        BatchFixtures.WriteRaws(temp, 5);
        var output = temp.File("out/nested");

        var first = await CliRunner.RunAsync("convert", temp.File("raws"), "-o", output, "--shard", "0/2");
        var second = await CliRunner.RunAsync("convert", temp.File("raws"), "-o", output, "--shard", "1/2");

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Equal(["IMG_000.jpg", "IMG_001.jpg", "IMG_002.jpg", "IMG_003.jpg", "IMG_004.jpg"], BatchFixtures.Pictures(output).Keys);
        var done = BatchFixtures.Journal(output).Where(e => e.Status == JournalStatus.Done).ToList();
        Assert.Equal(["IMG_000.dng", "IMG_002.dng", "IMG_004.dng"], done.Where(e => e.Shard == "0/2").Select(e => e.Key));
        Assert.Equal(["IMG_001.dng", "IMG_003.dng"], done.Where(e => e.Shard == "1/2").Select(e => e.Key));
        Assert.All(done, e => Assert.True(e.Size > 0 && e.Mtime is not null && e.Settings is { Length: 16 } && e.Seconds > 0));
        Assert.True(File.Exists(Path.Combine(output, ".rawengine", "shard-0-of-2.jsonl")));
    }

    [Fact]
    public async Task ResumeSkipsDoneFilesAndRedoesAChangedInputOrChangedSettings()
    {
        using var temp = new TempFolder();
        var raws = BatchFixtures.WriteRaws(temp, 4);
        var output = temp.File("out");
        string[] convert = ["convert", temp.File("raws"), "-o", output, "--resume"];
        Assert.Equal(0, (await CliRunner.RunAsync(convert)).ExitCode);
        int DoneLines() => BatchFixtures.Journal(output).Count(e => e.Status == JournalStatus.Done);
        Assert.Equal(4, DoneLines());

        var again = await CliRunner.RunAsync(convert);
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("4 of 4 files already done, skipped", again.Error);
        Assert.Equal(4, DoneLines());

        // Another picture under the same name: its stamp changed, so it is redone and its output replaced.
        var before = File.ReadAllBytes(Path.Combine(output, "IMG_002.jpg"));
        File.Copy(raws[0], raws[2], overwrite: true);
        File.SetLastWriteTimeUtc(raws[2], DateTime.UtcNow.AddMinutes(1));
        var changed = await CliRunner.RunAsync(convert);
        Assert.True(changed.ExitCode == 0, changed.Error);
        Assert.Equal(5, DoneLines());
        Assert.Equal("IMG_002.dng", BatchFixtures.Journal(output).Last(e => e.Status == JournalStatus.Done).Key);
        Assert.NotEqual(before, File.ReadAllBytes(Path.Combine(output, "IMG_002.jpg")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "IMG_000.jpg")), File.ReadAllBytes(Path.Combine(output, "IMG_002.jpg")));

        // A sidecar changes one file's effective edit; an option changes every file's settings.
        File.WriteAllText(raws[1] + ".rawengine.json", """
            { "format": "rawengine-edit", "version": 1, "modules": [ { "module": "exposure", "version": 1, "params": { "exposure": 2.0 } } ] }
            """);
        Assert.Equal(0, (await CliRunner.RunAsync(convert)).ExitCode);
        Assert.Equal(6, DoneLines());
        Assert.Equal(0, (await CliRunner.RunAsync([.. convert, "--quality", "70"])).ExitCode);
        Assert.Equal(10, DoneLines());
    }

    [Fact]
    public async Task ResumeRemovesWhatAKilledRunLeftOfItsOwnOutputsOnly()
    {
        using var temp = new TempFolder();
        BatchFixtures.WriteRaws(temp, 2);
        var output = Directory.CreateDirectory(temp.File("out")).FullName;
        var stale = Path.Combine(output, ".IMG_001.jpg.4242.0123456789abcdef0123456789abcdef.tmp");
        var otherShards = Path.Combine(output, ".IMG_000.jpg.4242.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllText(stale, "half a picture");
        File.WriteAllText(otherShards, "another shard's work in progress");

        var result = await CliRunner.RunAsync("convert", temp.File("raws"), "-o", output, "--shard", "1/2", "--resume");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(otherShards));
        Assert.True(File.Exists(Path.Combine(output, "IMG_001.jpg")));
    }

    [Fact]
    public async Task AResumeUnderAnotherShardCountSkipsWhatTheFirstCountDid()
    {
        using var temp = new TempFolder();
        BatchFixtures.WriteRaws(temp, 5);
        var output = temp.File("out");
        Assert.Equal(0, (await CliRunner.RunAsync("convert", temp.File("raws"), "-o", output, "--shard", "0/2", "--resume")).ExitCode);

        var resharded = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            CliRunner.RunAsync("convert", temp.File("raws"), "-o", output, "--shard", $"{i}/3", "--resume")));

        Assert.All(resharded, r => Assert.True(r.ExitCode == 0, r.Error));
        var done = BatchFixtures.Journal(output).Where(e => e.Status == JournalStatus.Done).ToList();
        Assert.Equal(5, done.Count); // 3 by shard 0/2, the other 2 by the shards of 3
        Assert.Equal(5, done.Select(e => e.Key).Distinct().Count());
        Assert.Equal(5, BatchFixtures.Pictures(output).Count);
    }

    [Fact]
    public async Task AShardCannotWriteToStandardOutput()
    {
        using var temp = new TempFolder();
        var raw = BatchFixtures.WriteRaws(temp, 1)[0];

        var result = await CliRunner.RunAsync("convert", raw, "-o", "-", "--shard", "0/1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("-o -: a shard or a resumed batch writes into a folder", result.Error);
        Assert.Empty(result.StandardOutputBytes);
    }

    [Fact]
    public async Task WithoutResumeAShardStillKeepsExistingOutputs()
    {
        using var temp = new TempFolder();
        BatchFixtures.WriteRaws(temp, 2);
        var output = temp.File("out");
        Assert.Equal(0, (await CliRunner.RunAsync("convert", temp.File("raws"), "-o", output, "--shard", "0/1")).ExitCode);

        var again = await CliRunner.RunAsync("convert", temp.File("raws"), "-o", output, "--shard", "0/1");

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists (use --overwrite to replace it)", again.Error);
        Assert.Equal(2, BatchFixtures.Journal(output).Count(e => e.Status == JournalStatus.Failed));
    }

    [Fact]
    public async Task ReportCountsDoneFailedAndShardsThatNeverRan()
    {
        using var temp = new TempFolder();
        BatchFixtures.WriteRaws(temp, 4);
        File.WriteAllText(temp.File("raws/IMG_bad.dng"), "not a raw");
        var output = temp.File("out");
        // Sorted: IMG_000..IMG_003, IMG_bad; shard 1/3 holds IMG_001 and IMG_bad, shard 2/3 never runs.
        Assert.Equal(0, (await CliRunner.RunAsync("convert", temp.File("raws"), "-o", output, "--shard", "0/3")).ExitCode);
        Assert.Equal(1, (await CliRunner.RunAsync("convert", temp.File("raws"), "-o", output, "--shard", "1/3")).ExitCode);

        var text = await CliRunner.RunAsync("batch", "report", output);
        var json = await CliRunner.RunAsync("batch", "report", output, "--json");

        Assert.Equal(1, text.ExitCode);
        Assert.Contains("4 files: 3 done, 1 failed, 0 pending; 1 shards never started", text.Out);
        Assert.Contains("shard 2/3: never started", text.Out);
        Assert.Contains("failed: ", text.Out);
        Assert.Contains("IMG_bad.dng", text.Out);
        Assert.Equal(1, json.ExitCode);
        using var report = System.Text.Json.JsonDocument.Parse(json.Out);
        Assert.Equal(3, report.RootElement.GetProperty("done").GetInt32());
        Assert.Equal(1, report.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal(["0/3", "1/3"], report.RootElement.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("shard").GetString()));
        Assert.Equal(2, report.RootElement.GetProperty("shards")[0].GetProperty("done").GetInt32());

        File.Delete(temp.File("raws/IMG_bad.dng"));
        Assert.Equal(0, (await CliRunner.RunAsync("convert", temp.File("raws"), "-o", output, "--shard", "2/3")).ExitCode);
        var after = await CliRunner.RunAsync("batch", "report", output);
        Assert.Equal(1, after.ExitCode); // IMG_bad.dng's failure stays until its shard runs again
        Assert.Contains("5 files: 4 done, 1 failed, 0 pending", after.Out);
    }

    [Fact]
    public void ReportCountsAFileQueuedButNeverFinishedAsPending()
    {
        var t = DateTime.UtcNow;
        var entries = new List<(string, JournalEntry)>
        {
            ("shard-0-of-1.jsonl", new JournalEntry { Status = JournalStatus.Started, Time = t, Shard = "0/1", Files = 2 }),
            ("shard-0-of-1.jsonl", new JournalEntry { Status = JournalStatus.Queued, Time = t, Shard = "0/1", Key = "a.dng" }),
            ("shard-0-of-1.jsonl", new JournalEntry { Status = JournalStatus.Queued, Time = t, Shard = "0/1", Key = "b.dng" }),
            ("shard-0-of-1.jsonl", new JournalEntry { Status = JournalStatus.Done, Time = t.AddSeconds(2), Shard = "0/1", Key = "a.dng" }),
        };

        var report = BatchReport.Of(entries);

        Assert.Equal((2, 1, 0, 1), (report.Files, report.Done, report.Failed, report.Pending));
        Assert.Equal(["b.dng"], report.PendingInputs);
        Assert.False(report.Complete);
        Assert.Equal(0.5, report.Shards[0].FilesPerSecond);
    }

    [Fact]
    public async Task ReportOfAFolderWithoutJournalsFails()
    {
        using var temp = new TempFolder();

        var result = await CliRunner.RunAsync("batch", "report", temp.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no batch journals", result.Error);
    }
}
