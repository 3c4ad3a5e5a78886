using System.CommandLine;
using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Install;
using RawEngine.AI.Registry;

namespace RawEngine.Cli.Models;

/// <summary>
/// <c>rawengine models list | info | install | remove | use | verify</c>: the installed models, what they
/// take, those the catalog offers, and their upkeep. <c>--models DIR</c> (repeatable, before or after the subcommand) is searched
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
        var command = new Command("list", "The models found, in search order: task, what they take, whether active; then those the catalog offers") { json };
        command.SetAction(parsed => scope.Run(null, () =>
        {
            var report = ModelListReport.From(ModelRegistry.Discover(scope.Search(parsed)), scope.ActiveConfig(), scope.Catalog());
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
        var sources = new Argument<string[]>("model")
        {
            Description = "A catalog id ('models list' shows them), a .zip, .tar.gz or .dtmodel archive, a model folder, or an http(s) URL",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var all = new Option<bool>("--all") { Description = "Install every model the repository ships (models/catalog.json); downloads only when named" };
        var sha256 = new Option<string?>("--sha256") { Description = "Expected SHA-256 of the archive (required for URLs)" };
        sha256.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } digest && !Digest.IsSha256(digest.Trim()))
                result.AddError($"--sha256 \"{digest}\" is not a SHA-256 digest (64 hex digits)");
        });
        var command = new Command("install", "Install models from the catalog, an archive or a folder: hashed, copied or unpacked safely, validated, then moved into place")
        {
            sources, all, sha256,
        };
        command.Validators.Add(result =>
        {
            var named = result.GetValue(sources) ?? [];
            if (named.Length == 0 && !result.GetValue(all)) result.AddError("name the models to install (ids, archives, folders or URLs), or give --all");
            if (result.GetValue(sha256) is not null && named.Length != 1) result.AddError("--sha256 goes with exactly one archive or URL");
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            ModelCatalog? catalog;
            try { catalog = scope.Catalog(); }
            catch (ModelManifestException e)
            {
                scope.Context.Fail(CliErrors.MessageOf(e));
                return ExitCodes.ProcessingError;
            }
            var installer = new ModelInstaller(new InstallerOptions(scope.Search(parsed), Catalog: catalog, Logger: scope.Logger));
            var named = parsed.GetValue(sources) ?? [];
            var exit = ExitCodes.Ok;
            if (parsed.GetValue(all))
            {
                if (catalog is null)
                {
                    scope.Context.Fail($"{ModelCatalog.ShippedRelativePath}: no model catalog found: --all installs the models of a RawEngine repository");
                    return ExitCodes.ProcessingError;
                }
                foreach (var entry in catalog.Shipped.Where(e => !named.Contains(e.Id)))
                    exit = Math.Max(exit, await scope.RunAsync(entry.Id, () => InstallEntryAsync(scope, installer, entry, cancellationToken)));
            }
            foreach (var source in named)
                exit = Math.Max(exit, await scope.RunAsync(source, async () =>
                {
                    var digest = parsed.GetValue(sha256);
                    if (digest is null && catalog?.ById(source) is { } entry && !File.Exists(source) && !Directory.Exists(source))
                        return await InstallEntryAsync(scope, installer, entry, cancellationToken);
                    scope.Print(InstalledLine(await installer.InstallAsync(source, digest, null, cancellationToken)));
                    return ExitCodes.Ok;
                }));
            return exit;
        });
        return command;
    }

    private static async Task<int> InstallEntryAsync(ModelsScope scope, ModelInstaller installer, CatalogEntry entry, CancellationToken ct)
    {
        var result = await installer.InstallAsync(entry, null, ct);
        scope.Print(result.Changed ? InstalledLine(result.Package) : $"{result.Package.Id} is installed and up to date ({result.Package.Directory})");
        return ExitCodes.Ok;
    }

    private static string InstalledLine(ModelPackage package) => $"installed {package.Id} ({package.Task}) into {package.Directory}";

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
        var task = new Argument<string>("task") { Description = "The task", HelpName = string.Join('|', TaskDefaults.KnownTasks) };
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
