using RawEngine.Engine;

namespace RawEngine.AI.Backend;

/// <summary>A model file could not be opened: missing, not ONNX, or refused by every execution provider.</summary>
public sealed class ModelLoadException(string file, string reason, Exception? inner = null)
    : RawEngineException(ErrorSubjectKind.File, file, reason, inner);

/// <summary>ONNX Runtime could not allocate memory for a run (CPU arena or GPU): a smaller input may fit. The
/// subject is the model file (one run failed) or the model (no tile size fits).</summary>
public sealed class InferenceMemoryException(ErrorSubjectKind subjectKind, string subject, string reason, Exception? inner = null)
    : RawEngineException(subjectKind, subject, reason, inner)
{
    /// <summary>Whether an ONNX Runtime error is an allocation failure. ONNX Runtime keeps its error codes
    /// internal and reports allocation failures as generic failures, so the message is what tells.</summary>
    public static bool IsAllocationFailure(Exception e) =>
        e.Message.Contains("allocat", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("bad_alloc", StringComparison.OrdinalIgnoreCase);
}
