using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RawEngine.AI.Backend;
using RawEngine.AI.Registry;
using RawEngine.AI.Tiling;

namespace RawEngine.AI.Hosting;

/// <summary>A model chosen for a call, loaded and ready to run in tiles.</summary>
public sealed record ChosenModel(ModelChoice Choice, TiledInference Tiler)
{
    public ModelPackage Package => Choice.Package;
}

/// <summary>
/// What neural modules need to find and run models, made once per engine (or application) and handed to
/// the modules that use it: where models are searched, which one is active per task, the inference
/// settings (execution provider), and the loaded models. The registry is scanned on first use; each
/// package loads once and its tiler (with its pooled bindings) is shared by every pipe. Thread-safe.
/// </summary>
public sealed class ModelServices : IDisposable
{
    private readonly Lazy<ModelRegistry> _registry;
    private readonly Lazy<ActiveModelConfig> _active;
    private readonly ConcurrentDictionary<string, Lazy<TiledInference>> _tilers = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    /// <param name="search">Model folders (<c>--models</c>), <c>RAWENGINE_MODELS</c> and the user folder.</param>
    /// <param name="settings">Execution provider and session settings (default: auto).</param>
    /// <param name="active">Which model is active per task; null reads the user's config from <paramref name="search"/>'s environment.</param>
    public ModelServices(ModelSearchOptions? search = null, InferenceSettings? settings = null, ActiveModelConfig? active = null, ILoggerFactory? loggerFactory = null)
    {
        Search = search ?? new ModelSearchOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<ModelServices>();
        Host = new ModelHost(settings, _loggerFactory.CreateLogger<ModelHost>());
        _registry = new Lazy<ModelRegistry>(() => ModelRegistry.Discover(Search, _loggerFactory.CreateLogger<ModelRegistry>()));
        _active = new Lazy<ActiveModelConfig>(() => active ?? ActiveModelConfig.Load(environment: Search.Env));
    }

    public ModelSearchOptions Search { get; }
    public ModelHost Host { get; }
    public InferenceSettings Settings => Host.Settings;
    public ModelRegistry Registry => _registry.Value;
    public ActiveModelConfig Active => _active.Value;

    /// <summary>
    /// The model for <paramref name="task"/> and this input (the requested id, else the active one, else
    /// the default or first that fits), loaded and validated against its contract, with its tiler.
    /// </summary>
    /// <exception cref="ModelNotFoundException">No model serves the task for this input.</exception>
    /// <exception cref="Contracts.ModelContractException">The model's tensors or io block do not fit the task.</exception>
    /// <exception cref="ModelLoadException">The file is missing or not ONNX, or the provider cannot run.</exception>
    public ChosenModel Open(string task, ModelInputTraits input, string? requestedId = null)
    {
        var choice = Registry.Choose(task, input, string.IsNullOrEmpty(requestedId) ? null : requestedId, Active);
        var entry = _tilers.GetOrAdd(choice.Package.Directory, _ => new Lazy<TiledInference>(() =>
        {
            var loaded = Host.Open(choice.Package);
            return new TiledInference(loaded, _loggerFactory.CreateLogger<TiledInference>());
        }));
        try
        {
            var tiler = entry.Value;
            _logger.LogInformation("{Task}: model '{Id}' ({Reason}) for {Input} on {Provider}", task, choice.Package.Id, choice.Reason, input, tiler.Model.Provider.ToName());
            return new ChosenModel(choice, tiler);
        }
        catch
        {
            // A failed load is not kept: the next call tries again.
            _tilers.TryRemove(new KeyValuePair<string, Lazy<TiledInference>>(choice.Package.Directory, entry));
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var entry in _tilers.Values)
            if (entry.IsValueCreated) entry.Value.Dispose();
        _tilers.Clear();
        Host.Dispose();
    }
}
