namespace RawEngine.Tests.Support;

/// <summary>Paths to the repository, to the test data it carries, and to the read-only shared data beside it.</summary>
public static class SharedData
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Whether the shared corpora sit beside the repository (CI and the team's machines; not a user's clone).</summary>
    public static bool Available { get; } = Directory.Exists(Path.Combine(RepositoryRoot, "..", "shared", "testdata"));

    public static string SkipReason(string what) => $"needs {what} from ../shared, which is not beside this clone";

    public static string Shared(params string[] parts) => Path.GetFullPath(Path.Combine([RepositoryRoot, "..", "shared", .. parts]));

    public static string CanonLinearDng => Shared("testdata", "raw", "canon_eos_6d_linear.dng");

    /// <summary>The Kodak images the repository carries (testdata/kodak: 1, 8, 19, 23).</summary>
    public static IReadOnlyList<int> VendoredKodak { get; } = [1, 8, 19, 23];

    /// <summary>Kodak image <paramref name="index"/>: the repository's copy when it carries one, else the shared set's.</summary>
    public static string Kodak(int index) => VendoredKodak.Contains(index)
        ? Path.Combine(RepositoryRoot, "testdata", "kodak", $"kodim{index:00}.png")
        : Shared("testdata", "kodak24", $"kodim{index:00}.png");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawEngine.sln"))) return dir.FullName;
        throw new InvalidOperationException("RawEngine.sln not found above the test binaries.");
    }
}

/// <summary>A temporary folder removed when disposed.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("rawengine-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
