namespace RawEngine.Engine.Raw;

/// <summary>A raw file that cannot be read: <see cref="RawEngineException.Subject"/> names the file.</summary>
public sealed class RawDecodeException(string source, string reason, Exception? inner = null)
    : RawEngineException(ErrorSubjectKind.File, source, reason, inner);
