using System.CommandLine;
using Microsoft.Extensions.Logging;
using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Install;
using RawEngine.AI.Registry;
using RawEngine.Engine;

namespace RawEngine.Cli.Models;

/// <summary>
/// What every <c>models</c> subcommand shares: the search folders of the call, the active-model config,
/// where output and library warnings go, and how the AI subsystem's failures become exit codes.
/// </summary>
internal sealed class ModelsScope(CliContext context, Option<string[]> folders)
{
    public CliContext Context { get; } = context;

    public ILogger Logger { get; } = context.LoggerFactory.CreateLogger("models");

    /// <summary><c>--models</c> folders first, then <c>RAWENGINE_MODELS</c>, then the user's models folder.</summary>
    public ModelSearchOptions Search(ParseResult parsed) => new(parsed.GetValue(folders) ?? [], Context.ModelEnvironment);

    public ActiveModelConfig ActiveConfig() => ActiveModelConfig.Load(environment: Context.ModelEnvironment);

    /// <summary>The models the environment's catalog offers (the repository's <c>models/catalog.json</c>), null without one.</summary>
    public ModelCatalog? Catalog() => Context.ModelEnvironment.CatalogPath is { } path ? ModelCatalog.Load(path) : null;

    /// <summary>Writes a report to stdout, ending in exactly one newline.</summary>
    public void Print(string text)
    {
        Context.Out.Write(text);
        if (!text.EndsWith('\n')) Context.Out.WriteLine();
    }

    /// <summary>Runs a subcommand; a failure is one line on stderr naming <paramref name="subject"/> (the
    /// model id or archive) unless the message already starts with it.</summary>
    public int Run(string? subject, Func<int> action)
    {
        try { return action(); }
        catch (Exception e) when (ExitCodeFor(e) is { } code)
        {
            Fail(subject, e);
            return code;
        }
    }

    public async Task<int> RunAsync(string? subject, Func<Task<int>> action)
    {
        try { return await action(); }
        catch (Exception e) when (ExitCodeFor(e) is { } code)
        {
            Fail(subject, e);
            return code;
        }
    }

    /// <summary>A bad argument the parser could not catch (a model of another task for <c>use</c>) is a
    /// usage error; a model, archive or file that fails is a processing error; anything else is a bug.</summary>
    private static int? ExitCodeFor(Exception e) => e switch
    {
        ArgumentException => ExitCodes.UsageError,
        RawEngineException or IOException or UnauthorizedAccessException => ExitCodes.ProcessingError,
        _ => null,
    };

    private void Fail(string? subject, Exception e)
    {
        Context.Fail(subject is null ? CliErrors.MessageOf(e) : CliErrors.About(e, subject));
    }
}
