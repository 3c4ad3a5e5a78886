using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace RawEngine.AI.Backend;

/// <summary>
/// One ONNX model file loaded into an ONNX Runtime session on a chosen execution provider, with its
/// free dimensions fixed at load. Thread-safe for runs; each thread uses its own <see cref="InferenceBinding"/>.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;

    private OnnxModel(string path, InferenceSession session, ExecutionProvider provider, IReadOnlyDictionary<string, long> fixedDims)
    {
        Path = path;
        _session = session;
        Provider = provider;
        FixedDims = fixedDims;
        Inputs = Describe(session.InputMetadata, session.InputNames);
        Outputs = Describe(session.OutputMetadata, session.OutputNames);
    }

    public string Path { get; }

    /// <summary>The provider the session was built with (never <see cref="ExecutionProvider.Auto"/>).</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>Free dimensions fixed at load, by symbolic name.</summary>
    public IReadOnlyDictionary<string, long> FixedDims { get; }

    public IReadOnlyList<TensorSpec> Inputs { get; }
    public IReadOnlyList<TensorSpec> Outputs { get; }

    internal InferenceSession Session => _session;

    /// <summary>
    /// Loads <paramref name="path"/>. With <see cref="ExecutionProvider.Auto"/> each accelerated provider
    /// present at run time is tried in turn and CPU is the fallback; a provider named explicitly must work.
    /// </summary>
    /// <param name="fixedDims">Symbolic dimension name -> size, fixed for the session's life ("num_points" -> 1).</param>
    public static OnnxModel Load(string path, InferenceSettings? settings = null, IReadOnlyDictionary<string, long>? fixedDims = null, ILogger? logger = null)
    {
        settings ??= InferenceSettings.Default;
        logger ??= NullLogger.Instance;
        fixedDims ??= new Dictionary<string, long>();
        if (!File.Exists(path)) throw new ModelLoadException(path, "model file not found.");
        foreach (var (name, size) in fixedDims)
            if (size <= 0) throw new ArgumentException($"Fixed dimension '{name}' must be positive, not {size}.", nameof(fixedDims));

        var candidates = settings.Provider == ExecutionProvider.Auto
            ? [.. ProviderProbe.AutoOrder, ExecutionProvider.Cpu]
            : new[] { settings.Provider };
        var refusals = new List<string>();
        foreach (var provider in candidates)
        {
            var unavailable = ProviderProbe.WhyUnavailable(provider);
            if (unavailable is not null)
            {
                if (provider != settings.Provider) logger.LogDebug("Skipping execution provider {Provider}: {Reason}", provider.ToName(), unavailable);
                refusals.Add($"{provider.ToName()}: {unavailable}");
                continue;
            }
            try
            {
                var session = CreateSession(path, settings, provider, fixedDims);
                logger.LogInformation("Loaded {Model} on execution provider {Provider}", path, provider.ToName());
                return new OnnxModel(path, session, provider, new Dictionary<string, long>(fixedDims));
            }
            catch (OnnxRuntimeException e) when (provider != ExecutionProvider.Cpu)
            {
                logger.LogDebug("Execution provider {Provider} refused {Model}: {Reason}", provider.ToName(), path, e.Message);
                refusals.Add($"{provider.ToName()}: {e.Message}");
            }
            catch (OnnxRuntimeException e)
            {
                throw new ModelLoadException(path, $"not a loadable ONNX model: {e.Message}", e);
            }
        }
        throw new ModelLoadException(path, $"execution provider {settings.Provider.ToName()} is not usable here ({string.Join("; ", refusals)}).");
    }

    /// <summary>
    /// Makes the pooled tensors for one run: <paramref name="shapes"/> gives every input's and every
    /// output's shape by tensor name. Fixed dimensions of the model must match.
    /// </summary>
    public InferenceBinding Bind(IReadOnlyDictionary<string, long[]> shapes) => new(this, shapes);

    public TensorSpec Input(string name) => Inputs.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"{Path}: no input tensor '{name}' (inputs: {string.Join(", ", Inputs.Select(t => t.Name))}).", nameof(name));

    public TensorSpec Output(string name) => Outputs.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"{Path}: no output tensor '{name}' (outputs: {string.Join(", ", Outputs.Select(t => t.Name))}).", nameof(name));

    public void Dispose() => _session.Dispose();

    private static InferenceSession CreateSession(string path, InferenceSettings settings, ExecutionProvider provider, IReadOnlyDictionary<string, long> fixedDims)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = settings.IntraOpThreads,
            // The networks here are chains: one operator at a time, all threads inside it.
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            EnableMemoryPattern = settings.MemoryReuse,
            EnableCpuMemArena = settings.MemoryReuse,
            GraphOptimizationLevel = settings.Optimization switch
            {
                GraphOptimization.None => GraphOptimizationLevel.ORT_DISABLE_ALL,
                GraphOptimization.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                GraphOptimization.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", settings.Spinning ? "1" : "0");
        foreach (var (name, size) in fixedDims) options.AddFreeDimensionOverrideByName(name, size);
        ProviderProbe.Append(options, provider, settings.DeviceId);
        return new InferenceSession(path, options);
    }

    private static TensorSpec[] Describe(IReadOnlyDictionary<string, NodeMetadata> metadata, IReadOnlyList<string> order) =>
        order.Select(name =>
        {
            var node = metadata[name];
            if (!node.IsTensor) return new TensorSpec(name, TensorElement.Other, node.OnnxValueType.ToString().ToLowerInvariant(), [], []);
            var dims = node.Dimensions.Select(d => (long)d).ToArray();
            var symbolic = node.SymbolicDimensions ?? new string[dims.Length];
            return new TensorSpec(name, TensorSpec.ElementOf(node.ElementDataType), TensorSpec.NameOf(node.ElementDataType), dims,
                symbolic.Select(s => s ?? "").ToArray());
        }).ToArray();
}
