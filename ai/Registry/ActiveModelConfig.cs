using System.Text.Json;

namespace RawEngine.AI.Registry;

/// <summary>
/// The small user file that says which model is active per task (<c>rawengine models use TASK ID</c>):
/// <c>{"active": {"denoise": "nafnet-small"}}</c>. A missing file means nothing is active.
/// </summary>
public sealed class ActiveModelConfig
{
    private readonly Dictionary<string, string> _active;

    private ActiveModelConfig(string path, Dictionary<string, string> active)
    {
        Path = path;
        _active = active;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Active => _active;

    /// <summary>Reads the file at <paramref name="path"/> (by default the environment's
    /// <see cref="ModelEnvironment.ActiveConfigPath"/>).</summary>
    public static ActiveModelConfig Load(string? path = null, ModelEnvironment? environment = null)
    {
        path ??= (environment ?? ModelEnvironment.Process).ActiveConfigPath;
        var active = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return new ActiveModelConfig(path, active);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelManifestException(path, "$: expected an object");
            if (document.RootElement.TryGetProperty("active", out var map))
            {
                if (map.ValueKind != JsonValueKind.Object) throw new ModelManifestException(path, "$.active: expected an object of task: model id");
                foreach (var p in map.EnumerateObject())
                    active[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()!
                        : throw new ModelManifestException(path, $"$.active.{p.Name}: expected a model id string");
            }
        }
        catch (JsonException e) { throw new ModelManifestException(path, $"not valid JSON: {e.Message}", e); }
        return new ActiveModelConfig(path, active);
    }

    public string? ActiveFor(string task) => _active.GetValueOrDefault(task);

    /// <summary>Makes <paramref name="id"/> the active model for <paramref name="task"/> after checking
    /// that the registry has it and that it serves that task; saves the file.</summary>
    public void Use(ModelRegistry registry, string task, string id)
    {
        var package = registry.Get(id);
        if (package.Task != task)
            throw new ArgumentException($"model '{id}' is a {package.Task} model, not a {task} model.", nameof(task));
        Use(task, id);
    }

    /// <summary>Sets the active model for a task and saves the file (written to a temp name, then renamed).</summary>
    public void Use(string task, string id)
    {
        if (!ManifestReader.IsSafeId(id)) throw new ArgumentException($"\"{id}\" is not a model id.", nameof(id));
        _active[task] = id;
        Save();
    }

    /// <summary>Forgets the active model of a task; true when one was set.</summary>
    public bool Clear(string task)
    {
        if (!_active.Remove(task)) return false;
        Save();
        return true;
    }

    private void Save()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        var temp = Path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(temp, JsonSerializer.Serialize(new { active = _active }, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(temp, Path, overwrite: true);
    }
}
