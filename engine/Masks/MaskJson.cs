using System.Text.Json;
using System.Text.Json.Nodes;
using RawEngine.Engine.Edits;

namespace RawEngine.Engine.Masks;

/// <summary>
/// The JSON form of an edit's masks (the sidecar's <c>"masks"</c>), read with errors that name the JSON path:
/// <code>
/// "masks": { "groups": [
///   { "id": "sky", "inverted": false, "opacity": 1,                          // inverted, opacity optional
///     "members": [
///       { "mode": "union", "inverted": false, "form": {                       // mode: union | intersection | difference | exclusion
///           "type": "ellipse", "center": [0.5, 0.4], "radius_x": 0.2, "radius_y": 0.1, "rotation": 30,
///           "feather": 0.02, "opacity": 1 } },                                // feather, opacity (and rotation) optional
///       { "mode": "difference", "group": { "id": "hole", "members": [ ... ] } },   // a nested group
///       { "form": { "type": "gradient", "anchor": [0.5, 0.5], "angle": 90, "feather": 0.3 } },
///       { "form": { "type": "path", "nodes": [ { "anchor": [0.1, 0.1], "in": [0.1, 0.1], "out": [0.2, 0.1] }, ... ] } },
///       { "form": { "type": "brush", "points": [ { "at": [0.3, 0.3], "radius": 0.02, "hardness": 0.8 }, ... ] } },
///       { "form": { "type": "raster", "width": 64, "height": 48, "data": "&lt;base64 of width*height bytes&gt;" } } ] } ] }
/// </code>
/// Points are [x, y] in normalised image coordinates; lengths are fractions of the shorter side; angles
/// are degrees counter-clockwise (see <see cref="MaskNode"/>). <see cref="Write(MaskSet)"/> writes every
/// field, so equal masks give equal text.
/// </summary>
public static class MaskJson
{
    private static readonly string[] FormTypes = ["ellipse", "gradient", "path", "brush", "raster"];

    public static JsonObject Write(MaskSet masks) => new() { ["groups"] = new JsonArray(masks.Groups.Select(g => (JsonNode)WriteGroup(g)).ToArray()) };

    public static JsonObject WriteGroup(MaskGroup group) => new()
    {
        ["id"] = group.Id,
        ["inverted"] = group.Inverted,
        ["opacity"] = group.Opacity,
        ["members"] = new JsonArray(group.Members.Select(m =>
        {
            var member = new JsonObject { ["mode"] = Name(m.Mode), ["inverted"] = m.Inverted };
            if (m.Node is MaskGroup nested) member["group"] = WriteGroup(nested);
            else member["form"] = WriteForm((MaskForm)m.Node);
            return (JsonNode)member;
        }).ToArray()),
    };

    private static JsonObject WriteForm(MaskForm form)
    {
        var node = form switch
        {
            EllipseForm e => new JsonObject
            {
                ["type"] = "ellipse", ["center"] = Point(e.Center), ["radius_x"] = e.RadiusX, ["radius_y"] = e.RadiusY, ["rotation"] = e.RotationDegrees,
            },
            GradientForm g => new JsonObject { ["type"] = "gradient", ["anchor"] = Point(g.Anchor), ["angle"] = g.AngleDegrees },
            PathForm p => new JsonObject
            {
                ["type"] = "path",
                ["nodes"] = new JsonArray(p.Nodes.Select(n => (JsonNode)new JsonObject
                {
                    ["anchor"] = Point(n.Anchor), ["in"] = Point(n.ControlIn), ["out"] = Point(n.ControlOut),
                }).ToArray()),
            },
            BrushForm b => new JsonObject
            {
                ["type"] = "brush",
                ["points"] = new JsonArray(b.Points.Select(p => (JsonNode)new JsonObject
                {
                    ["at"] = Point(p.Position), ["radius"] = p.Radius, ["hardness"] = p.Hardness,
                }).ToArray()),
            },
            RasterForm r => new JsonObject { ["type"] = "raster", ["width"] = r.Width, ["height"] = r.Height, ["data"] = Convert.ToBase64String(r.Coverage) },
            _ => throw new ArgumentException($"Cannot write a {form.GetType().Name} as a mask form.", nameof(form)),
        };
        node["feather"] = form.Feather;
        node["opacity"] = form.Opacity;
        return node;
    }

    private static JsonArray Point(MaskPoint p) => [p.X, p.Y];

    private static string Name(CombineMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Reads the <c>"masks"</c> object at <paramref name="path"/>.</summary>
    public static MaskSet Read(JsonNode? node, string path = "masks")
    {
        var obj = Object(node, path, "a masks object with \"groups\"");
        Known(obj, path, "groups");
        if (obj["groups"] is null) return MaskSet.Empty;
        var array = obj["groups"] as JsonArray ?? throw new EditException($"{path}.groups", "expected an array of mask groups");
        var groups = new List<MaskGroup>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var group = ReadGroup(array[i], $"{path}.groups[{i}]");
            if (groups.Any(g => g.Id == group.Id)) throw new EditException($"{path}.groups[{i}].id", $"mask group id '{group.Id}' appears twice");
            groups.Add(group);
        }
        return new MaskSet(groups);
    }

    private static MaskGroup ReadGroup(JsonNode? node, string path)
    {
        var obj = Object(node, path, "a mask group");
        Known(obj, path, "id", "inverted", "opacity", "members");
        if (obj["id"] is not JsonValue idValue || idValue.GetValueKind() != JsonValueKind.String || idValue.GetValue<string>().Length == 0)
            throw new EditException($"{path}.id", obj["id"] is null ? "missing: every mask group needs an id" : $"expected a non-empty string, got {obj["id"]!.ToJsonString()}");
        var members = obj["members"] as JsonArray ?? throw new EditException($"{path}.members", obj["members"] is null ? "missing: a group needs at least one member" : "expected an array of members");
        if (members.Count == 0) throw new EditException($"{path}.members", "a group needs at least one member");
        var list = new GroupMember[members.Count];
        for (var i = 0; i < members.Count; i++) list[i] = ReadMember(members[i], $"{path}.members[{i}]");
        return new MaskGroup(idValue.GetValue<string>(), list)
        {
            Inverted = Bool(obj["inverted"], $"{path}.inverted", false),
            Opacity = Number(obj["opacity"], $"{path}.opacity", 1.0, 0, 1),
        };
    }

    private static GroupMember ReadMember(JsonNode? node, string path)
    {
        var obj = Object(node, path, "a group member with \"form\" or \"group\"");
        Known(obj, path, "mode", "inverted", "form", "group");
        var mode = CombineMode.Union;
        if (obj["mode"] is { } modeNode)
        {
            var name = modeNode is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
            var modes = Enum.GetValues<CombineMode>();
            mode = modes.FirstOrDefault(m => Name(m) == name, (CombineMode)(-1));
            if ((int)mode < 0)
                throw new EditException($"{path}.mode", $"unknown combine mode {modeNode.ToJsonString()} (known: {string.Join(", ", modes.Select(Name))})");
        }
        var inverted = Bool(obj["inverted"], $"{path}.inverted", false);
        MaskNode content = (obj["form"], obj["group"]) switch
        {
            ({ } form, null) => ReadForm(form, $"{path}.form"),
            (null, { } group) => ReadGroup(group, $"{path}.group"),
            (null, null) => throw new EditException(path, "a member needs a \"form\" or a \"group\""),
            _ => throw new EditException(path, "a member has a \"form\" or a \"group\", not both"),
        };
        return new GroupMember(content, mode, inverted);
    }

    private static MaskForm ReadForm(JsonNode node, string path)
    {
        var obj = Object(node, path, "a mask form");
        var type = obj["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        if (type is null || !FormTypes.Contains(type))
            throw new EditException($"{path}.type", $"{(obj["type"] is null ? "missing" : $"unknown form type {obj["type"]!.ToJsonString()}")} (known: {string.Join(", ", FormTypes)})");
        MaskForm form;
        switch (type)
        {
            case "ellipse":
                Known(obj, path, "type", "feather", "opacity", "center", "radius_x", "radius_y", "rotation");
                form = new EllipseForm(ReadPoint(obj["center"], $"{path}.center"),
                    Positive(obj["radius_x"], $"{path}.radius_x"), Positive(obj["radius_y"], $"{path}.radius_y"),
                    Number(obj["rotation"], $"{path}.rotation", 0.0));
                break;
            case "gradient":
                Known(obj, path, "type", "feather", "opacity", "anchor", "angle");
                form = new GradientForm(ReadPoint(obj["anchor"], $"{path}.anchor"), Number(obj["angle"], $"{path}.angle", null));
                break;
            case "path":
            {
                Known(obj, path, "type", "feather", "opacity", "nodes");
                var nodes = Array(obj["nodes"], $"{path}.nodes", 2, "path nodes");
                var list = new PathNode[nodes.Count];
                for (var i = 0; i < list.Length; i++)
                {
                    var at = $"{path}.nodes[{i}]";
                    var n = Object(nodes[i], at, "a path node");
                    Known(n, at, "anchor", "in", "out");
                    var anchor = ReadPoint(n["anchor"], $"{at}.anchor");
                    list[i] = new PathNode(anchor, n["in"] is null ? anchor : ReadPoint(n["in"], $"{at}.in"), n["out"] is null ? anchor : ReadPoint(n["out"], $"{at}.out"));
                }
                form = new PathForm(list);
                break;
            }
            case "brush":
            {
                Known(obj, path, "type", "feather", "opacity", "points");
                var points = Array(obj["points"], $"{path}.points", 1, "brush points");
                var list = new BrushPoint[points.Count];
                for (var i = 0; i < list.Length; i++)
                {
                    var at = $"{path}.points[{i}]";
                    var p = Object(points[i], at, "a brush point");
                    Known(p, at, "at", "radius", "hardness");
                    list[i] = new BrushPoint(ReadPoint(p["at"], $"{at}.at"), Positive(p["radius"], $"{at}.radius"), Number(p["hardness"], $"{at}.hardness", 1.0, 0, 1));
                }
                form = new BrushForm(list);
                break;
            }
            default:
            {
                Known(obj, path, "type", "feather", "opacity", "width", "height", "data");
                var width = (int)Number(obj["width"], $"{path}.width", null, 1, 65536, integer: true);
                var height = (int)Number(obj["height"], $"{path}.height", null, 1, 65536, integer: true);
                if (obj["data"] is not JsonValue data || data.GetValueKind() != JsonValueKind.String)
                    throw new EditException($"{path}.data", "expected base64 text of width * height bytes");
                byte[] bytes;
                try
                {
                    bytes = Convert.FromBase64String(data.GetValue<string>());
                }
                catch (FormatException)
                {
                    throw new EditException($"{path}.data", "not valid base64");
                }
                if (bytes.LongLength != (long)width * height)
                    throw new EditException($"{path}.data", $"holds {bytes.Length} bytes, but a {width}x{height} raster needs {(long)width * height}");
                form = new RasterForm(width, height, bytes);
                break;
            }
        }
        return form with
        {
            Feather = Number(obj["feather"], $"{path}.feather", 0.0, 0, double.MaxValue),
            Opacity = Number(obj["opacity"], $"{path}.opacity", 1.0, 0, 1),
        };
    }

    private static JsonObject Object(JsonNode? node, string path, string what) =>
        node as JsonObject ?? throw new EditException(path, $"expected {what}, got {node?.ToJsonString() ?? "nothing"}");

    private static JsonArray Array(JsonNode? node, string path, int minimum, string what)
    {
        if (node is not JsonArray array) throw new EditException(path, node is null ? $"missing: expected an array of {what}" : $"expected an array of {what}");
        if (array.Count < minimum) throw new EditException(path, $"has {array.Count} {what}; at least {minimum} needed");
        return array;
    }

    private static void Known(JsonObject obj, string path, params string[] names)
    {
        foreach (var (name, _) in obj)
            if (!names.Contains(name)) throw new EditException($"{path}.{name}", $"unknown field (known: {string.Join(", ", names)})");
    }

    private static bool Bool(JsonNode? node, string path, bool fallback) => node switch
    {
        null => fallback,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw new EditException(path, $"expected true or false, got {node.ToJsonString()}"),
    };

    private static double Number(JsonNode? node, string path, double? fallback, double minimum = double.MinValue, double maximum = double.MaxValue, bool integer = false)
    {
        if (node is null) return fallback ?? throw new EditException(path, "missing: expected a number");
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<double>(out var value) || !double.IsFinite(value))
            throw new EditException(path, $"expected a number, got {node.ToJsonString()}");
        if (integer && value != Math.Floor(value)) throw new EditException(path, $"expected an integer, got {node.ToJsonString()}");
        if (value < minimum || value > maximum)
            throw new EditException(path, maximum == double.MaxValue ? $"{node.ToJsonString()} is below {minimum}" : $"{node.ToJsonString()} is outside [{minimum}, {maximum}]");
        return value;
    }

    private static double Positive(JsonNode? node, string path)
    {
        var value = Number(node, path, null);
        return value > 0 ? value : throw new EditException(path, $"{node!.ToJsonString()} is not a positive length");
    }

    private static MaskPoint ReadPoint(JsonNode? node, string path)
    {
        if (node is not JsonArray { Count: 2 } pair) throw new EditException(path, $"expected a point [x, y], got {node?.ToJsonString() ?? "nothing"}");
        return new MaskPoint(Number(pair[0], $"{path}[0]", null), Number(pair[1], $"{path}[1]", null));
    }
}
