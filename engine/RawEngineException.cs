namespace RawEngine.Engine;

/// <summary>
/// An error RawEngine's libraries raise on purpose (a missing native dependency, ...), as opposed to a bug: catch
/// this to report what went wrong without a stack trace.
/// </summary>
public class RawEngineException(string message, Exception? inner = null) : Exception(message, inner);
