using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RawEngine.Engine.IO;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Engine.Edits;

/// <summary>
/// Reads and writes edits as the versioned JSON sidecar:
/// <code>
/// { "format": "rawengine-edit", "version": 1, "image": "IMG_1.dng",
///   "order": ["exposure", "exposure#2"],                       // optional
///   "modules": [ { "module": "exposure#2", "enabled": true, "version": 2,
///                  "params": { "exposure": 1.5 }, "blend": { "mode": "normal", "opacity": 0.5 } } ],
///   "masks": { "groups": [ ... ] } }                            // optional, see MaskJson
/// </code>
/// Module params are upgraded to the module's current version and validated on reading; a missing
/// params "version" means the module's current one, missing params take their defaults, and
/// "enabled" defaults to true. A blend's "mask" must name a group in "masks". Every error names its JSON path.
/// </summary>
public sealed class EditSerializer(ModuleRegistry modules)
{
    /// <summary>The sidecar path for an input file: <c>IMG_1.dng</c> gives <c>IMG_1.dng.rawengine.json</c>.</summary>
    public static string SidecarPathFor(string inputPath) => inputPath + ".rawengine.json";

    public Edit Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EditException("$", $"cannot read edit file '{path}': {e.Message}", e);
        }
        return Read(text);
    }

    /// <summary>Writes the sidecar atomically (readers see the old or the new file), replacing any there.</summary>
    public void Save(Edit edit, string path)
    {
        var bytes = new UTF8Encoding(false).GetBytes(Write(edit));
        AtomicFile.WriteAllBytes(path, bytes, overwrite: true);
    }

    public Edit Read(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new EditException("$", $"not valid JSON: {e.Message}", e);
        }
        if (root is not JsonObject obj) throw new EditException("$", "an edit is a JSON object");

        var format = obj["format"]?.GetValueKind() == JsonValueKind.String ? obj["format"]!.GetValue<string>() : null;
        if (format != Edit.FormatName) throw new EditException("format", $"expected \"{Edit.FormatName}\", got {obj["format"]?.ToJsonString() ?? "nothing"}");
        var version = ReadInt(obj["version"], "version");
        if (version > Edit.CurrentVersion) throw new EditException("version", $"edit format version {version} is newer than this engine reads ({Edit.CurrentVersion})");
        if (version < 1) throw new EditException("version", $"{version} is not an edit format version");

        foreach (var (name, _) in obj)
            if (name is not ("format" or "version" or "image" or "order" or "modules" or "masks"))
                throw new EditException(name, "unknown field (known: format, version, image, order, modules, masks)");

        var image = obj["image"] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            var other => throw new EditException("image", $"expected a file name, got {other.ToJsonString()}"),
        };

        var entries = ImmutableArray.CreateBuilder<ModuleEntry>();
        if (obj["modules"] is { } modulesNode)
        {
            if (modulesNode is not JsonArray array) throw new EditException("modules", "expected an array");
            for (var i = 0; i < array.Count; i++)
            {
                var entry = ReadEntry(array[i], $"modules[{i}]");
                if (entries.Any(e => e.Instance == entry.Instance))
                    throw new EditException($"modules[{i}].module", $"instance '{entry.Instance}' appears twice");
                entries.Add(entry);
            }
        }

        ImmutableArray<string>? order = null;
        if (obj["order"] is { } orderNode)
        {
            if (orderNode is not JsonArray array) throw new EditException("order", "expected an array of instance names");
            var names = ImmutableArray.CreateBuilder<string>();
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is not JsonValue v || v.GetValueKind() != JsonValueKind.String) throw new EditException($"order[{i}]", "expected an instance name");
                var name = v.GetValue<string>();
                if (names.Contains(name)) throw new EditException($"order[{i}]", $"'{name}' appears twice");
                names.Add(name);
            }
            order = names.ToImmutable();
        }

        var masks = obj["masks"] is { } masksNode ? MaskJson.Read(masksNode, "masks") : MaskSet.Empty;
        for (var i = 0; i < entries.Count; i++)
            if (entries[i].Blend?.Mask is { } mask && masks.Find(mask) is null)
                throw new EditException($"modules[{i}].blend.mask", MissingMask(mask, masks));
        return new Edit { Image = image, Modules = entries.ToImmutable(), Order = order, Masks = masks };
    }

    public string Write(Edit edit)
    {
        var root = new JsonObject { ["format"] = Edit.FormatName, ["version"] = Edit.CurrentVersion };
        if (edit.Image is not null) root["image"] = edit.Image;
        if (edit.Order is { } order) root["order"] = new JsonArray(order.Select(n => (JsonNode)JsonValue.Create(n)).ToArray());
        var array = new JsonArray();
        for (var i = 0; i < edit.Modules.Length; i++)
        {
            var entry = edit.Modules[i];
            var path = $"modules[{i}]";
            var module = modules.Contains(entry.ModuleId) ? modules.Get(entry.ModuleId) : throw new EditException($"{path}.module", modules.UnknownModule(entry.ModuleId));
            var schema = modules.SchemaOf(entry.ModuleId);
            schema.Validate(entry.Params, $"{path}.params");
            var node = new JsonObject
            {
                ["module"] = entry.Instance,
                ["enabled"] = entry.Enabled,
                ["version"] = module.Info.ParamsVersion,
                ["params"] = schema.Write(entry.Params),
            };
            if (entry.Blend is { } blend)
            {
                if (blend.Mask is { } mask && edit.Masks.Find(mask) is null) throw new EditException($"{path}.blend.mask", MissingMask(mask, edit.Masks));
                node["blend"] = BlendParams.Schema.Write(blend);
            }
            array.Add(node);
        }
        root["modules"] = array;
        if (!edit.Masks.IsEmpty) root["masks"] = MaskJson.Write(edit.Masks);
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private ModuleEntry ReadEntry(JsonNode? node, string path)
    {
        if (node is not JsonObject obj) throw new EditException(path, "expected a module object");
        foreach (var (name, _) in obj)
            if (name is not ("module" or "enabled" or "version" or "params" or "blend"))
                throw new EditException($"{path}.{name}", "unknown field (known: module, enabled, version, params, blend)");
        if (obj["module"] is not JsonValue idValue || idValue.GetValueKind() != JsonValueKind.String)
            throw new EditException($"{path}.module", "expected a module instance name such as \"exposure\" or \"exposure#2\"");
        var instance = idValue.GetValue<string>();
        if (!ModuleEntry.IsValidInstanceName(instance))
            throw new EditException($"{path}.module", $"'{instance}' is not a module instance name (snake_case id, optionally '#' and a name)");
        var id = ModuleEntry.ModuleIdOf(instance);
        if (!modules.Contains(id)) throw new EditException($"{path}.module", modules.UnknownModule(id));

        var enabled = obj["enabled"] switch
        {
            null => true,
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
            var other => throw new EditException($"{path}.enabled", $"expected true or false, got {other.ToJsonString()}"),
        };
        int? version = obj["version"] is null ? null : ReadInt(obj["version"], $"{path}.version");
        var parameters = modules.ReadParams(id, obj["params"] ?? new JsonObject(), version, path);
        BlendParams? blend = obj["blend"] is { } blendNode ? (BlendParams)BlendParams.Schema.Read(blendNode, $"{path}.blend") : null;
        return new ModuleEntry(instance, parameters, enabled, blend);
    }

    /// <summary>The message for a blend naming a mask group the edit does not have.</summary>
    public static string MissingMask(string mask, MaskSet masks) =>
        $"no mask group '{mask}' in the edit's masks (known: {(masks.IsEmpty ? "none" : string.Join(", ", masks.Groups.Select(g => g.Id)))})";

    private static int ReadInt(JsonNode? node, string path)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var value)) return value;
        throw new EditException(path, $"expected an integer, got {node?.ToJsonString() ?? "nothing"}");
    }

}
