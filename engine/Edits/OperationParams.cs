namespace RawEngine.Engine.Edits;

/// <summary>
/// The base of every module's params: an immutable record with a parameterless constructor whose
/// property initialisers are the defaults. Numeric ranges go on properties as <see cref="ParamRangeAttribute"/>.
/// Serialised as JSON with snake_case names, beside the module's params version.
/// </summary>
public abstract record OperationParams;

/// <summary>The inclusive range a numeric parameter must lie in.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ParamRangeAttribute(double min, double max) : Attribute
{
    public double Min { get; } = min;
    public double Max { get; } = max;
}

/// <summary>A sentence for a CLI's or GUI's help.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ParamDescriptionAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}

/// <summary>A problem in an edit, named by its JSON path (<c>modules[3].params.exposure</c>).</summary>
public sealed class EditException(string path, string problem, Exception? inner = null)
    : RawEngineException(ErrorSubjectKind.Edit, path, problem, inner);
