namespace RawEngine.AI.Registry;

/// <summary>
/// Where the user's model folders and model config live, read from environment variables and the home
/// folder, and which catalog offers models to install. Tests pass their own instead of the process's.
/// </summary>
public sealed record ModelEnvironment(Func<string, string?> Variable, string Home)
{
    public const string ModelsVariable = "RAWENGINE_MODELS";

    public static ModelEnvironment Process { get; } =
        new(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
        {
            CatalogPath = Install.ModelCatalog.FindShipped(AppContext.BaseDirectory),
        };

    /// <summary>The catalog <c>models install</c> takes ids from and errors name models from (the repository's
    /// <c>models/catalog.json</c> for the process); null for none.</summary>
    public string? CatalogPath { get; init; }

    /// <summary><c>$XDG_DATA_HOME/rawengine/models</c>, by default <c>~/.local/share/rawengine/models</c>.</summary>
    public string UserModelsDirectory => Path.Combine(XdgDirectory("XDG_DATA_HOME", Path.Combine(".local", "share")), "rawengine", "models");

    /// <summary><c>$XDG_CONFIG_HOME/rawengine/models.json</c>, by default <c>~/.config/rawengine/models.json</c>:
    /// which model is active per task.</summary>
    public string ActiveConfigPath => Path.Combine(XdgDirectory("XDG_CONFIG_HOME", ".config"), "rawengine", "models.json");

    /// <summary>The folders listed in <c>RAWENGINE_MODELS</c>, separated by ':' (';' on Windows).</summary>
    public IReadOnlyList<string> EnvironmentModelDirectories =>
        (Variable(ModelsVariable) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // The XDG spec says a relative value is invalid and must be ignored.
    private string XdgDirectory(string variable, string fallbackUnderHome) =>
        Variable(variable) is { Length: > 0 } dir && Path.IsPathRooted(dir) ? dir : Path.Combine(Home, fallbackUnderHome);
}

/// <summary>Where to look for models.</summary>
/// <param name="Directories">Folders named for this call (<c>--models DIR</c>, options), searched first.</param>
/// <param name="Environment">Source of <c>RAWENGINE_MODELS</c> and the XDG folders.</param>
/// <param name="UseEnvironmentVariable">Search <c>RAWENGINE_MODELS</c>.</param>
/// <param name="UseUserDirectory">Search the user data folder.</param>
public sealed record ModelSearchOptions(
    IReadOnlyList<string>? Directories = null,
    ModelEnvironment? Environment = null,
    bool UseEnvironmentVariable = true,
    bool UseUserDirectory = true)
{
    public ModelEnvironment Env => Environment ?? ModelEnvironment.Process;

    /// <summary>Search order: explicit folders, <c>RAWENGINE_MODELS</c>, the user folder; each once.</summary>
    public IReadOnlyList<string> SearchPaths()
    {
        var paths = new List<string>();
        void Add(string dir)
        {
            var full = Path.GetFullPath(dir);
            if (!paths.Contains(full)) paths.Add(full);
        }
        foreach (var dir in Directories ?? []) Add(dir);
        if (UseEnvironmentVariable) foreach (var dir in Env.EnvironmentModelDirectories) Add(dir);
        if (UseUserDirectory) Add(Env.UserModelsDirectory);
        return paths;
    }

    /// <summary>Where installs go: the first folder named for the call, else the user data folder.</summary>
    public string InstallDirectory => Path.GetFullPath(Directories is { Count: > 0 } dirs ? dirs[0] : Env.UserModelsDirectory);
}
