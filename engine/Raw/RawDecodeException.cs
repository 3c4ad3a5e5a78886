namespace RawEngine.Engine.Raw;

/// <summary>A raw file that cannot be read: names the file and the reason.</summary>
public sealed class RawDecodeException(string source, string reason, Exception? inner = null)
    : Exception($"{source}: {reason}", inner)
{
    public string SourceName { get; } = source;
    public string Reason { get; } = reason;
}
