namespace RawEngine.AI.Backend;

/// <summary>A model file could not be opened: missing, not ONNX, or refused by every execution provider.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);
