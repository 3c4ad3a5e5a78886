using System.Text.Json;
using System.Text.Json.Serialization;

namespace RawEngine.Cli;

/// <summary>The JSON form of every report the CLI prints with <c>--json</c>: snake_case, nulls left out, indented.</summary>
internal static class ReportJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
