using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace RawEngine.Engine.Edits;

/// <summary>One parameter as a CLI, GUI or validator sees it.</summary>
public sealed record ParamInfo(string Name, Type Type, object? Default, double? Min, double? Max, string? Description)
{
    internal PropertyInfo Property { get; init; } = null!;
}

/// <summary>
/// A params record's parameters, read from the type at run time (names, types, defaults, ranges),
/// and the JSON reading, writing and checking that go with them.
/// </summary>
public sealed class ParamsSchema
{
    /// <summary>snake_case names, enums as snake_case strings, no comments or trailing commas.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly Dictionary<string, ParamInfo> _byName;

    public ParamsSchema(Type paramsType)
    {
        if (!typeof(OperationParams).IsAssignableFrom(paramsType) || paramsType.GetConstructor(Type.EmptyTypes) is null)
            throw new ArgumentException($"{paramsType.Name} is not an OperationParams record with a parameterless constructor.");
        ParamsType = paramsType;
        Defaults = (OperationParams)Activator.CreateInstance(paramsType)!;
        Parameters = paramsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .Select(p =>
            {
                var range = p.GetCustomAttribute<ParamRangeAttribute>();
                return new ParamInfo(JsonOptions.PropertyNamingPolicy!.ConvertName(p.Name), p.PropertyType, p.GetValue(Defaults),
                    range?.Min, range?.Max, p.GetCustomAttribute<ParamDescriptionAttribute>()?.Text) { Property = p };
            })
            .ToArray();
        _byName = Parameters.ToDictionary(p => p.Name);
    }

    public Type ParamsType { get; }
    public OperationParams Defaults { get; }
    public IReadOnlyList<ParamInfo> Parameters { get; }

    /// <summary>Reads params JSON (already at the current version); errors name <paramref name="path"/>.<c>name</c>.</summary>
    public OperationParams Read(JsonNode? json, string path)
    {
        if (json is not JsonObject obj) throw new EditException(path, $"expected an object of parameters, got {Describe(json)}");
        foreach (var (name, value) in obj)
        {
            if (!_byName.TryGetValue(name, out var param))
                throw new EditException($"{path}.{name}", $"unknown parameter (known: {string.Join(", ", Parameters.Select(p => p.Name))})");
            try
            {
                value.Deserialize(param.Type, JsonOptions);
                if (value is null && param.Type.IsValueType) throw new JsonException();
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException)
            {
                throw new EditException($"{path}.{name}", $"expected {TypeName(param.Type)}, got {Describe(value)}");
            }
        }
        var parameters = (OperationParams)obj.Deserialize(ParamsType, JsonOptions)!;
        Validate(parameters, path);
        return parameters;
    }

    public JsonObject Write(OperationParams parameters) => JsonSerializer.SerializeToNode(parameters, ParamsType, JsonOptions)!.AsObject();

    /// <summary>Checks ranges and finiteness; the first problem is thrown naming <paramref name="path"/>.<c>name</c>.</summary>
    public void Validate(OperationParams parameters, string path)
    {
        if (parameters.GetType() != ParamsType)
            throw new EditException(path, $"expected {ParamsType.Name}, got {parameters.GetType().Name}");
        foreach (var param in Parameters)
        {
            var value = param.Property.GetValue(parameters);
            if (value is null) continue;
            if (value is float or double)
            {
                var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (!double.IsFinite(number)) throw new EditException($"{path}.{param.Name}", $"{Format(number)} is not a finite number");
            }
            if (param.Min is { } min && param.Max is { } max && value is IConvertible && !(value is string or bool or Enum))
            {
                var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (number < min || number > max)
                    throw new EditException($"{path}.{param.Name}", $"{Format(number)} is outside [{Format(min)}, {Format(max)}]");
            }
        }
    }

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);

    private static string TypeName(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(bool)) return "true or false";
        if (underlying == typeof(string)) return "a string";
        if (underlying.IsEnum)
            return "one of " + string.Join(", ", Enum.GetNames(underlying).Select(n => '"' + JsonNamingPolicy.SnakeCaseLower.ConvertName(n) + '"'));
        if (underlying == typeof(int) || underlying == typeof(long)) return "an integer";
        if (underlying.IsPrimitive || underlying == typeof(decimal)) return "a number";
        if (underlying.IsArray || underlying.IsGenericType) return "an array";
        return "an object";
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        _ => node.ToJsonString(),
    };
}
