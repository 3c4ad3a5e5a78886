using System.Collections.Immutable;
using RawEngine.Engine.Masks;

namespace RawEngine.Engine.Edits;

/// <summary>
/// How one image is developed: which module instances run with which params, how each blends, the
/// masks they use, and optionally an explicit order overriding the engine's default iop order.
/// Immutable; build variations with the <c>With*</c> helpers. Read and written by <see cref="EditSerializer"/>.
/// </summary>
public sealed record Edit
{
    public const string FormatName = "rawengine-edit";
    public const int CurrentVersion = 1;

    /// <summary>The raw file the edit belongs to, as written in the sidecar (a file name beside it).</summary>
    public string? Image { get; init; }

    public ImmutableArray<ModuleEntry> Modules { get; init; } = [];

    /// <summary>Instance names in processing order; null keeps the engine's default order.</summary>
    public ImmutableArray<string>? Order { get; init; }

    public MaskSet Masks { get; init; } = MaskSet.Empty;

    public static Edit Empty { get; } = new();

    /// <summary>This edit with <paramref name="instance"/> enabled and set to <paramref name="parameters"/> (added at the end if new).</summary>
    public Edit With(string instance, OperationParams parameters, BlendParams? blend = null)
    {
        var index = IndexOf(instance);
        var entry = new ModuleEntry(instance, parameters, Enabled: true, blend ?? (index >= 0 ? Modules[index].Blend : null));
        return this with { Modules = index >= 0 ? Modules.SetItem(index, entry) : Modules.Add(entry) };
    }

    /// <summary>This edit with <paramref name="instance"/> switched on or off (it must be present).</summary>
    public Edit WithEnabled(string instance, bool enabled)
    {
        var index = IndexOf(instance);
        if (index < 0) throw new ArgumentException($"The edit has no module instance '{instance}'.", nameof(instance));
        return this with { Modules = Modules.SetItem(index, Modules[index] with { Enabled = enabled }) };
    }

    public int IndexOf(string instance)
    {
        for (var i = 0; i < Modules.Length; i++)
            if (Modules[i].Instance == instance) return i;
        return -1;
    }

    /// <summary>
    /// Equal content, not reference: arrays compare element by element, masks by their canonical JSON.
    /// Params records compare by value.
    /// </summary>
    public bool Equals(Edit? other) =>
        other is not null && Image == other.Image && Modules.SequenceEqual(other.Modules) &&
        (Order is null ? other.Order is null : other.Order is { } o && Order.Value.SequenceEqual(o)) && Masks.Equals(other.Masks);

    public override int GetHashCode() => HashCode.Combine(Image, Modules.Length, Masks);
}

/// <summary>
/// One module instance in an edit. <see cref="Instance"/> is the module id for the first instance
/// (<c>exposure</c>) and <c>id#name</c> for more (<c>exposure#2</c>).
/// </summary>
public sealed record ModuleEntry(string Instance, OperationParams Params, bool Enabled = true, BlendParams? Blend = null)
{
    public string ModuleId => ModuleIdOf(Instance);

    public static string ModuleIdOf(string instance)
    {
        var hash = instance.IndexOf('#');
        return hash < 0 ? instance : instance[..hash];
    }

    /// <summary>True for <c>id</c> or <c>id#name</c> with snake_case id and a non-empty [a-z0-9_] name.</summary>
    public static bool IsValidInstanceName(string instance)
    {
        var hash = instance.IndexOf('#');
        var id = hash < 0 ? instance : instance[..hash];
        return IsSnakeCase(id) && (hash < 0 || (hash < instance.Length - 1 && instance[(hash + 1)..].All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')));
    }

    public static bool IsSnakeCase(string id) =>
        id.Length > 0 && id[0] is >= 'a' and <= 'z' && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');
}

/// <summary>
/// How a module's output <c>b</c> combines with its input <c>a</c> before the opacity mix, pointwise per
/// channel in the module's own colour space (linear light for most modules, so 0.5 is not mid-grey
/// there; values above 1 pass through the same formulas).
/// </summary>
public enum BlendMode
{
    /// <summary><c>b</c>: the module's output.</summary>
    Normal,
    /// <summary><c>a * b</c>.</summary>
    Multiply,
    /// <summary><c>a + b - a * b</c>.</summary>
    Screen,
    /// <summary><c>a &lt; 0.5 ? 2ab : 1 - 2(1 - a)(1 - b)</c>.</summary>
    Overlay,
    /// <summary><c>max(a, b)</c>.</summary>
    Lighten,
    /// <summary><c>min(a, b)</c>.</summary>
    Darken,
}

/// <summary>
/// How a module's output is mixed with its input: with weight <c>w = Opacity * mask</c> per pixel,
/// <c>result = input * (1 - w) + mode(input, output) * w</c> (see <see cref="BlendMode"/>), the mask being
/// the group of <see cref="Edit.Masks"/> that <see cref="Mask"/> names (1 everywhere when null). Weight 0
/// gives the input and weight 1 the blended output exactly. It is a params record itself, so blend JSON
/// gets the same reading, ranges and messages.
/// </summary>
public sealed record BlendParams : OperationParams
{
    public static ParamsSchema Schema { get; } = new(typeof(BlendParams));

    public BlendMode Mode { get; init; } = BlendMode.Normal;

    [ParamRange(0, 1)]
    public double Opacity { get; init; } = 1.0;

    /// <summary>The mask group the blend is restricted to; null for the whole image.</summary>
    public string? Mask { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsIdentity => Mode == BlendMode.Normal && Opacity >= 1.0 && Mask is null;
}
