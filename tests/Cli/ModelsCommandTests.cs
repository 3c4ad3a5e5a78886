using System.Security.Cryptography;
using System.Text.Json;
using RawEngine.AI.Registry;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Cli;

/// <summary>
/// <c>rawengine models</c> end to end, in-process: on the shipped demosaicnet models (linked into a temporary
/// folder; nothing here installs into or removes from them) and on archives built here and installed into a temporary
/// folder. The user's folders are never touched: every run gets an environment whose home, data and
/// config folders lie in the test's temporary folder.
/// </summary>
public sealed class ModelsCommandTests : IDisposable
{
    private const string Bayer = "demosaic-demosaicnet-bayer";
    private const string XTrans = "demosaic-demosaicnet-xtrans";

    private readonly TempFolder _temp = new();
    private readonly ModelEnvironment _environment;
    private readonly string _models;
    private readonly string _demosaicNet;

    public ModelsCommandTests()
    {
        _environment = AiTestFiles.IsolatedEnvironment(_temp.File("home"));
        _models = _temp.File("models");
        _demosaicNet = AiTestFiles.ShippedSubset(_temp.File("demosaicnet"), Bayer, XTrans);
    }

    public void Dispose() => _temp.Dispose();

    private Task<CliRunner.Result> Run(params string[] args) => CliRunner.RunAsync(_environment, args);

    private Task<CliRunner.Result> OnDemosaicNet(params string[] args) => Run(["models", "--models", _demosaicNet, .. args]);

    /// <summary>Runs with the temporary models folder first, so installs go there.</summary>
    private Task<CliRunner.Result> OnTemp(params string[] args) => Run(["models", "--models", _models, .. args]);

    private static JsonElement Json(CliRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, result.Error);
        using var document = JsonDocument.Parse(result.Out);
        return document.RootElement.Clone();
    }

    private static string[] Ids(JsonElement list) => [.. list.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];

    private static void OneErrorLine(CliRunner.Result result, int exitCode, string prefix)
    {
        Assert.Equal(exitCode, result.ExitCode);
        Assert.StartsWith($"rawengine: {prefix}", result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
    }

    private string Archive(string name, List<ArchiveEntry> entries)
    {
        var path = _temp.File(name);
        ArchiveFixtures.WriteZip(path, entries);
        return path;
    }

    private string DenoiseArchive(string name, string version) => Archive(name, ArchiveFixtures.Package("denoise-tiny", topFolder: "denoise-tiny",
        config: $$"""{"id": "denoise-tiny", "name": "tiny", "task": "denoise", "arch": "nafnet", "backend": "onnx", "version": "{{version}}", "default": true}"""));

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>Every path under the models folder with its bytes' digest: what a failed command must leave as it was.</summary>
    private string[] Snapshot() => Directory.Exists(_models)
        ? [.. Directory.GetFileSystemEntries(_models, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => File.Exists(p) ? $"{p} {Sha(p)}" : p)]
        : [];

    [Fact]
    public async Task ListShowsBothDemosaicNetModelsWithTaskAndCfa()
    {
        var result = await OnDemosaicNet("list");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        var lines = result.Out.Split('\n');
        Assert.StartsWith("ID", lines[0]);
        var bayer = Assert.Single(lines, l => l.StartsWith(Bayer + " "));
        Assert.Contains(" demosaic ", bayer);
        Assert.Contains("bayer GR/BG", bayer);
        var xtrans = Assert.Single(lines, l => l.StartsWith(XTrans + " "));
        Assert.Contains("xtrans GBGGRG/RGRBGB/GBGGRG/GRGGBG/BGBRGR/GRGGBG", xtrans);
        Assert.Contains($"Searched: {_demosaicNet}, {_environment.UserModelsDirectory}", result.Out);
    }

    [Fact]
    public async Task ListJsonIsMachineReadable()
    {
        var list = Json(await OnDemosaicNet("list", "--json"));

        Assert.Equal([Bayer, XTrans], Ids(list));
        Assert.Equal([_demosaicNet, _environment.UserModelsDirectory], list.GetProperty("search_paths").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(_environment.ActiveConfigPath, list.GetProperty("active_config").GetString());
        var models = list.GetProperty("models").EnumerateArray().ToArray();
        Assert.All(models, m => Assert.Equal("demosaic", m.GetProperty("task").GetString()));
        Assert.All(models, m => Assert.False(m.GetProperty("active").GetBoolean()));
        Assert.All(models, m => Assert.Equal("masked-mosaic", m.GetProperty("input").GetProperty("layout").GetString()));
        var bayerCfa = models[0].GetProperty("input").GetProperty("cfa");
        Assert.Equal("bayer", bayerCfa.GetProperty("type").GetString());
        Assert.Equal(["GR", "BG"], bayerCfa.GetProperty("pattern").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("xtrans", models[1].GetProperty("input").GetProperty("cfa").GetProperty("type").GetString());
        Assert.Equal(6, models[1].GetProperty("input").GetProperty("cfa").GetProperty("pattern").GetArrayLength());
        Assert.Equal(Path.Combine(_demosaicNet, Bayer), models[0].GetProperty("directory").GetString());
        Assert.Equal(0, list.GetProperty("problems").GetArrayLength());
    }

    [Fact]
    public async Task RepeatedModelsFoldersAreSearchedInOrder()
    {
        var list = Json(await Run("models", "list", "--json", "--models", AiTestFiles.TestModels, "--models", _demosaicNet));

        Assert.Equal([AiTestFiles.TestModels, _demosaicNet, _environment.UserModelsDirectory],
            list.GetProperty("search_paths").EnumerateArray().Select(p => p.GetString()));
        var ids = Ids(list);
        Assert.True(Array.IndexOf(ids, "denoise-tiny") < Array.IndexOf(ids, Bayer), string.Join(", ", ids));
        Assert.Contains("mask-tiny-sam2", ids);
        Assert.Contains(XTrans, ids);
        Assert.Equal(AiTestFiles.TestModels, list.GetProperty("install_directory").GetString());
    }

    [Fact]
    public async Task InfoShowsTheIoContractAndTheRealTensors()
    {
        var text = await OnDemosaicNet("info", Bayer);
        Assert.Equal(0, text.ExitCode);
        Assert.Equal("", text.Error);
        Assert.Contains("demosaic (demosaicnet)", text.Out);
        Assert.Contains("bayer GR/BG", text.Out);
        Assert.Contains("1024 768 512 384 256 px, overlap 32, align 2", text.Out);
        Assert.Matches(@"in\s+mosaic\s+\(image\)\s+\[\w+,3,\w+,\w+\] float32", text.Out);
        Assert.Matches(@"out\s+rgb\s+\(image\)\s+\[\w+,3,\w+,\w+\] float32", text.Out);

        var info = Json(await OnDemosaicNet("info", Bayer, "--json"));
        Assert.Equal(Bayer, info.GetProperty("id").GetString());
        var io = info.GetProperty("io");
        Assert.Equal("mosaic", io.GetProperty("inputs").GetProperty("image").GetString());
        Assert.Equal("srgb", io.GetProperty("encoding").GetString());
        Assert.Equal([1024, 768, 512, 384, 256], io.GetProperty("tile").GetProperty("sizes").EnumerateArray().Select(s => s.GetInt32()));
        var network = Assert.Single(info.GetProperty("networks").EnumerateArray());
        Assert.Equal("model.onnx", network.GetProperty("file").GetString());
        var input = Assert.Single(network.GetProperty("inputs").EnumerateArray());
        Assert.Equal("mosaic", input.GetProperty("name").GetString());
        Assert.Equal("image", input.GetProperty("role").GetString());
        Assert.Equal("float32", input.GetProperty("element").GetString());
        var dims = input.GetProperty("dims").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        Assert.Equal(4, dims.Length);
        Assert.Equal(3, dims[1]);
        Assert.Equal("rgb", Assert.Single(network.GetProperty("outputs").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal("MIT", info.GetProperty("model_card").GetProperty("license").GetString());
    }

    [Fact]
    public async Task VerifyChecksTheContractsOfModelsInstalledByHand()
    {
        var result = await OnDemosaicNet("verify");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Matches($@"{Bayer}\s+ok \(contract only", result.Out);
        Assert.Matches($@"{XTrans}\s+ok \(contract only", result.Out);
    }

    [Fact]
    public async Task InstallUseVerifyAndRemoveAnArchiveBuiltHere()
    {
        var archive = DenoiseArchive("denoise-tiny.zip", "1.0");

        var install = await OnTemp("install", archive, "--sha256", Sha(archive).ToUpperInvariant());
        Assert.True(install.ExitCode == 0, install.Error);
        Assert.Equal("", install.Error);
        var folder = Path.Combine(_models, "denoise-tiny");
        Assert.Contains($"installed denoise-tiny (denoise) into {folder}", install.Out);
        Assert.True(File.Exists(Path.Combine(folder, "model.onnx")));
        Assert.DoesNotContain(Directory.GetDirectories(_models), d => Path.GetFileName(d).StartsWith('.'));

        var listed = Json(await OnTemp("list", "--json"));
        var entry = Assert.Single(listed.GetProperty("models").EnumerateArray(), m => m.GetProperty("id").GetString() == "denoise-tiny");
        Assert.Equal(folder, entry.GetProperty("directory").GetString());
        Assert.False(entry.GetProperty("active").GetBoolean());

        var use = await OnTemp("use", "denoise", "denoise-tiny");
        Assert.True(use.ExitCode == 0, use.Error);
        Assert.Equal("denoise-tiny", ActiveModelConfig.Load(environment: _environment).ActiveFor("denoise"));
        Assert.True(Assert.Single(Json(await OnTemp("list", "--json")).GetProperty("models").EnumerateArray()).GetProperty("active").GetBoolean());
        Assert.Matches(@"denoise-tiny\s+denoise\s+planar-rgb\s+active,default", (await OnTemp("list")).Out);
        var info = Json(await OnTemp("info", "denoise-tiny", "--json"));
        Assert.True(info.GetProperty("active").GetBoolean());
        Assert.Equal("input", info.GetProperty("io").GetProperty("inputs").GetProperty("image").GetString());

        var verify = await OnTemp("verify", "denoise-tiny");
        Assert.True(verify.ExitCode == 0, verify.Error);
        Assert.Matches(@"denoise-tiny\s+ok\s*$", verify.Out);

        File.AppendAllText(Path.Combine(folder, "model.onnx"), "tampered");
        var tampered = await OnTemp("verify");
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("denoise-tiny  FAILED", tampered.Out);
        var errors = tampered.Error.TrimEnd().Split('\n');
        Assert.All(errors, line => Assert.StartsWith("rawengine: denoise-tiny: ", line));
        Assert.Contains("rawengine: denoise-tiny: model.onnx: SHA-256 differs from the one recorded at install", errors);
        var verifyJson = JsonDocument.Parse((await OnTemp("verify", "--json")).Out).RootElement.EnumerateArray().Single();
        Assert.False(verifyJson.GetProperty("ok").GetBoolean());
        Assert.Contains(verifyJson.GetProperty("problems").EnumerateArray(), p => p.GetString()!.StartsWith("model.onnx: "));

        var remove = await OnTemp("remove", "denoise-tiny");
        Assert.True(remove.ExitCode == 0, remove.Error);
        Assert.Contains($"removed denoise-tiny from {folder}", remove.Out);
        Assert.Contains("no denoise model is set active any more", remove.Out);
        Assert.Empty(Directory.GetFileSystemEntries(_models));
        Assert.Null(ActiveModelConfig.Load(environment: _environment).ActiveFor("denoise"));
        Assert.Empty(Ids(Json(await OnTemp("list", "--json"))));

        OneErrorLine(await OnTemp("remove", "denoise-tiny"), 1, "model 'denoise-tiny': not installed");
    }

    [Fact]
    public async Task AWrongSha256ExitsOneAndLeavesTheInstalledVersion()
    {
        var first = DenoiseArchive("v1.zip", "1.0");
        Assert.Equal(0, (await OnTemp("install", first, "--sha256", Sha(first))).ExitCode);
        var before = Snapshot();
        var second = DenoiseArchive("v2.zip", "2.0");

        var result = await OnTemp("install", second, "--sha256", Sha(first));

        OneErrorLine(result, 1, $"{second}: SHA-256 mismatch");
        Assert.Equal("", result.Out);
        Assert.Equal(before, Snapshot());
        Assert.Equal("1.0", Json(await OnTemp("info", "denoise-tiny", "--json")).GetProperty("version").GetString());
    }

    [Fact]
    public async Task InstallWithoutADigestWarnsOnStderr()
    {
        var archive = DenoiseArchive("a.zip", "1.0");

        var result = await OnTemp("install", archive);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"rawengine: warning: Installing {archive} without a known SHA-256 (computed {Sha(archive)})", result.Error.TrimEnd());
        Assert.True(File.Exists(Path.Combine(_models, "denoise-tiny", "config.json")));
    }

    [Theory]
    [InlineData("../escaped.txt", "'..'")]
    [InlineData("/escaped.txt", "absolute path")]
    public async Task AnArchiveThatEscapesItsFolderExitsOne(string entry, string reason)
    {
        var archive = Archive("hostile.zip", [.. ArchiveFixtures.Package("denoise-tiny"), ArchiveEntry.Text(entry, "outside")]);

        var result = await OnTemp("install", archive, "--sha256", Sha(archive));

        OneErrorLine(result, 1, $"{archive}: ");
        Assert.Contains(reason, result.Error);
        Assert.Empty(Snapshot());
        Assert.Empty(Directory.GetFiles(_temp.Path, "escaped.txt", SearchOption.AllDirectories));
        Assert.False(File.Exists("/escaped.txt"));
    }

    [Fact]
    public async Task ProcessingErrorsAreOneLineAndExitOne()
    {
        OneErrorLine(await OnDemosaicNet("info", "no-such-model"), 1, "model 'no-such-model': not installed (searched ");
        OneErrorLine(await OnDemosaicNet("verify", "no-such-model"), 1, "model 'no-such-model': not installed (searched ");
        OneErrorLine(await OnDemosaicNet("use", "demosaic", "no-such-model"), 1, "model 'no-such-model': not installed (searched ");

        var missing = _temp.File("missing.zip");
        OneErrorLine(await OnTemp("install", missing), 1, $"{missing}: no such archive file");
        var garbage = _temp.File("garbage.zip");
        File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);
        OneErrorLine(await OnTemp("install", garbage, "--sha256", Sha(garbage)), 1, $"{garbage}: ");
        Assert.Empty(Snapshot());
    }

    [Fact]
    public async Task ADownloadWithoutADigestIsRefusedNamingTheOptionThatGivesIt()
    {
        const string url = "http://127.0.0.1:9/m.zip"; // never contacted: the digest is asked for first
        var result = await OnTemp("install", url);
        OneErrorLine(result, 1, $"{url}: a download needs its SHA-256 digest");
        Assert.EndsWith("; give it with --sha256\n", result.Error); // the CLI's words, added to the library's by type
        Assert.Empty(Snapshot());
    }

    [Fact]
    public async Task UsageErrorsExitWithTwo()
    {
        var archive = DenoiseArchive("a.zip", "1.0");
        Assert.Equal(2, (await Run("models")).ExitCode);
        Assert.Equal(2, (await Run("models", "info")).ExitCode);
        Assert.Equal(2, (await Run("models", "list", "--no-such-option")).ExitCode);
        Assert.Equal(2, (await Run("models", "list", "--models")).ExitCode);
        Assert.Equal(2, (await Run("models", "use", "denoise")).ExitCode);
        Assert.Equal(2, (await Run("models", "frobnicate")).ExitCode);

        var badDigest = await OnTemp("install", archive, "--sha256", "abc123");
        Assert.Equal(2, badDigest.ExitCode);
        Assert.Contains("--sha256 \"abc123\" is not a SHA-256 digest", badDigest.Error);
        Assert.Empty(Snapshot());

        var unknownTask = await OnDemosaicNet("use", "sharpen", Bayer);
        Assert.Equal(2, unknownTask.ExitCode);
        Assert.Equal("rawengine: \"sharpen\" is not a task (known: denoise, demosaic, mask) (see 'rawengine models use --help')\n", unknownTask.Error);

        var wrongTask = await OnDemosaicNet("use", "denoise", Bayer);
        OneErrorLine(wrongTask, 2, $"{Bayer}: model '{Bayer}' is a demosaic model, not a denoise model.");
        Assert.False(File.Exists(_environment.ActiveConfigPath));
    }
}

/// <summary><c>RAWENGINE_MODELS</c> and the XDG folders read from the real process environment.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ModelsCommandEnvironmentTests
{
    [Fact]
    public async Task HonoursRawEngineModelsAndTheXdgFolders()
    {
        using var temp = new TempFolder();
        var demosaicNet = AiTestFiles.ShippedSubset(temp.File("demosaicnet"), AiTestFiles.DemosaicNetBayer, AiTestFiles.DemosaicNetXTrans);
        var data = temp.File("data");
        var config = temp.File("config");
        using var environment = new ProcessEnvironment(
            (ModelEnvironment.ModelsVariable, demosaicNet), ("XDG_DATA_HOME", data), ("XDG_CONFIG_HOME", config));

        var result = await CliRunner.RunAsync("models", "list", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        var list = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(["demosaic-demosaicnet-bayer", "demosaic-demosaicnet-xtrans"], list.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        var userModels = Path.Combine(data, "rawengine", "models");
        Assert.Equal([demosaicNet, userModels], list.GetProperty("search_paths").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(userModels, list.GetProperty("install_directory").GetString());

        var use = await CliRunner.RunAsync("models", "use", "demosaic", "demosaic-demosaicnet-xtrans");
        Assert.True(use.ExitCode == 0, use.Error);
        Assert.Contains("demosaic-demosaicnet-xtrans", File.ReadAllText(Path.Combine(config, "rawengine", "models.json")));
    }
}
