namespace RawEngine.AI.Backend;

/// <summary>How much graph rewriting ONNX Runtime does when it loads a model.</summary>
public enum GraphOptimization { None, Basic, Extended, All }

/// <summary>Session settings that are part of a cached session's identity.</summary>
/// <param name="Provider">Execution provider, <see cref="ExecutionProvider.Auto"/> by default.</param>
/// <param name="IntraOpThreads">Threads inside one operator; 0 lets ONNX Runtime choose (one per physical core).</param>
/// <param name="Optimization">Graph optimisation level.</param>
/// <param name="DeviceId">GPU index for CUDA, TensorRT, MIGraphX and DirectML.</param>
public sealed record InferenceSettings(
    ExecutionProvider Provider = ExecutionProvider.Auto,
    int IntraOpThreads = 0,
    GraphOptimization Optimization = GraphOptimization.All,
    int DeviceId = 0)
{
    public static InferenceSettings Default { get; } = new();
    public static InferenceSettings Cpu { get; } = new(ExecutionProvider.Cpu);

    /// <summary>
    /// Whether ONNX Runtime's idle intra-op threads spin for work between operators instead of sleeping. Spinning
    /// saves a wake-up per operator but burns the cores that the pipe's own row-parallel loops (and other processes)
    /// need between network runs.
    /// </summary>
    public bool Spinning { get; init; }

    /// <summary>Whether the session plans its activations' memory once per input shape and reuses the plan
    /// (ONNX Runtime's memory pattern) and keeps freed blocks in its CPU arena for the next run.</summary>
    public bool MemoryReuse { get; init; } = true;
}
