using RawEngine.AI.Registry;
using RawEngine.Engine;
using RawEngine.Engine.Raw;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Ai;

public class RegistryTests
{
    /// <summary>Writes a model folder with just a manifest: discovery and choice read nothing else.</summary>
    private static string WriteModel(string root, string folder, string id, string task, string extra = "")
    {
        var dir = Path.Combine(root, folder);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), $$"""{"id": "{{id}}", "task": "{{task}}"{{extra}}}""");
        return dir;
    }

    private const string BayerIo = """, "io": {"cfa": {"type": "bayer", "pattern": ["RG", "GB"]}}""";
    private const string XTransIo = """, "io": {"cfa": {"type": "xtrans", "pattern": ["GBGGRG", "RGRBGB", "GBGGRG", "GRGGBG", "BGBRGR", "GRGGBG"]}}""";

    [Fact]
    public void SearchOrderIsExplicitThenEnvironmentThenXdgDataAndTheFirstIdWins()
    {
        using var t = new TempFolder();
        var home = t.File("home");
        var env = AiTestFiles.IsolatedEnvironment(home, $"{t.File("env1")}:{t.File("env2")}");
        var xdg = Path.Combine(home, ".local", "share", "rawengine", "models");
        WriteModel(t.File("explicit"), "a", "shared-id", "denoise", """, "name": "explicit copy" """);
        WriteModel(t.File("env2"), "b", "shared-id", "denoise", """, "name": "env copy" """);
        WriteModel(t.File("env1"), "c", "env-only", "denoise");
        WriteModel(xdg, "d", "user-only", "denoise");

        var registry = ModelRegistry.Discover(new ModelSearchOptions([t.File("explicit")], env));
        Assert.Equal([t.File("explicit"), t.File("env1"), t.File("env2"), xdg], registry.SearchPaths);
        Assert.Equal(["shared-id", "env-only", "user-only"], registry.Models.Select(m => m.Id));
        Assert.Equal("explicit copy", registry.Get("shared-id").Manifest.Name);
        Assert.Contains(registry.Problems, p => p.Directory == Path.Combine(t.Path, "env2", "b") && p.Message.Contains("hidden by"));
        Assert.Equal(t.File("explicit"), registry.InstallDirectory);
    }

    [Fact]
    public void XdgDataHomeIsHonouredAndHiddenOrBrokenFoldersAreSkipped()
    {
        using var t = new TempFolder();
        var data = t.File("data");
        var env = new ModelEnvironment(name => name == "XDG_DATA_HOME" ? data : null, t.File("home"));
        var models = Path.Combine(data, "rawengine", "models");
        WriteModel(models, "good", "good", "denoise");
        WriteModel(models, ".staging-123", "staged", "denoise");
        Directory.CreateDirectory(Path.Combine(models, "broken"));
        File.WriteAllText(Path.Combine(models, "broken", "config.json"), "{ not json");
        Directory.CreateDirectory(Path.Combine(models, "not-a-model"));

        var registry = ModelRegistry.Discover(new ModelSearchOptions(Environment: env));
        Assert.Equal([models], registry.SearchPaths);
        Assert.Equal(models, registry.InstallDirectory);
        Assert.Equal(["good"], registry.Models.Select(m => m.Id));
        var problem = Assert.Single(registry.Problems);
        Assert.Contains("not valid JSON", problem.Message);
        var missing = Assert.Throws<ModelNotFoundException>(() => registry.Get("staged"));
        Assert.Equal((ErrorSubjectKind.Model, "staged"), (missing.SubjectKind, missing.Subject));
        Assert.StartsWith("model 'staged': not installed", missing.Message);
    }

    [Fact]
    public void ChoiceFollowsRequestedThenActiveThenDefaultThenFirstFound()
    {
        using var t = new TempFolder();
        var root = t.File("models");
        WriteModel(root, "b", "b-denoise", "denoise");
        WriteModel(root, "a", "a-denoise", "denoise");
        WriteModel(root, "c", "c-denoise", "denoise", """, "default": true""");
        WriteModel(root, "m", "mosaic", "demosaic", BayerIo);
        var options = new ModelSearchOptions([root], AiTestFiles.IsolatedEnvironment(t.File("home")));
        var registry = ModelRegistry.Discover(options);
        var config = ActiveModelConfig.Load(Path.Combine(t.Path, "config", "models.json"));

        Assert.Equal(new ModelChoice(registry.Get("c-denoise"), ChoiceReason.Default), registry.Choose("denoise", ModelInputTraits.Rgb, active: config));
        config.Use(registry, "denoise", "b-denoise");
        Assert.Equal(new ModelChoice(registry.Get("b-denoise"), ChoiceReason.Active), registry.Choose("denoise", ModelInputTraits.Rgb, active: config));
        Assert.Equal(new ModelChoice(registry.Get("a-denoise"), ChoiceReason.Requested), registry.Choose("denoise", requestedId: "a-denoise", active: config));
        Assert.Contains("is a demosaic model", Assert.Throws<ModelNotFoundException>(() => registry.Choose("denoise", requestedId: "mosaic")).Message);

        // Without a default, the first found in search order then id.
        File.WriteAllText(Path.Combine(root, "c", "config.json"), """{"id": "c-denoise", "task": "denoise"}""");
        registry = ModelRegistry.Discover(options);
        Assert.Equal(new ModelChoice(registry.Get("a-denoise"), ChoiceReason.FirstFound), registry.Choose("denoise"));
        Assert.Contains("no mask model is installed", Assert.Throws<ModelNotFoundException>(() => registry.Choose("mask")).Message);
    }

    [Fact]
    public void ActiveModelThatDoesNotFitTheInputGivesWayToOneThatDoes()
    {
        using var t = new TempFolder();
        var root = t.File("models");
        WriteModel(root, "bayer", "bayer-net", "demosaic", BayerIo);
        WriteModel(root, "xtrans", "xtrans-net", "demosaic", XTransIo);
        var registry = ModelRegistry.Discover(new ModelSearchOptions([root], AiTestFiles.IsolatedEnvironment(t.File("home"))));
        var config = ActiveModelConfig.Load(t.File("models.json"));
        config.Use(registry, "demosaic", "bayer-net");
        Assert.Equal("bayer-net", registry.Choose("demosaic", ModelInputTraits.Mosaic(CfaPattern.Gbrg), active: config).Package.Id);
        var xtrans = registry.Choose("demosaic", ModelInputTraits.Mosaic(CfaPattern.XTrans), active: config);
        Assert.Equal(("xtrans-net", ChoiceReason.FirstFound), (xtrans.Package.Id, xtrans.Reason));
        Assert.Contains("does not take an X-Trans mosaic",
            Assert.Throws<ModelNotFoundException>(() => registry.Choose("demosaic", ModelInputTraits.Mosaic(CfaPattern.XTrans), "bayer-net")).Message);
    }

    [Fact]
    public void ActiveConfigRoundTripsThroughItsFileAndChecksWhatItIsGiven()
    {
        using var t = new TempFolder();
        var root = t.File("models");
        WriteModel(root, "n", "nafnet", "denoise");
        var registry = ModelRegistry.Discover(new ModelSearchOptions([root], AiTestFiles.IsolatedEnvironment(t.File("home"))));
        var env = AiTestFiles.IsolatedEnvironment(t.File("home"));
        Assert.Equal(Path.Combine(t.File("home"), ".config", "rawengine", "models.json"), env.ActiveConfigPath);

        var config = ActiveModelConfig.Load(environment: env);
        Assert.Empty(config.Active);
        config.Use(registry, "denoise", "nafnet");
        Assert.Equal("nafnet", ActiveModelConfig.Load(environment: env).ActiveFor("denoise"));
        Assert.Throws<ModelNotFoundException>(() => config.Use(registry, "denoise", "missing"));
        Assert.Contains("not a mask model", Assert.Throws<ArgumentException>(() => config.Use(registry, "mask", "nafnet")).Message);
        Assert.True(config.Clear("denoise"));
        Assert.Null(ActiveModelConfig.Load(environment: env).ActiveFor("denoise"));

        File.WriteAllText(env.ActiveConfigPath, """{"active": {"denoise": 3}}""");
        Assert.Contains("$.active.denoise", Assert.Throws<ModelManifestException>(() => ActiveModelConfig.Load(environment: env)).Message);
    }

    [Fact]
    public void RelativeXdgValuesAreIgnoredAsTheSpecSays()
    {
        var env = new ModelEnvironment(name => name.StartsWith("XDG_") ? "relative/dir" : null, "/home/u");
        Assert.Equal(Path.Combine("/home/u", ".local", "share", "rawengine", "models"), env.UserModelsDirectory);
        Assert.Equal(Path.Combine("/home/u", ".config", "rawengine", "models.json"), env.ActiveConfigPath);
    }
}
