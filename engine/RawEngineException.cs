namespace RawEngine.Engine;

/// <summary>What a <see cref="RawEngineException"/> is about, so a caller can say it in its own words.</summary>
public enum ErrorSubjectKind
{
    /// <summary>Nothing more specific than the operation that failed.</summary>
    None,

    /// <summary>A file or folder, named by its path as the caller gave it.</summary>
    File,

    /// <summary>A module instance of a pipe (<c>demosaic</c>, <c>exposure_2</c>).</summary>
    Module,

    /// <summary>A model package, named by its id.</summary>
    Model,

    /// <summary>A network input or output, named as the model names it.</summary>
    Tensor,

    /// <summary>A place in an edit, named by its JSON path (<c>modules[3].params.exposure</c>).</summary>
    Edit,

    /// <summary>A native library the engine loads (<c>libraw_r</c>).</summary>
    Library,
}

/// <summary>
/// The base of every error the engine's libraries raise on purpose: a subject (what it is about, see
/// <see cref="SubjectKind"/>) and a reason, both in plain words and free of any front end's vocabulary, so an
/// application or a command line can catch the type and add its own advice. The message reads
/// "subject: reason" (models and modules quoted: "model 'x': reason").
/// </summary>
public class RawEngineException : Exception
{
    public RawEngineException(ErrorSubjectKind subjectKind, string? subject, string reason, Exception? inner = null)
        : base(Describe(subjectKind, subject, reason), inner)
    {
        SubjectKind = subject is null ? ErrorSubjectKind.None : subjectKind;
        Subject = subject;
        Reason = reason;
    }

    /// <summary>An error about no particular subject.</summary>
    public RawEngineException(string reason, Exception? inner = null) : this(ErrorSubjectKind.None, null, reason, inner)
    {
    }

    public ErrorSubjectKind SubjectKind { get; }

    /// <summary>The file path, module instance, model id, tensor name, edit path or library name; null when none.</summary>
    public string? Subject { get; }

    /// <summary>What went wrong with the subject, without the subject.</summary>
    public string Reason { get; }

    private static string Describe(ErrorSubjectKind kind, string? subject, string reason) => subject is null ? reason : kind switch
    {
        ErrorSubjectKind.Module => $"module '{subject}': {reason}",
        ErrorSubjectKind.Model => $"model '{subject}': {reason}",
        ErrorSubjectKind.Tensor => $"tensor '{subject}': {reason}",
        _ => $"{subject}: {reason}",
    };
}
