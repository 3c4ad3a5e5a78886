using System.Text.Json;
using RawEngine.Engine.Raw;

namespace RawEngine.AI.Registry;

/// <summary>Reads <c>config.json</c> strictly: a wrong type or a missing required field is an error
/// that names the file and the JSON path; unknown fields are ignored (darktable-ai may add some).</summary>
public static class ManifestReader
{
    private static readonly string[] Layouts = ["masked-mosaic", "planar-rgb", "packed-bayer4"];
    private static readonly string[] Encodings = ["srgb", "linear"];
    private static readonly string[] WhiteBalances = ["applied", "none"];

    public static ModelManifest Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelManifestException(path, $"cannot read: {e.Message}", e);
        }
        return Parse(text, path);
    }

    public static ModelManifest Parse(string json, string source)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e) { throw new ModelManifestException(source, $"not valid JSON: {e.Message}", e); }
        using (document)
        {
            var root = new Node(document.RootElement, "$", source);
            root.RequireKind(JsonValueKind.Object, "an object");
            var id = root.String("id", required: true)!;
            if (!IsSafeId(id)) throw root.Child("id").Error($"\"{id}\" is not a usable model id (letters, digits, '.', '_', '-'; not starting with '.')");
            return new ModelManifest(
                id,
                root.String("name") ?? id,
                root.String("description") ?? "",
                root.String("task", required: true)!,
                root.String("arch") ?? "",
                root.String("backend") ?? "onnx",
                root.String("version") ?? "",
                root.Bool("tiling") ?? false,
                root.Copy("model_card"),
                root.Copy("attributes"),
                root.Bool("default") ?? false,
                root.Has("io") ? ReadIo(root.Child("io")) : null);
        }
    }

    /// <summary>Ids are folder names: no separators, no leading dot, nothing that escapes the models folder.</summary>
    public static bool IsSafeId(string id) =>
        id.Length is > 0 and <= 128 && id[0] != '.' && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static ModelIo ReadIo(Node io)
    {
        io.RequireKind(JsonValueKind.Object, "an object");
        var layout = io.OneOf("layout", Layouts);
        var range = io.Has("range") ? io.Child("range").Floats(2) : [0f, 1f];
        if (range[1] <= range[0]) throw io.Child("range").Error($"[{range[0]}, {range[1]}] is empty");
        CfaSpec? cfa = null;
        if (io.Has("cfa"))
        {
            var node = io.Child("cfa");
            var type = node.OneOf("type", ["bayer", "xtrans"])!;
            var rows = node.Child("pattern").Strings();
            try
            {
                var pattern = CfaPattern.FromRows(rows);
                if ((type == "bayer") != (pattern.Kind == CfaKind.Bayer))
                    throw node.Child("pattern").Error($"a {pattern.Width}x{pattern.Height} pattern is not {type}");
            }
            catch (ArgumentException e) { throw node.Child("pattern").Error(e.Message); }
            cfa = new CfaSpec(type, rows);
        }
        TileSpec? tile = null;
        if (io.Has("tile"))
        {
            var node = io.Child("tile");
            var sizes = node.Child("sizes").Ints();
            if (sizes.Count == 0 || sizes.Any(s => s <= 0)) throw node.Child("sizes").Error("needs one or more positive sizes");
            var overlap = node.Int("overlap") ?? 0;
            var align = node.Int("align") ?? 1;
            if (overlap < 0) throw node.Child("overlap").Error("must not be negative");
            if (align <= 0) throw node.Child("align").Error("must be positive");
            if (sizes.Any(s => s <= 2 * overlap)) throw node.Child("sizes").Error($"every tile must be larger than twice the overlap ({overlap})");
            tile = new TileSpec(sizes, overlap, align);
        }
        var fixedDims = new Dictionary<string, long>();
        if (io.Has("fixed_dims"))
        {
            var node = io.Child("fixed_dims");
            node.RequireKind(JsonValueKind.Object, "an object of name: size");
            foreach (var p in node.Element.EnumerateObject())
            {
                var child = node.Child(p.Name);
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt64(out var size) || size <= 0)
                    throw child.Error("must be a positive integer");
                fixedDims[p.Name] = size;
            }
        }
        return new ModelIo(io.StringMap("inputs"), io.StringMap("outputs"), layout, io.OneOf("encoding", Encodings),
            range[0], range[1], io.OneOf("white_balance", WhiteBalances), cfa, tile, fixedDims);
    }

    /// <summary>A JSON element with the path that led to it, so every error can say where.</summary>
    private readonly record struct Node(JsonElement Element, string Path, string Source)
    {
        public ModelManifestException Error(string problem) => new(Source, $"{Path}: {problem}");

        public void RequireKind(JsonValueKind kind, string what)
        {
            if (Element.ValueKind != kind) throw Error($"expected {what}, found {Element.ValueKind.ToString().ToLowerInvariant()}");
        }

        public bool Has(string name) => Element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

        public Node Child(string name) =>
            Element.TryGetProperty(name, out var v) ? new Node(v, $"{Path}.{name}", Source) : throw new Node(default, $"{Path}.{name}", Source).Error("is missing");

        public string? String(string name, bool required = false)
        {
            if (!Has(name)) return required ? throw Child(name).Error("is missing") : null;
            var child = Child(name);
            child.RequireKind(JsonValueKind.String, "a string");
            var value = child.Element.GetString()!;
            if (required && value.Length == 0) throw child.Error("must not be empty");
            return value;
        }

        public string? OneOf(string name, string[] allowed)
        {
            var value = String(name);
            if (value is not null && !allowed.Contains(value))
                throw Child(name).Error($"\"{value}\" is not one of {string.Join(", ", allowed)}");
            return value;
        }

        public bool? Bool(string name)
        {
            if (!Has(name)) return null;
            var child = Child(name);
            if (child.Element.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw child.Error("expected true or false");
            return child.Element.GetBoolean();
        }

        public int? Int(string name)
        {
            if (!Has(name)) return null;
            var child = Child(name);
            if (child.Element.ValueKind != JsonValueKind.Number || !child.Element.TryGetInt32(out var value)) throw child.Error("expected an integer");
            return value;
        }

        public JsonElement? Copy(string name) => Has(name) ? Child(name).Element.Clone() : null;

        public IReadOnlyList<string> Strings()
        {
            RequireKind(JsonValueKind.Array, "an array of strings");
            var self = this;
            return Element.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new Node(e, $"{self.Path}[{i}]", self.Source).Error("expected a string")).ToArray();
        }

        public IReadOnlyList<int> Ints()
        {
            RequireKind(JsonValueKind.Array, "an array of integers");
            var self = this;
            return Element.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : throw new Node(e, $"{self.Path}[{i}]", self.Source).Error("expected an integer")).ToArray();
        }

        public float[] Floats(int count)
        {
            RequireKind(JsonValueKind.Array, $"an array of {count} numbers");
            if (Element.GetArrayLength() != count) throw Error($"expected {count} numbers, found {Element.GetArrayLength()}");
            var self = this;
            return Element.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Number ? e.GetSingle() : throw new Node(e, $"{self.Path}[{i}]", self.Source).Error("expected a number")).ToArray();
        }

        public IReadOnlyDictionary<string, string> StringMap(string name)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!Has(name)) return map;
            var node = Child(name);
            node.RequireKind(JsonValueKind.Object, "an object of role: tensor name");
            foreach (var p in node.Element.EnumerateObject())
                map[p.Name] = p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() is { Length: > 0 } s ? s : throw node.Child(p.Name).Error("expected a tensor name");
            return map;
        }
    }
}
