using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace RawEngine.AI.Backend;

/// <summary>
/// What an execution provider needs at run time, and whether this machine has it: the provider must be
/// compiled into the loaded ONNX Runtime and, where it lives in its own shared library (CUDA, TensorRT,
/// MIGraphX), that library and the vendor libraries it links must load.
/// </summary>
internal static class ProviderProbe
{
    /// <summary>Order in which <see cref="ExecutionProvider.Auto"/> tries accelerated providers.
    /// CUDA before TensorRT: TensorRT compiles an engine per shape, which costs seconds on first use.</summary>
    public static IReadOnlyList<ExecutionProvider> AutoOrder { get; } =
        [ExecutionProvider.Cuda, ExecutionProvider.TensorRt, ExecutionProvider.MiGraphX, ExecutionProvider.CoreMl, ExecutionProvider.DirectMl];

    private static readonly Lazy<HashSet<string>> Compiled = new(() =>
    {
        try { return new HashSet<string>(OrtEnv.Instance().GetAvailableProviders(), StringComparer.Ordinal); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or OnnxRuntimeException) { return []; }
    });

    public static string OrtName(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cpu => "CPUExecutionProvider",
        ExecutionProvider.Cuda => "CUDAExecutionProvider",
        ExecutionProvider.TensorRt => "TensorrtExecutionProvider",
        ExecutionProvider.MiGraphX => "MIGraphXExecutionProvider",
        ExecutionProvider.CoreMl => "CoreMLExecutionProvider",
        ExecutionProvider.DirectMl => "DmlExecutionProvider",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "auto is not a provider of its own"),
    };

    /// <summary>Why the provider cannot run here, or null when it looks usable.</summary>
    public static string? WhyUnavailable(ExecutionProvider provider)
    {
        if (provider == ExecutionProvider.Cpu) return null;
        if (!Compiled.Value.Contains(OrtName(provider)))
            return $"this ONNX Runtime build has no {OrtName(provider)} (available: {string.Join(", ", Compiled.Value)})";
        var library = SharedLibrary(provider);
        if (library is null) return null;
        if (!NativeLibrary.TryLoad(library, typeof(InferenceSession).Assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories, out var handle))
            return $"{library} or a library it needs (driver, runtime) does not load";
        NativeLibrary.Free(handle);
        return null;
    }

    /// <summary>Registers the provider on the options; throws <see cref="OnnxRuntimeException"/> when ONNX Runtime refuses it.</summary>
    public static void Append(SessionOptions options, ExecutionProvider provider, int deviceId)
    {
        switch (provider)
        {
            case ExecutionProvider.Cpu: break;
            case ExecutionProvider.Cuda: options.AppendExecutionProvider_CUDA(deviceId); break;
            case ExecutionProvider.TensorRt:
                // Nodes TensorRT cannot take fall to the next provider: CUDA, not the CPU.
                options.AppendExecutionProvider_Tensorrt(deviceId);
                options.AppendExecutionProvider_CUDA(deviceId);
                break;
            case ExecutionProvider.MiGraphX: options.AppendExecutionProvider_MIGraphX(deviceId); break;
            case ExecutionProvider.CoreMl: options.AppendExecutionProvider_CoreML(CoreMLFlags.COREML_FLAG_USE_NONE); break;
            case ExecutionProvider.DirectMl: options.AppendExecutionProvider_DML(deviceId); break;
            default: throw new ArgumentOutOfRangeException(nameof(provider), provider, "auto is resolved before sessions are built");
        }
    }

    private static string? SharedLibrary(ExecutionProvider provider)
    {
        var stem = provider switch
        {
            ExecutionProvider.Cuda => "onnxruntime_providers_cuda",
            ExecutionProvider.TensorRt => "onnxruntime_providers_tensorrt",
            ExecutionProvider.MiGraphX => "onnxruntime_providers_migraphx",
            _ => null,
        };
        if (stem is null) return null;
        return OperatingSystem.IsWindows() ? stem + ".dll" : "lib" + stem + ".so";
    }
}
