using System.Security.Cryptography;
using RawEngine.AI.Install;
using RawEngine.AI.Registry;
using RawEngine.Engine;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Ai;

public sealed class InstallerTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _models;
    private readonly ModelSearchOptions _search;

    public InstallerTests()
    {
        _models = _temp.File("models");
        _search = new ModelSearchOptions([_models], AiTestFiles.IsolatedEnvironment(_temp.File("home")));
    }

    public void Dispose() => _temp.Dispose();

    private ModelInstaller Installer(InstallLimits? limits = null, bool downloads = true, ModelCatalog? catalog = null) =>
        new(new InstallerOptions(_search, downloads, limits, catalog));

    private ModelRegistry Registry() => ModelRegistry.Discover(_search);

    private string Archive(string name, IEnumerable<ArchiveEntry> entries)
    {
        var path = _temp.File(name);
        if (name.EndsWith(".tar.gz")) ArchiveFixtures.WriteTarGz(path, entries);
        else ArchiveFixtures.WriteZip(path, entries);
        return path;
    }

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Config(string id, string version, string task = "denoise") =>
        $$"""{"id": "{{id}}", "name": "{{id}}", "task": "{{task}}", "arch": "nafnet", "backend": "onnx", "version": "{{version}}"}""";

    /// <summary>What is in the models folder, so a failed install can be shown to have changed nothing.</summary>
    private string[] Snapshot() => Directory.Exists(_models)
        ? Directory.GetFileSystemEntries(_models, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray()
        : [];

    private async Task<ModelInstallException> FailsLeavingNothingBehind(Func<Task> install)
    {
        await Installer().InstallAsync(Archive($"v1-{Guid.NewGuid():N}.zip", ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "1.0"))));
        var before = Snapshot();
        var e = await Assert.ThrowsAnyAsync<ModelInstallException>(install);
        Assert.Equal(before, Snapshot());
        Assert.Equal("1.0", Registry().Get("nafnet-test").Manifest.Version);
        return e;
    }

    [Fact]
    public async Task InstallsZipAndTarGzArchivesThatTheRegistryThenFinds()
    {
        var zip = Archive("a.zip", ArchiveFixtures.Package("denoise-tiny", config: Config("from-zip", "1.0")));
        var tgz = Archive("b.tar.gz", ArchiveFixtures.Package("mask-tiny-sam2", topFolder: "whatever-1.0"));
        var progress = new List<InstallProgress>();
        var installed = await Installer().InstallAsync(zip, Sha(zip), new SyncProgress(progress.Add));
        Assert.Equal(Path.Combine(_models, "from-zip"), installed.Directory);
        Assert.Contains(progress, p => p.Stage == "extract");
        Assert.Contains(progress, p => p.Stage == "install");
        await Installer().InstallAsync(tgz);

        var registry = Registry();
        Assert.Equal(["from-zip", "mask-tiny-sam2"], registry.Models.Select(m => m.Id));
        Assert.True(File.Exists(Path.Combine(_models, "mask-tiny-sam2", "encoder.onnx")));
        Assert.DoesNotContain(Directory.GetDirectories(_models), d => Path.GetFileName(d).StartsWith('.'));
        var verified = Installer().Verify();
        Assert.All(verified, v => Assert.True(v.Ok && v.HasRecordedDigests, string.Join("; ", v.Problems)));
    }

    [Fact]
    public async Task DtModelNeedsOneTopFolderNamedByTheModelId()
    {
        var good = Archive("good.dtmodel", ArchiveFixtures.Package("denoise-tiny", topFolder: "denoise-tiny"));
        Assert.Equal("denoise-tiny", (await Installer().InstallAsync(good)).Id);
        var bad = Archive("bad.dtmodel", ArchiveFixtures.Package("denoise-tiny-fp16", topFolder: "some-other-name"));
        var e = await Assert.ThrowsAsync<ModelInstallException>(() => Installer().InstallAsync(bad));
        Assert.Contains("'some-other-name' is not named after its model id 'denoise-tiny-fp16'", e.Message);
        Assert.Null(Registry().Find("denoise-tiny-fp16"));
    }

    [Fact]
    public async Task ANewVersionReplacesTheOldOneWithNothingLeftAside()
    {
        await Installer().InstallAsync(Archive("v1.zip", ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "1.0"))));
        await Installer().InstallAsync(Archive("v2.tar.gz", ArchiveFixtures.Package("denoise-tiny-fp16", config: Config("nafnet-test", "2.0"))));
        var package = Registry().Get("nafnet-test");
        Assert.Equal("2.0", package.Manifest.Version);
        Assert.Equal([".rawengine-install.json", "config.json", "model.onnx"], Directory.GetFiles(package.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["nafnet-test"], Directory.GetFileSystemEntries(_models).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ChecksumMismatchInstallsNothing()
    {
        var v2 = Archive("v2.zip", ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "2.0")));
        var e = await FailsLeavingNothingBehind(() => Installer().InstallAsync(v2, new string('0', 64)));
        Assert.Contains("SHA-256 mismatch", e.Message);
        Assert.Contains(Sha(v2), e.Message);
    }

    [Fact]
    public async Task CatalogDigestIsCheckedForALocalArchiveOfThatName()
    {
        var v2 = Archive("nafnet-v2.zip", ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "2.0")));
        var catalog = new ModelCatalog([new CatalogEntry("nafnet-test", null, new string('a', 64), "nafnet-v2.zip")]);
        var e = await FailsLeavingNothingBehind(() => Installer(catalog: catalog).InstallAsync(v2));
        Assert.Contains("expected " + new string('a', 64), e.Message);
        var good = new ModelCatalog([new CatalogEntry("nafnet-test", null, Sha(v2), "nafnet-v2.zip")]);
        Assert.Equal("2.0", (await Installer(catalog: good).InstallAsync(v2)).Manifest.Version);
    }

    public static TheoryData<string, string, string> HostileArchives => new()
    {
        { "traversal.zip", "../x", "climbs out with '..'" },
        { "traversal.tar.gz", "pkg/../../x", "climbs out with '..'" },
        { "absolute.zip", "/etc/x", "absolute path" },
        { "absolute.tar.gz", "/etc/x", "absolute path" },
        { "link.tar.gz", "link:/etc/passwd", "is a link" },
        { "link.zip", "link:/etc/passwd", "is a link" },
    };

    [Theory]
    [MemberData(nameof(HostileArchives))]
    public async Task HostileEntriesAreRefused(string archiveName, string entryName, string reason)
    {
        var entries = ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "2.0"));
        entries.Add(entryName.StartsWith("link:") ? ArchiveEntry.Link("escape", entryName[5..]) : ArchiveEntry.Text(entryName, "owned"));
        var archive = Archive(archiveName, entries);
        var e = await FailsLeavingNothingBehind(() => Installer().InstallAsync(archive));
        Assert.Contains(reason, e.Message);
        Assert.StartsWith(archive, e.Message);
        Assert.False(File.Exists(Path.Combine(_temp.Path, "x")));
    }

    [Fact]
    public async Task HundredThousandEntriesAreRefusedEarly()
    {
        var entries = ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "2.0"));
        entries.AddRange(Enumerable.Range(0, 100_000).Select(i => new ArchiveEntry($"junk/{i}", [])));
        var archive = _temp.File("flood.zip");
        ArchiveFixtures.WriteZip(archive, entries, System.IO.Compression.CompressionLevel.NoCompression);
        var e = await FailsLeavingNothingBehind(() => Installer().InstallAsync(archive));
        Assert.Contains($"more than {InstallLimits.Default.MaxEntries} entries", e.Message);
    }

    [Fact]
    public async Task ZipBombIsStoppedByTheByteCountNotTheHeaders()
    {
        var entries = ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "2.0"));
        entries.Add(new ArchiveEntry("padding.bin", new byte[8 << 20]));
        var archive = Archive("bomb.zip", entries);
        Assert.True(new FileInfo(archive).Length < 200_000, "8 MiB of zeros compress to a small archive");
        var e = await FailsLeavingNothingBehind(() => Installer(new InstallLimits(MaxTotalBytes: 1 << 20)).InstallAsync(archive));
        Assert.Contains("zip bomb", e.Message);
    }

    [Theory]
    [InlineData("corrupt-onnx", "not a loadable ONNX model")]
    [InlineData("wrong-contract", "expected [?,3,?,?]")]
    [InlineData("unknown-task", "unknown task \"sharpen\"")]
    [InlineData("no-manifest", "no config.json")]
    [InlineData("bad-manifest", "$.task: is missing")]
    [InlineData("not-an-archive", "not a zip or tar archive")]
    public async Task PackagesThatDoNotValidateAreNotInstalled(string kind, string reason)
    {
        var entries = kind switch
        {
            "corrupt-onnx" => [ArchiveEntry.Text("config.json", Config("nafnet-test", "2.0")), ArchiveEntry.Text("model.onnx", "this is not protobuf")],
            "wrong-contract" => ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "2.0")).Where(e => e.Name != "model.onnx")
                .Append(new ArchiveEntry("model.onnx", File.ReadAllBytes(Path.Combine(AiTestFiles.InvalidModels, "denoise-four-channels", "model.onnx")))).ToList(),
            "unknown-task" => ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "2.0", task: "sharpen")),
            "no-manifest" => [new ArchiveEntry("model.onnx", File.ReadAllBytes(AiTestFiles.TestModel("denoise-tiny")))],
            "bad-manifest" => ArchiveFixtures.Package("denoise-tiny", config: """{"id": "nafnet-test"}"""),
            _ => new List<ArchiveEntry>(),
        };
        var archive = _temp.File(kind + ".zip");
        if (kind == "not-an-archive") File.WriteAllText(archive, "plain text, no archive here");
        else ArchiveFixtures.WriteZip(archive, entries);
        var e = await FailsLeavingNothingBehind(() => Installer().InstallAsync(archive));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public async Task MissingArchiveAndMalformedDigestAreClearErrors()
    {
        var e = await Assert.ThrowsAsync<ModelInstallException>(() => Installer().InstallAsync(_temp.File("nope.zip")));
        Assert.Contains("no such archive file", e.Message);
        var bad = await Assert.ThrowsAsync<ArgumentException>(() => Installer().InstallAsync(_temp.File("nope.zip"), "xyz"));
        Assert.StartsWith("\"xyz\" is not a SHA-256 digest", bad.Message);
        Assert.DoesNotContain("--", bad.Message); // the command line's words are the command line's
    }

    [Fact]
    public async Task InterruptedInstallLeavesThePreviousVersionAndNoDebris()
    {
        var v2 = Archive("v2.tar.gz", ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "2.0")));
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Stage == "extract") cts.Cancel(); });
        await Installer().InstallAsync(Archive("v1.zip", ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "1.0"))));
        var before = Snapshot();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Installer().InstallAsync(v2, progress: progress, ct: cts.Token));
        Assert.Equal(before, Snapshot());
        Assert.Equal("1.0", Registry().Get("nafnet-test").Manifest.Version);
    }

    [Fact]
    public async Task DownloadsFromALoopbackServerWithItsDigest()
    {
        var zip = Archive("served.zip", ArchiveFixtures.Package("denoise-tiny", config: Config("downloaded", "3.0")));
        using var server = new LoopbackServer("models/served.zip", File.ReadAllBytes(zip));
        var url = server.BaseUrl + "models/served.zip";
        var progress = new List<InstallProgress>();
        var installed = await Installer().InstallAsync(url, Sha(zip), new SyncProgress(progress.Add));
        Assert.Equal("downloaded", installed.Id);
        Assert.Contains(progress, p => p.Stage == "download" && p.Total == new FileInfo(zip).Length);
        Assert.Equal("3.0", Registry().Get("downloaded").Manifest.Version);

        // By catalog id: the catalog gives URL and digest.
        var catalog = new ModelCatalog([new CatalogEntry("downloaded", url, Sha(zip), null)]);
        Installer(catalog: catalog).Remove("downloaded");
        Assert.Equal("downloaded", (await Installer(catalog: catalog).InstallAsync("downloaded")).Id);
    }

    [Fact]
    public async Task DownloadsNeedADigestAndAreRefusedWhenOffOrBroken()
    {
        var zip = Archive("served.zip", ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "2.0")));
        var sha = Sha(zip);
        using var server = new LoopbackServer("m.zip", File.ReadAllBytes(zip));
        using var truncated = new LoopbackServer("m.zip", File.ReadAllBytes(zip), truncate: true);

        var noDigest = Assert.IsType<DigestRequiredException>(await FailsLeavingNothingBehind(() => Installer().InstallAsync(server.BaseUrl + "m.zip")));
        Assert.Equal(server.BaseUrl + "m.zip", noDigest.Subject);
        Assert.Contains("needs its SHA-256", noDigest.Message);
        Assert.Contains("switched off", (await FailsLeavingNothingBehind(() => Installer(downloads: false).InstallAsync(server.BaseUrl + "m.zip", sha))).Message);
        Assert.Contains("HTTP 404", (await FailsLeavingNothingBehind(() => Installer().InstallAsync(server.BaseUrl + "missing.zip", sha))).Message);
        Assert.Contains("SHA-256 mismatch", (await FailsLeavingNothingBehind(() => Installer().InstallAsync(server.BaseUrl + "m.zip", new string('1', 64)))).Message);
        var cut = await FailsLeavingNothingBehind(() => Installer().InstallAsync(truncated.BaseUrl + "m.zip", sha));
        Assert.Contains("download", cut.Message);
        Assert.False(Installer(downloads: false).DownloadsEnabled);
    }

    [Fact]
    public async Task RemoveAndVerifyWorkOnInstalledModels()
    {
        await Installer().InstallAsync(Archive("a.zip", ArchiveFixtures.Package("denoise-tiny", config: Config("nafnet-test", "1.0"))));
        var model = Path.Combine(_models, "nafnet-test", "model.onnx");
        var bytes = File.ReadAllBytes(model);
        bytes[^1] ^= 0x55;
        File.WriteAllBytes(model, bytes);
        var result = Assert.Single(Installer().Verify("nafnet-test"));
        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Contains("model.onnx: SHA-256 differs"));

        Assert.Equal(Path.Combine(_models, "nafnet-test"), Installer().Remove("nafnet-test"));
        Assert.Empty(Registry().Models);
        Assert.Empty(Directory.GetFileSystemEntries(_models));
        var notInstalled = Assert.Throws<ModelInstallException>(() => Installer().Remove("nafnet-test"));
        Assert.Equal((ErrorSubjectKind.Model, "nafnet-test"), (notInstalled.SubjectKind, notInstalled.Subject));
        Assert.StartsWith("model 'nafnet-test': not installed", notInstalled.Message);
    }

    /// <summary>A model folder like the ones the repository ships: the denoise-tiny package under another id.</summary>
    private string Folder(string name, string id)
    {
        var folder = Directory.CreateDirectory(_temp.File(name)).FullName;
        foreach (var entry in ArchiveFixtures.Package("denoise-tiny", config: Config(id, "2.0")))
            File.WriteAllBytes(Path.Combine(folder, entry.Name), entry.Bytes);
        return folder;
    }

    [Fact]
    public async Task AFolderInstallsByTheDigestOfItsSha256sumListing()
    {
        var folder = Folder("pkg", "nafnet-test");
        var listing = string.Concat(Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Select(name => $"{Sha(Path.Combine(folder, name!))}  {name}\n"));
        var digest = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(listing)));
        Assert.Equal(digest, Digest.OfFolder(folder));

        var e = await FailsLeavingNothingBehind(() => Installer().InstallAsync(folder, new string('0', 64)));
        Assert.Contains($"SHA-256 mismatch: expected {new string('0', 64)}, got {digest}", e.Message);
        Assert.Equal("2.0", (await Installer().InstallAsync(folder, digest)).Manifest.Version);
        Assert.Empty(Installer().Verify("nafnet-test").Single().Problems);
    }

    [Fact]
    public async Task AFolderHoldingALinkIsRefused()
    {
        var folder = Folder("pkg", "nafnet-test");
        File.CreateSymbolicLink(Path.Combine(folder, "extra.onnx"), "/etc/passwd");
        var e = await FailsLeavingNothingBehind(() => Installer().InstallAsync(folder));
        Assert.Contains("'extra.onnx' is a link; links are refused", e.Message);
    }

    [Fact]
    public async Task ACatalogEntryInstallsOnceAndAgainOnlyWhenItsCopyWasTamperedWith()
    {
        var folder = Folder("pkg", "nafnet-test");
        var entry = new CatalogEntry("nafnet-test", null, Digest.OfFolder(folder), null) { Path = folder };

        var first = await Installer().InstallAsync(entry);
        Assert.True(first.Changed);
        var record = Path.Combine(_models, "nafnet-test", ModelInstaller.RecordFileName);
        var written = File.GetLastWriteTimeUtc(record);
        var again = await Installer().InstallAsync(entry);
        Assert.False(again.Changed);
        Assert.Equal(written, File.GetLastWriteTimeUtc(record));

        File.AppendAllText(Path.Combine(_models, "nafnet-test", "model.onnx"), "tampered");
        Assert.True((await Installer().InstallAsync(entry)).Changed);
        Assert.Empty(Installer().Verify("nafnet-test").Single().Problems);
    }

    [Fact]
    public async Task ACatalogEntryMustInstallTheIdItNames()
    {
        var folder = Folder("pkg", "another-id");
        var entry = new CatalogEntry("nafnet-test", null, Digest.OfFolder(folder), null) { Path = folder };
        var e = await FailsLeavingNothingBehind(() => Installer().InstallAsync(entry));
        Assert.Contains("the package's id 'another-id' is not the catalog's 'nafnet-test'", e.Message);
    }

    [Fact]
    public void VerifyChecksContractsOfModelsInstalledByHand()
    {
        var search = new ModelSearchOptions([AiTestFiles.ShippedModels, AiTestFiles.InvalidModels], AiTestFiles.IsolatedEnvironment(_temp.File("home")));
        var results = new ModelInstaller(new InstallerOptions(search)).Verify();
        Assert.True(results.Single(r => r.Id == "demosaic-demosaicnet-bayer").Ok);
        Assert.True(results.Single(r => r.Id == "demosaic-demosaicnet-xtrans").Ok);
        var broken = results.Single(r => r.Id == "denoise-four-channels");
        Assert.False(broken.HasRecordedDigests);
        Assert.Contains(broken.Problems, p => p.Contains("input tensor 'input'"));
    }

    /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<InstallProgress> report) : IProgress<InstallProgress>
    {
        public void Report(InstallProgress value) => report(value);
    }
}
