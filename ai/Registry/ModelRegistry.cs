using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RawEngine.AI.Contracts;
using RawEngine.Engine;

namespace RawEngine.AI.Registry;

/// <summary>Why a model was chosen for a call.</summary>
public enum ChoiceReason { Requested, Active, Default, FirstFound }

public sealed record ModelChoice(ModelPackage Package, ChoiceReason Reason);

/// <summary>A folder that looks like a model but could not be read, or a model hidden by an earlier one of the same id.</summary>
public sealed record ModelProblem(string Directory, string Message);

/// <summary>
/// No installed model answers a request: the subject is the model asked for by id (none when a task was asked
/// for), the reason says what is there. <see cref="Installable"/> lists the catalog's models that would answer it.
/// </summary>
public sealed class ModelNotFoundException(string? modelId, string reason, IReadOnlyList<string>? installable = null)
    : RawEngineException(ErrorSubjectKind.Model, modelId, reason)
{
    /// <summary>Ids in the shipped catalog whose install would answer the request; empty when none would.</summary>
    public IReadOnlyList<string> Installable { get; } = installable ?? [];
}

/// <summary>
/// The models installed in the search folders: one sub-folder per model holding <c>config.json</c>.
/// Folders are searched in order and the first model of an id wins; within a folder models are taken
/// in id order. Hidden folders (a leading '.') are the installer's staging area and are skipped.
/// </summary>
public sealed class ModelRegistry
{
    private readonly ILogger _logger;

    private ModelRegistry(ModelSearchOptions options, IReadOnlyList<string> searchPaths, IReadOnlyList<ModelPackage> models, IReadOnlyList<ModelProblem> problems, ILogger logger)
    {
        Options = options;
        SearchPaths = searchPaths;
        Models = models;
        Problems = problems;
        _logger = logger;
    }

    public ModelSearchOptions Options { get; }
    public IReadOnlyList<string> SearchPaths { get; }

    /// <summary>Every usable model, in search order then id.</summary>
    public IReadOnlyList<ModelPackage> Models { get; }

    /// <summary>Folders skipped while scanning, with the reason (broken manifest, shadowed id).</summary>
    public IReadOnlyList<ModelProblem> Problems { get; }

    public string InstallDirectory => Options.InstallDirectory;

    public static ModelRegistry Discover(ModelSearchOptions? options = null, ILogger? logger = null)
    {
        options ??= new ModelSearchOptions();
        logger ??= NullLogger.Instance;
        var searchPaths = options.SearchPaths();
        var models = new List<ModelPackage>();
        var problems = new List<ModelProblem>();
        for (var index = 0; index < searchPaths.Count; index++)
        {
            var root = searchPaths[index];
            if (!Directory.Exists(root)) continue;
            var found = new List<ModelPackage>();
            foreach (var dir in Directory.EnumerateDirectories(root))
            {
                if (Path.GetFileName(dir).StartsWith('.')) continue;
                var manifestPath = Path.Combine(dir, ModelManifest.FileName);
                if (!File.Exists(manifestPath)) continue;
                try
                {
                    found.Add(new ModelPackage(ManifestReader.Read(manifestPath), dir, root, index));
                }
                catch (ModelManifestException e)
                {
                    logger.LogWarning("Skipping model folder {Folder}: {Reason}", dir, e.Message);
                    problems.Add(new ModelProblem(dir, e.Message));
                }
            }
            foreach (var package in found.OrderBy(p => p.Id, StringComparer.Ordinal))
            {
                var winner = models.FirstOrDefault(m => m.Id == package.Id);
                if (winner is null) models.Add(package);
                else problems.Add(new ModelProblem(package.Directory, $"model '{package.Id}' is hidden by {winner.Directory}, found earlier"));
            }
        }
        return new ModelRegistry(options, searchPaths, models, problems, logger);
    }

    public ModelPackage? Find(string id) => Models.FirstOrDefault(m => m.Id == id);

    public ModelPackage Get(string id) => Find(id) ?? throw new ModelNotFoundException(id,
        $"not installed (searched {Describe(SearchPaths)}; installed: {Describe(Models.Select(m => m.Id))})");

    public IEnumerable<ModelPackage> ForTask(string task) => Models.Where(m => m.Task == task);

    /// <summary>
    /// The model that serves <paramref name="task"/> for this call: the one named for the call; else the
    /// active one in <paramref name="active"/> if it fits the input; else among the models that fit the
    /// input the one marked default; else the first found (search order, then id).
    /// </summary>
    public ModelChoice Choose(string task, ModelInputTraits? input = null, string? requestedId = null, ActiveModelConfig? active = null)
    {
        if (requestedId is not null)
        {
            var requested = Get(requestedId);
            if (requested.Task != task)
                throw new ModelNotFoundException(requestedId, $"is a {requested.Task} model, not a {task} model");
            if (input is not null && !input.Fits(requested.Manifest))
                throw new ModelNotFoundException(requestedId, $"does not take {input} ({Layout(requested)})");
            return new ModelChoice(requested, ChoiceReason.Requested);
        }
        if (active?.ActiveFor(task) is { } activeId)
        {
            var chosen = Find(activeId);
            if (chosen is not null && chosen.Task == task && (input is null || input.Fits(chosen.Manifest)))
                return new ModelChoice(chosen, ChoiceReason.Active);
            _logger.LogInformation("Active {Task} model '{Id}' in {Config} is {State}; choosing another", task, activeId, active.Path,
                chosen is null ? "not installed" : chosen.Task != task ? $"a {chosen.Task} model" : $"not for {input}");
        }
        var fitting = ForTask(task).Where(m => input is null || input.Fits(m.Manifest)).ToList();
        if (fitting.FirstOrDefault(m => m.Manifest.IsDefault) is { } byDefault) return new ModelChoice(byDefault, ChoiceReason.Default);
        if (fitting.Count > 0) return new ModelChoice(fitting[0], ChoiceReason.FirstFound);
        var ofTask = ForTask(task).Select(m => m.Id).ToList();
        var offers = Offers(task, input);
        throw new ModelNotFoundException(null, ofTask.Count == 0
            ? offers.Count > 0 ? $"no {task} model installed" : $"no {task} model is installed (searched {Describe(SearchPaths)})"
            : $"no installed {task} model takes {input} (installed {task} models: {Describe(ofTask)})", offers);
    }

    /// <summary>The ids the environment's catalog offers for <paramref name="task"/> and <paramref name="input"/>,
    /// not installed yet; none when there is no catalog or it cannot be read (the error is no worse without them).</summary>
    private IReadOnlyList<string> Offers(string task, ModelInputTraits? input)
    {
        if (Options.Env.CatalogPath is not { } path) return [];
        try { return [.. Install.ModelCatalog.Load(path).Offers(task, input, Models.Select(m => m.Id)).Select(e => e.Id)]; }
        catch (ModelManifestException e)
        {
            _logger.LogWarning("Cannot read the model catalog: {Reason}", e.Message);
            return [];
        }
    }

    private static string Layout(ModelPackage package)
    {
        try
        {
            var io = TaskDefaults.EffectiveIo(package.Manifest);
            return io.Cfa is null ? $"it takes {io.Layout}" : $"it takes a {io.Cfa.Type} {io.Layout}";
        }
        catch (ModelContractException e) { return e.Message; }
    }

    private static string Describe(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
