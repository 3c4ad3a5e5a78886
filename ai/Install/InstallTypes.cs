using Microsoft.Extensions.Logging;
using RawEngine.AI.Registry;
using RawEngine.Engine;

namespace RawEngine.AI.Install;

/// <summary>Bounds on what an archive may unpack to: guards against zip bombs and entry floods.</summary>
/// <param name="MaxEntries">Entries (files, folders) in one archive.</param>
/// <param name="MaxTotalBytes">Uncompressed bytes in all, counted as they are written (and the download size).</param>
public sealed record InstallLimits(int MaxEntries = 1_000, long MaxTotalBytes = 4L << 30)
{
    public static InstallLimits Default { get; } = new();
}

/// <summary>How the installer works.</summary>
/// <param name="Search">Where models live; installs go to its <see cref="ModelSearchOptions.InstallDirectory"/>.</param>
/// <param name="AllowDownloads">False turns the URL path off (offline mode); builds with
/// RAWENGINE_NO_DOWNLOADS have it compiled out whatever this says.</param>
/// <param name="Catalog">Known archives and their digests, for installs by id or by a known file name.</param>
/// <param name="Http">Client for downloads; a private one when null.</param>
public sealed record InstallerOptions(
    ModelSearchOptions? Search = null,
    bool AllowDownloads = true,
    InstallLimits? Limits = null,
    ModelCatalog? Catalog = null,
    HttpClient? Http = null,
    ILogger? Logger = null);

/// <summary>A catalog entry's install: the package, and whether anything changed (false: that digest was already installed, intact).</summary>
public sealed record CatalogInstall(ModelPackage Package, bool Changed);

/// <summary>Where an install stands: stage name, and bytes (or entries) done out of a total when known.</summary>
public sealed record InstallProgress(string Stage, long Done, long? Total);

/// <summary>An install, removal or verification that failed: the subject is the archive, folder or URL
/// (or the model), the reason the problem. A failed install leaves the models folder as it was.</summary>
public class ModelInstallException : RawEngineException
{
    public ModelInstallException(string source, string reason, Exception? inner = null) : base(ErrorSubjectKind.File, source, reason, inner)
    {
    }

    public ModelInstallException(ErrorSubjectKind subjectKind, string? subject, string reason, Exception? inner = null)
        : base(subjectKind, subject, reason, inner)
    {
    }
}

/// <summary>A download asked for with no SHA-256 to check it against (none given, none in the catalog): refused,
/// since an unchecked download could be anything. The subject is the URL.</summary>
public sealed class DigestRequiredException(string url)
    : ModelInstallException(url, "a download needs its SHA-256 digest, and none was given or found in the catalog");

/// <summary>What <c>models verify</c> found for one model: problems is empty when it is sound.</summary>
public sealed record VerifyResult(string Id, string Directory, bool HasRecordedDigests, IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;
}
