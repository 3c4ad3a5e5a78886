using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RawEngine.AI.Segmentation;

namespace RawEngine.Web;

/// <summary>An API answer other than success: the status code and one line saying why.</summary>
public sealed class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static ApiException NotFound(string what) => new(StatusCodes.Status404NotFound, what);
    public static ApiException BadRequest(string why) => new(StatusCodes.Status400BadRequest, why);
}

/// <summary>A request's JSON body, read with the checks every call shares: a JSON object, typed fields, messages naming the field.</summary>
public sealed class ApiRequest(JsonObject body)
{
    public static async Task<ApiRequest> ReadAsync(HttpRequest request, CancellationToken cancellation)
    {
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, $"send the body as application/json, not {type}");
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellation);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the body is not valid JSON: {e.Message}");
        }
        return node is JsonObject body ? new ApiRequest(body) : throw ApiException.BadRequest("the body must be a JSON object");
    }

    public string String(string field) =>
        OptionalString(field) ?? throw ApiException.BadRequest($"{field}: required");

    public string? OptionalString(string field) => body[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw ApiException.BadRequest($"{field}: expected a string, got {other.ToJsonString()}"),
    };

    public double Number(string field, double? fallback = null) => Number(body, field, field) ?? fallback ?? throw ApiException.BadRequest($"{field}: required");

    /// <summary>The <c>edit</c> field as JSON text (null when absent or null).</summary>
    public string? EditJson() => body["edit"] switch
    {
        null => null,
        JsonObject edit => edit.ToJsonString(),
        var other => throw ApiException.BadRequest($"edit: expected a rawengine-edit object or null, got {other.GetValueKind()}"),
    };

    /// <summary>The <c>roi</c> field: <c>{"x","y","w","h"}</c> in pixels of the oriented image at scale 1, or null.</summary>
    public ViewRegion? Region() => body["roi"] switch
    {
        null => null,
        JsonObject roi => new ViewRegion(Number(roi, "x", "roi.x") ?? 0, Number(roi, "y", "roi.y") ?? 0,
            Number(roi, "w", "roi.w") ?? throw ApiException.BadRequest("roi.w: required"),
            Number(roi, "h", "roi.h") ?? throw ApiException.BadRequest("roi.h: required")),
        var other => throw ApiException.BadRequest($"roi: expected {{\"x\",\"y\",\"w\",\"h\"}}, got {other.ToJsonString()}"),
    };

    /// <summary>The <c>points</c> field: clicks <c>{"x","y","positive"}</c> in pixels of the oriented image at scale 1.</summary>
    public IReadOnlyList<PromptPoint> Points()
    {
        if (body["points"] is not JsonArray array) throw ApiException.BadRequest("points: expected an array of {\"x\",\"y\",\"positive\"}");
        var points = new List<PromptPoint>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject point) throw ApiException.BadRequest($"points[{i}]: expected {{\"x\",\"y\",\"positive\"}}");
            var positive = point["positive"] switch
            {
                null => true,
                JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
                var other => throw ApiException.BadRequest($"points[{i}].positive: expected true or false, got {other.ToJsonString()}"),
            };
            points.Add(new PromptPoint(Number(point, "x", $"points[{i}].x") ?? throw ApiException.BadRequest($"points[{i}].x: required"),
                Number(point, "y", $"points[{i}].y") ?? throw ApiException.BadRequest($"points[{i}].y: required"), positive));
        }
        return points;
    }

    private static double? Number(JsonObject obj, string field, string path) => obj[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && double.IsFinite(v.GetValue<double>()) => v.GetValue<double>(),
        var other => throw ApiException.BadRequest($"{path}: expected a number, got {other.ToJsonString()}"),
    };
}
