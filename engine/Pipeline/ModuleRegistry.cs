using System.Text.Json.Nodes;
using RawEngine.Engine.Edits;

namespace RawEngine.Engine.Pipeline;

/// <summary>
/// The modules an engine knows, by stable id, with the iop order they run in. The pipe looks modules
/// up here and nowhere else: adding a module means registering it, never a special case by name.
/// </summary>
public sealed class ModuleRegistry
{
    private readonly Dictionary<string, (IImageOperation Operation, ParamsSchema Schema)> _modules = new();
    private readonly Dictionary<string, int> _orderIndex = new();

    /// <param name="modules">The modules; ids must be unique snake_case.</param>
    /// <param name="order">
    /// Module ids in processing order (like darktable's iop order). It may name modules that are not
    /// registered (they are skipped); every registered module must be in it. Null: registration order.
    /// </param>
    public ModuleRegistry(IEnumerable<IImageOperation> modules, IReadOnlyList<string>? order = null)
    {
        foreach (var module in modules)
        {
            var id = module.Info.Id;
            if (!ModuleEntry.IsSnakeCase(id)) throw new ArgumentException($"Module id '{id}' is not snake_case.", nameof(modules));
            if (module.Info.ParamsVersion < 1) throw new ArgumentException($"Module '{id}' has params version {module.Info.ParamsVersion}; versions start at 1.", nameof(modules));
            if (!_modules.TryAdd(id, (module, new ParamsSchema(module.ParamsType))))
                throw new ArgumentException($"Module id '{id}' is registered twice.", nameof(modules));
        }
        Order = order ?? _modules.Keys.ToArray();
        for (var i = 0; i < Order.Count; i++)
            if (!_orderIndex.TryAdd(Order[i], i)) throw new ArgumentException($"The iop order names '{Order[i]}' twice.", nameof(order));
        foreach (var id in _modules.Keys)
            if (!_orderIndex.ContainsKey(id)) throw new ArgumentException($"Module '{id}' is not in the iop order.", nameof(order));
    }

    public IReadOnlyList<string> Order { get; }

    public IEnumerable<IImageOperation> Modules => _modules.Values.Select(m => m.Operation);

    public bool Contains(string id) => _modules.ContainsKey(id);

    public IImageOperation Get(string id) =>
        _modules.TryGetValue(id, out var module) ? module.Operation : throw new KeyNotFoundException(UnknownModule(id));

    public ParamsSchema SchemaOf(string id) =>
        _modules.TryGetValue(id, out var module) ? module.Schema : throw new KeyNotFoundException(UnknownModule(id));

    /// <summary>Position of a module in the iop order.</summary>
    public int OrderIndexOf(string id) => _orderIndex.TryGetValue(id, out var index) ? index : throw new KeyNotFoundException(UnknownModule(id));

    public string UnknownModule(string id) => $"unknown module '{id}' (known: {string.Join(", ", _modules.Keys.Order())})";

    /// <summary>
    /// Reads a module's params JSON written by params <paramref name="version"/> (null: current),
    /// upgrading it one version at a time, then validating; errors name paths under <paramref name="path"/>.
    /// </summary>
    public OperationParams ReadParams(string id, JsonNode? json, int? version, string path)
    {
        var (operation, schema) = _modules.TryGetValue(id, out var module) ? module : throw new EditException(path, UnknownModule(id));
        var current = operation.Info.ParamsVersion;
        var from = version ?? current;
        if (from > current) throw new EditException($"{path}.version", $"params version {from} is newer than module '{id}' knows ({current})");
        if (from < 1) throw new EditException($"{path}.version", $"params version {from} is not a version (they start at 1)");
        if (from < current)
        {
            if (json is not JsonObject obj) throw new EditException($"{path}.params", "expected an object of parameters");
            var upgraded = (JsonObject)obj.DeepClone();
            for (var v = from; v < current; v++)
            {
                try
                {
                    upgraded = operation.UpgradeParams(v, upgraded);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new EditException($"{path}.params", $"cannot upgrade '{id}' params from version {v} to {v + 1}: {e.Message}", e);
                }
            }
            json = upgraded;
        }
        return schema.Read(json, $"{path}.params");
    }
}
