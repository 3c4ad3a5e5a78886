namespace RawEngine.AI.Backend;

/// <summary>A model file could not be opened: missing, not ONNX, or refused by every execution provider.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>ONNX Runtime could not allocate memory for a run (CPU arena or GPU): a smaller input may fit.</summary>
public sealed class InferenceMemoryException(string message, Exception? inner = null) : InvalidOperationException(message, inner)
{
    /// <summary>Whether an ONNX Runtime error is an allocation failure. ONNX Runtime keeps its error codes
    /// internal and reports allocation failures as generic failures, so the message is what tells.</summary>
    public static bool IsAllocationFailure(Exception e) =>
        e.Message.Contains("allocat", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("bad_alloc", StringComparison.OrdinalIgnoreCase);
}
