using RawEngine.AI.Install;
using RawEngine.AI.Registry;
using RawEngine.Engine;
using RawEngine.Engine.IO;

namespace RawEngine.Cli;

/// <summary>
/// The command line's words for the libraries' errors: the library says what went wrong in its own terms, and the
/// CLI adds what to type about it, found by the exception's type (anywhere in its chain of inner exceptions).
/// </summary>
public static class CliErrors
{
    /// <summary>The one-line text for <paramref name="error"/>: its message, then the CLI's advice.</summary>
    public static string MessageOf(Exception error)
    {
        var message = error is ArgumentException { ParamName: { } name } ? error.Message.Replace($" (Parameter '{name}')", "") : error.Message;
        for (var e = error; e is not null; e = e.InnerException)
            if (Advice(e) is { } advice)
                return message + advice;
        return message;
    }

    /// <summary>
    /// <see cref="MessageOf"/> naming <paramref name="subject"/> (the file or model a command was working on) first,
    /// unless the error already names it or <paramref name="alsoNamed"/> (an output beside an input).
    /// </summary>
    public static string About(Exception error, string subject, string? alsoNamed = null)
    {
        var message = MessageOf(error);
        return Names(error, subject) || (alsoNamed is not null && Names(error, alsoNamed)) ? message : $"{subject}: {message}";
    }

    private static bool Names(Exception error, string subject) =>
        error.Message.StartsWith(subject + ":", StringComparison.Ordinal) || error is RawEngineException { Subject: { } s } && s == subject;

    private static string? Advice(Exception e) => e switch
    {
        OutputExistsException => " (use --overwrite to replace it)",
        DigestRequiredException => "; give it with --sha256",
        ModelNotFoundException { Installable.Count: > 0 } missing => $"; run: rawengine models install {string.Join(' ', missing.Installable)}",
        _ => null,
    };
}
