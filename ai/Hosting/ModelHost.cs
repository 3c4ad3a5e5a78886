using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Registry;

namespace RawEngine.AI.Hosting;

/// <summary>A package's networks, loaded and checked against its task contract.</summary>
public sealed record LoadedModel(ModelPackage Package, TaskContract Contract, IReadOnlyDictionary<string, OnnxModel> Networks)
{
    /// <summary>The one network of a single-file task (denoise, demosaic).</summary>
    public OnnxModel Network => Networks.TryGetValue(TaskContract.SingleFile, out var model) ? model
        : throw new InvalidOperationException($"model '{Package.Id}' has {Networks.Count} networks; name one ({string.Join(", ", Networks.Keys)}).");

    /// <summary>The provider the networks run on.</summary>
    public ExecutionProvider Provider => Networks.Values.First().Provider;

    public ModelIo Io => Contract.Io;
}

/// <summary>
/// Opens model packages for inference: loads each network through a <see cref="SessionCache"/> (so a
/// package opened twice with the same fixed dimensions shares its sessions) and validates the real
/// tensors against the task contract before handing anything out. Disposing the host disposes every session.
/// </summary>
public sealed class ModelHost(InferenceSettings? settings = null, ILogger? logger = null) : IDisposable
{
    private readonly SessionCache _cache = new(logger);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public InferenceSettings Settings { get; } = settings ?? InferenceSettings.Default;

    /// <param name="fixedDims">Symbolic dimensions to fix for this call (tile size, <c>num_points</c>), over the io block's <c>fixed_dims</c>.</param>
    public LoadedModel Open(ModelPackage package, IReadOnlyDictionary<string, long>? fixedDims = null)
    {
        var (contract, networks) = Load(package, Settings, fixedDims, _cache);
        _logger.LogInformation("Model {Id} ({Task}) runs on {Provider}", package.Id, package.Task, networks.Values.First().Provider.ToName());
        return new LoadedModel(package, contract, networks);
    }

    /// <summary>Loads every network of <paramref name="package"/> on the CPU and checks the contract, then
    /// lets the sessions go: what the installer and <c>models verify</c> run.</summary>
    public static TaskContract Validate(ModelPackage package, ILogger? logger = null)
    {
        using var cache = new SessionCache(logger);
        return Load(package, InferenceSettings.Cpu with { Optimization = GraphOptimization.Basic }, null, cache).Contract;
    }

    public void Dispose() => _cache.Dispose();

    private static (TaskContract Contract, Dictionary<string, OnnxModel> Networks) Load(
        ModelPackage package, InferenceSettings settings, IReadOnlyDictionary<string, long>? fixedDims, SessionCache cache)
    {
        if (!string.Equals(package.Manifest.Backend, "onnx", StringComparison.OrdinalIgnoreCase))
            throw new ModelContractException(package.Id, "backend \"{package.Manifest.Backend}\" is not supported (only onnx)");
        var dims = new Dictionary<string, long>(package.Manifest.Io?.FixedDims ?? new Dictionary<string, long>());
        foreach (var (name, size) in fixedDims ?? new Dictionary<string, long>()) dims[name] = size;
        var networks = new Dictionary<string, OnnxModel>();
        foreach (var file in TaskContract.FilesOf(package.Manifest))
            networks[file] = cache.Get(package.FilePath(file), settings, dims);
        var decoder = networks.TryGetValue(TaskContract.DecoderFile, out var d) ? ModelSignature.Of(d) : null;
        var contract = TaskContract.For(package.Manifest, decoder);
        foreach (var (file, network) in networks) contract.Validate(file, ModelSignature.Of(network));
        return (contract, networks);
    }
}
