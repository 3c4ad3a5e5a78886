using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.Engine;

namespace RawEngine.AI.Install;

/// <summary>
/// Installs, removes and verifies model packages in the models folder. An install hashes the archive
/// (checked against the SHA-256 given or found in the catalog; required for URLs), unpacks it (or copies a
/// model folder, hashed as <see cref="Digest.OfFolder"/> says) into a hidden staging folder inside the
/// models folder, validates it (manifest parses, every network loads, the task contract holds), records the files' digests, then renames it into place. An older version is
/// moved aside first and deleted only after the new one is in place. Whatever fails, the models folder
/// is left as it was, with no staging debris.
/// </summary>
public sealed class ModelInstaller(InstallerOptions? options = null)
{
    /// <summary>Written into each installed model folder: source, archive digest, and every file's digest.</summary>
    public const string RecordFileName = ".rawengine-install.json";

    private const string StagingPrefix = ".staging-";
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient { Timeout = Timeout.InfiniteTimeSpan });

    private readonly InstallerOptions _options = options ?? new InstallerOptions();
    private ILogger Logger => _options.Logger ?? NullLogger.Instance;
    private InstallLimits Limits => _options.Limits ?? InstallLimits.Default;
    private ModelSearchOptions Search => _options.Search ?? new ModelSearchOptions();

    /// <summary>Whether this build and these options allow installs from URLs.</summary>
    public bool DownloadsEnabled =>
#if RAWENGINE_NO_DOWNLOADS
        false;
#else
        _options.AllowDownloads;
#endif

    /// <summary>
    /// Installs from a local archive (.zip, .tar.gz, .dtmodel), a model folder, an http(s) URL, or the id of a catalog entry.
    /// </summary>
    /// <param name="sha256">Expected digest of the archive or folder; else the catalog's; required for URLs.</param>
    public async Task<ModelPackage> InstallAsync(string source, string? sha256 = null, IProgress<InstallProgress>? progress = null, CancellationToken ct = default)
    {
        var expected = Digest.Normalise(sha256);
        if (expected is null && !File.Exists(source) && !Directory.Exists(source) && !IsUrl(source) && _options.Catalog?.ById(source) is { } byId)
            return (await InstallAsync(byId, progress, ct).ConfigureAwait(false)).Package;
        return await InstallFromAsync(source, expected ?? _options.Catalog?.BySource(source)?.Sha256, null, progress, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Installs a catalog entry: its shipped package or its download, checked against the catalog's digest and id.
    /// A copy of that digest already installed and intact is left as it is (<see cref="CatalogInstall.Changed"/> false).
    /// </summary>
    public async Task<CatalogInstall> InstallAsync(CatalogEntry entry, IProgress<InstallProgress>? progress = null, CancellationToken ct = default)
    {
        var target = Path.Combine(Search.InstallDirectory, entry.Id);
        if (RecordedDigest(target) == entry.Sha256 && RecordProblems(target).Count == 0)
            return new CatalogInstall(new ModelPackage(ManifestReader.Read(Path.Combine(target, ModelManifest.FileName)), target, Search.InstallDirectory, 0), Changed: false);
        var source = entry.Path ?? entry.Url ?? throw new ModelInstallException(ErrorSubjectKind.Model, entry.Id, "the catalog gives neither a path nor a URL for it");
        return new CatalogInstall(await InstallFromAsync(source, entry.Sha256, entry.Id, progress, ct).ConfigureAwait(false), Changed: true);
    }

    /// <param name="expectedId">The id the package must declare (a catalog entry's), or null for any.</param>
    private async Task<ModelPackage> InstallFromAsync(string source, string? expected, string? expectedId, IProgress<InstallProgress>? progress, CancellationToken ct)
    {
        var modelsDir = Search.InstallDirectory;
        Directory.CreateDirectory(modelsDir);
        var staging = Path.Combine(modelsDir, StagingPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var content = Path.Combine(staging, "content");
            string actual;
            if (!IsUrl(source) && Directory.Exists(source))
            {
                CopyFolder(source, content, ct);
                actual = Digest.OfFolder(content);
                CheckDigest(source, expected, actual);
            }
            else
            {
                var archive = Path.Combine(staging, "archive" + ArchiveSuffix(source));
                if (IsUrl(source))
                {
                    if (expected is null) throw new DigestRequiredException(source);
                    actual = await DownloadAsync(new Uri(source), archive, progress, ct).ConfigureAwait(false);
                }
                else
                {
                    if (!File.Exists(source)) throw new ModelInstallException(source, "no such archive file, model folder or catalog id");
                    actual = await CopyHashedAsync(source, archive, progress, ct).ConfigureAwait(false);
                }
                // Checked before unpacking: an archive of unknown bytes is never opened.
                CheckDigest(source, expected, actual);
                SafeArchiveExtractor.Extract(archive, source, content, Limits, progress, ct);
                File.Delete(archive);
            }
            var packageDir = PackageRoot(source, content);
            ct.ThrowIfCancellationRequested();

            progress?.Report(new InstallProgress("validate", 0, null));
            var manifest = ReadManifest(source, packageDir);
            if (expectedId is not null && manifest.Id != expectedId)
                throw new ModelInstallException(source, $"the package's id '{manifest.Id}' is not the catalog's '{expectedId}'");
            if (IsDtModel(source) && Path.GetFileName(packageDir) != manifest.Id)
                throw new ModelInstallException(source, $"the .dtmodel's top folder '{Path.GetFileName(packageDir)}' is not named after its model id '{manifest.Id}'");
            Validate(source, new ModelPackage(manifest, packageDir, modelsDir, 0));
            WriteRecord(packageDir, manifest.Id, source, actual);
            ct.ThrowIfCancellationRequested();

            progress?.Report(new InstallProgress("install", 0, null));
            var target = Path.Combine(modelsDir, manifest.Id);
            MoveIntoPlace(packageDir, target, modelsDir);
            Logger.LogInformation("Installed model {Id} ({Task}) into {Folder}", manifest.Id, manifest.Task, target);
            return new ModelPackage(manifest, target, modelsDir, 0);
        }
        finally
        {
            DeleteQuietly(staging);
        }
    }

    /// <summary>Removes an installed model's folder (moved aside, then deleted); returns the folder removed.</summary>
    public string Remove(string id)
    {
        var registry = ModelRegistry.Discover(Search, Logger);
        var package = registry.Find(id) ?? throw new ModelInstallException(ErrorSubjectKind.Model, id, $"not installed (searched {string.Join(", ", registry.SearchPaths)})");
        var aside = Path.Combine(package.SearchRoot, ".removing-" + id + "-" + Guid.NewGuid().ToString("N"));
        try { Directory.Move(package.Directory, aside); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelInstallException(package.Directory, $"cannot remove model '{id}': {e.Message}", e);
        }
        DeleteQuietly(aside);
        Logger.LogInformation("Removed model {Id} from {Folder}", id, package.Directory);
        return package.Directory;
    }

    /// <summary>Re-hashes each model's files against the digests recorded at install and re-validates its
    /// contract; all models when <paramref name="id"/> is null.</summary>
    public IReadOnlyList<VerifyResult> Verify(string? id = null)
    {
        var registry = ModelRegistry.Discover(Search, Logger);
        var packages = id is null ? registry.Models : [registry.Get(id)];
        return packages.Select(VerifyOne).ToList();
    }

    private VerifyResult VerifyOne(ModelPackage package)
    {
        var hasRecord = File.Exists(Path.Combine(package.Directory, RecordFileName));
        var problems = hasRecord ? RecordProblems(package.Directory) : [];
        try { ModelHost.Validate(package, Logger); }
        catch (Exception e) when (e is ModelLoadException or ModelContractException) { problems.Add(e.Message); }
        return new VerifyResult(package.Id, package.Directory, hasRecord, problems);
    }

    /// <summary>The files of an installed model that no longer match the digests its install record holds.</summary>
    private static List<string> RecordProblems(string modelDir)
    {
        var problems = new List<string>();
        try
        {
            using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(modelDir, RecordFileName)));
            foreach (var file in record.RootElement.GetProperty("files").EnumerateObject())
            {
                var path = Path.Combine(modelDir, file.Name);
                if (!File.Exists(path)) problems.Add($"{file.Name}: missing");
                else if (Digest.OfFile(path) != file.Value.GetString()) problems.Add($"{file.Name}: SHA-256 differs from the one recorded at install");
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            problems.Add($"{RecordFileName}: unreadable: {e.Message}");
        }
        return problems;
    }

    /// <summary>The archive or folder digest recorded when the model in <paramref name="modelDir"/> was installed, if any.</summary>
    private static string? RecordedDigest(string modelDir)
    {
        try
        {
            using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(modelDir, RecordFileName)));
            return record.RootElement.TryGetProperty("archive_sha256", out var sha) ? sha.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException) { return null; }
    }

    private void CheckDigest(string source, string? expected, string actual)
    {
        if (expected is null) Logger.LogWarning("Installing {Source} without a known SHA-256 (computed {Digest})", source, actual);
        else if (actual != expected) throw new ModelInstallException(source, $"SHA-256 mismatch: expected {expected}, got {actual}");
    }

    /// <summary>Copies a model folder into <paramref name="destination"/> under the archive rules: no links, at most
    /// <see cref="InstallLimits.MaxEntries"/> entries and <see cref="InstallLimits.MaxTotalBytes"/> bytes.</summary>
    private void CopyFolder(string source, string destination, CancellationToken ct)
    {
        var entries = new DirectoryInfo(source).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).ToList();
        if (entries.Count > Limits.MaxEntries) throw new ModelInstallException(source, $"more than {Limits.MaxEntries} entries; refusing it");
        if (entries.FirstOrDefault(e => e.LinkTarget is not null) is { } link)
            throw new ModelInstallException(source, $"'{Path.GetRelativePath(source, link.FullName)}' is a link; links are refused");
        if (entries.OfType<FileInfo>().Sum(f => f.Length) > Limits.MaxTotalBytes)
            throw new ModelInstallException(source, $"more than the {Limits.MaxTotalBytes} bytes allowed");
        Directory.CreateDirectory(destination);
        foreach (var entry in entries)
        {
            ct.ThrowIfCancellationRequested();
            var target = Path.Combine(destination, Path.GetRelativePath(source, entry.FullName));
            if (entry is DirectoryInfo) Directory.CreateDirectory(target);
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(entry.FullName, target);
            }
        }
    }

    private static bool IsUrl(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static bool IsDtModel(string source) => source.EndsWith(".dtmodel", StringComparison.OrdinalIgnoreCase);

    private static string ArchiveSuffix(string source)
    {
        var name = IsUrl(source) ? new Uri(source).AbsolutePath : source;
        return name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) ? ".tar.gz" : Path.GetExtension(name) is { Length: > 0 and < 10 } ext ? ext : ".bin";
    }

    private async Task<string> DownloadAsync(Uri url, string destination, IProgress<InstallProgress>? progress, CancellationToken ct)
    {
#if RAWENGINE_NO_DOWNLOADS
        await Task.CompletedTask.ConfigureAwait(false);
        throw new ModelInstallException(url.ToString(), "this build has downloads compiled out (RAWENGINE_NO_DOWNLOADS); install from a local archive");
#else
        if (!_options.AllowDownloads) throw new ModelInstallException(url.ToString(), "downloads are switched off; install from a local archive");
        var http = _options.Http ?? SharedHttp.Value;
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new ModelInstallException(url.ToString(), $"download failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            var total = response.Content.Headers.ContentLength;
            if (total > Limits.MaxTotalBytes) throw new ModelInstallException(url.ToString(), $"{total} bytes is more than the {Limits.MaxTotalBytes} allowed");
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var digest = await CopyHashedAsync(body, destination, total, "download", progress, ct).ConfigureAwait(false);
            var received = new FileInfo(destination).Length;
            if (total is not null && received != total)
                throw new ModelInstallException(url.ToString(), $"download truncated: {received} of {total} bytes");
            return digest;
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !ct.IsCancellationRequested)
        {
            throw new ModelInstallException(url.ToString(), $"download failed: {e.Message}", e);
        }
#endif
    }

    private async Task<string> CopyHashedAsync(string source, string destination, IProgress<InstallProgress>? progress, CancellationToken ct)
    {
        await using var input = File.OpenRead(source);
        return await CopyHashedAsync(input, destination, input.Length, "verify", progress, ct).ConfigureAwait(false);
    }

    /// <summary>Copies a stream to a file while hashing it, so the bytes checked are the bytes unpacked.</summary>
    private async Task<string> CopyHashedAsync(Stream input, string destination, long? total, string stage, IProgress<InstallProgress>? progress, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long done = 0;
        int n;
        while ((n = await input.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            done += n;
            if (done > Limits.MaxTotalBytes) throw new ModelInstallException(destination, $"more than the {Limits.MaxTotalBytes} bytes allowed");
            hash.AppendData(buffer, 0, n);
            await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            progress?.Report(new InstallProgress(stage, done, total));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The folder holding config.json: the archive's root, or its one top-level folder.</summary>
    private static string PackageRoot(string source, string content)
    {
        if (File.Exists(Path.Combine(content, ModelManifest.FileName))) return content;
        var dirs = Directory.GetDirectories(content);
        var files = Directory.GetFiles(content);
        if (dirs.Length == 1 && files.Length == 0 && File.Exists(Path.Combine(dirs[0], ModelManifest.FileName))) return dirs[0];
        throw new ModelInstallException(source, $"no {ModelManifest.FileName} at the archive's root or in its one top-level folder");
    }

    private static ModelManifest ReadManifest(string source, string packageDir)
    {
        try { return ManifestReader.Read(Path.Combine(packageDir, ModelManifest.FileName)); }
        catch (ModelManifestException e)
        {
            throw new ModelInstallException(source, $"{ModelManifest.FileName}: {e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..]}", e);
        }
    }

    private void Validate(string source, ModelPackage package)
    {
        try { ModelHost.Validate(package, Logger); }
        catch (Exception e) when (e is ModelLoadException or ModelContractException)
        {
            throw new ModelInstallException(source, $"{e.Message.Replace(package.Directory + Path.DirectorySeparatorChar, "")}", e);
        }
    }

    private static void WriteRecord(string packageDir, string id, string source, string archiveDigest)
    {
        var files = Directory.GetFiles(packageDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(packageDir, f))
            .Where(f => f != RecordFileName)
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToDictionary(f => f, f => Digest.OfFile(Path.Combine(packageDir, f)));
        var record = new { id, source, archive_sha256 = archiveDigest, installed_at = DateTimeOffset.UtcNow, files };
        File.WriteAllText(Path.Combine(packageDir, RecordFileName), JsonSerializer.Serialize(record, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Renames the validated folder onto the model's id. An existing version is moved aside
    /// first and put back if the rename fails; it is deleted only once the new one is in place.</summary>
    private static void MoveIntoPlace(string packageDir, string target, string modelsDir)
    {
        string? aside = null;
        if (Directory.Exists(target))
        {
            aside = Path.Combine(modelsDir, ".old-" + Path.GetFileName(target) + "-" + Guid.NewGuid().ToString("N"));
            Directory.Move(target, aside);
        }
        try
        {
            Directory.Move(packageDir, target);
        }
        catch
        {
            if (aside is not null) Directory.Move(aside, target);
            throw;
        }
        if (aside is not null) DeleteQuietly(aside);
    }

    private static void DeleteQuietly(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort: a hidden folder the registry skips */ }
    }
}
