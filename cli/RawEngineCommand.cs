using System.CommandLine;
using System.CommandLine.Invocation;
using RawEngine.Cli.Commands;

namespace RawEngine.Cli;

/// <summary>The <c>rawengine</c> command tree; each subcommand lives in its own file under Commands/.</summary>
public static class RawEngineCommand
{
    public static Task<int> RunAsync(string[] args) => RunAsync(args, CliContext.Console);

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        if (args.Length > 0 && args[0] == "convert") Convert.Converter.Preload();
        // Known before the commands are made, so each one gets a context that logs at the asked level.
        var verbose = new Option<bool>("--verbose") { Description = "Log what the engine does (debug level) on stderr", Recursive = true };
        if (args.Contains("--verbose"))
            context = context with { LoggerFactory = new CliLoggerFactory(context.Error, Microsoft.Extensions.Logging.LogLevel.Debug) };
        var root = new RootCommand("RawEngine: raw photo processing engine")
        {
            verbose,
            InfoCommand.Create(context),
            ThumbCommand.Create(context),
            Convert.ConvertCommand.Create(context),
            Convert.DemoCommand.Create(context),
            Models.ModelsCommand.Create(context),
            Mask.MaskCommand.Create(context),
            Batch.BatchCommand.Create(context),
            Serve.ServeCommand.Create(context),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is ParseErrorAction)
        {
            // One line, as every error: the parser's first complaint and where the help is.
            var path = string.Join(' ', Path(parsed.CommandResult));
            context.Fail($"{parsed.Errors[0].Message.TrimEnd('.')} (see '{path} --help')");
            return ExitCodes.UsageError;
        }
        var invocation = new InvocationConfiguration { Output = context.Out, Error = context.Error };
        return await parsed.InvokeAsync(invocation, cancellationToken);
    }

    private static IEnumerable<string> Path(System.CommandLine.Parsing.CommandResult result) =>
        result.Parent is System.CommandLine.Parsing.CommandResult parent ? Path(parent).Append(result.Command.Name) : ["rawengine"];
}
