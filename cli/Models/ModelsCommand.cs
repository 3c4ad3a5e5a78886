using System.CommandLine;
using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Install;
using RawEngine.AI.Registry;

namespace RawEngine.Cli.Models;

/// <summary>
/// <c>rawengine models list | info | install | remove | use | verify</c>: the installed models, what they
/// take, and their upkeep. <c>--models DIR</c> (repeatable, before or after the subcommand) is searched
/// first and its first folder takes installs; <c>RAWENGINE_MODELS</c> and the user's models folder follow.
/// </summary>
public static class ModelsCommand
{
    public static Command Create(CliContext context)
    {
        var folders = new Option<string[]>("--models")
        {
            Description = "Model folder to search first (repeatable); the first one receives installs",
            HelpName = "DIR",
            Recursive = true,
        };
        var scope = new ModelsScope(context, folders);
        return new Command("models", "List, inspect, install, remove, choose and verify AI models")
        {
            folders,
            List(scope),
            Info(scope),
            Install(scope),
            Remove(scope),
            Use(scope),
            Verify(scope),
        };
    }

    private static Command List(ModelsScope scope)
    {
        var json = JsonOption();
        var command = new Command("list", "The models found, in search order: task, what they take, whether active") { json };
        command.SetAction(parsed => scope.Run(null, () =>
        {
            var report = ModelListReport.From(ModelRegistry.Discover(scope.Search(parsed)), scope.ActiveConfig());
            scope.Print(parsed.GetValue(json) ? ReportJson.Serialize(report) : report.ToText());
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Info(ModelsScope scope)
    {
        var id = IdArgument();
        var json = JsonOption();
        var command = new Command("info", "One model: manifest, io contract and the networks' real tensors (loads and validates it)") { id, json };
        command.SetAction(parsed => scope.Run(parsed.GetValue(id), () =>
        {
            var package = ModelRegistry.Discover(scope.Search(parsed)).Get(parsed.GetValue(id)!);
            using var host = new ModelHost(InferenceSettings.Cpu with { Optimization = GraphOptimization.Basic }, scope.Logger);
            var report = ModelInfoReport.From(host.Open(package), scope.ActiveConfig());
            scope.Print(parsed.GetValue(json) ? ReportJson.Serialize(report) : report.ToText());
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Install(ModelsScope scope)
    {
        var source = new Argument<string>("archive") { Description = "A .zip, .tar.gz or .dtmodel archive, or an http(s) URL" };
        var sha256 = new Option<string?>("--sha256") { Description = "Expected SHA-256 of the archive (required for URLs)" };
        sha256.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } digest && !Digest.IsSha256(digest.Trim()))
                result.AddError($"--sha256 \"{digest}\" is not a SHA-256 digest (64 hex digits)");
        });
        var command = new Command("install", "Install a model package: hashed, unpacked safely, validated, then moved into place") { source, sha256 };
        command.SetAction((parsed, cancellationToken) => scope.RunAsync(parsed.GetValue(source), async () =>
        {
            var search = scope.Search(parsed);
            var installer = new ModelInstaller(new InstallerOptions(search, Logger: scope.Logger));
            var package = await installer.InstallAsync(parsed.GetValue(source)!, parsed.GetValue(sha256), null, cancellationToken);
            scope.Print($"installed {package.Id} ({package.Task}) into {package.Directory}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Remove(ModelsScope scope)
    {
        var id = IdArgument();
        var command = new Command("remove", "Delete an installed model's folder (and its active setting)") { id };
        command.SetAction(parsed => scope.Run(parsed.GetValue(id), () =>
        {
            var modelId = parsed.GetValue(id)!;
            var search = scope.Search(parsed);
            var task = ModelRegistry.Discover(search).Find(modelId)?.Task;
            var folder = new ModelInstaller(new InstallerOptions(search, Logger: scope.Logger)).Remove(modelId);
            scope.Print($"removed {modelId} from {folder}");
            // A model of the same id further down the search path takes over; only a vanished one is unset.
            var active = scope.ActiveConfig();
            if (task is not null && active.ActiveFor(task) == modelId && ModelRegistry.Discover(search).Find(modelId) is null && active.Clear(task))
                scope.Print($"no {task} model is set active any more");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Use(ModelsScope scope)
    {
        var task = new Argument<string>("task") { Description = $"Task: {string.Join(", ", TaskDefaults.KnownTasks)}" };
        task.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } name && !TaskDefaults.KnownTasks.Contains(name))
                result.AddError($"\"{name}\" is not a task (known: {string.Join(", ", TaskDefaults.KnownTasks)})");
        });
        var id = IdArgument();
        var command = new Command("use", "Make a model the active one for its task (saved in the user config)") { task, id };
        command.SetAction(parsed => scope.Run(parsed.GetValue(id), () =>
        {
            var active = scope.ActiveConfig();
            active.Use(ModelRegistry.Discover(scope.Search(parsed)), parsed.GetValue(task)!, parsed.GetValue(id)!);
            scope.Print($"{parsed.GetValue(id)} is the active {parsed.GetValue(task)} model (saved in {active.Path})");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Verify(ModelsScope scope)
    {
        var id = new Argument<string?>("id") { Description = "Model id; every model when left out", Arity = ArgumentArity.ZeroOrOne };
        var json = JsonOption();
        var command = new Command("verify", "Re-hash each model's files against the digests recorded at install and re-validate its contract") { id, json };
        command.SetAction(parsed => scope.Run(parsed.GetValue(id), () =>
        {
            var results = new ModelInstaller(new InstallerOptions(scope.Search(parsed), Logger: scope.Logger)).Verify(parsed.GetValue(id));
            var report = new VerifyReport(results);
            scope.Print(parsed.GetValue(json) ? ReportJson.Serialize(report.Models) : report.ToText());
            foreach (var result in results)
                foreach (var problem in result.Problems)
                    scope.Context.Fail($"{result.Id}: {problem}");
            return results.All(r => r.Ok) ? ExitCodes.Ok : ExitCodes.ProcessingError;
        }));
        return command;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Machine-readable output" };

    private static Argument<string> IdArgument() => new("id") { Description = "Model id, as 'rawengine models list' shows it" };
}
