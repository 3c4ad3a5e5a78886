using System.Text.Json;
using System.Text.RegularExpressions;
using RawEngine.AI.Install;
using RawEngine.AI.Registry;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Cli;

/// <summary>The repository's model catalog (models/catalog.json) and the packages it lists beside it.</summary>
public class ModelCatalogTests
{
    private static string CatalogPath => Path.Combine(AiTestFiles.ShippedModels, "catalog.json");

    [Fact]
    public void EveryShippedPackageIsListedWithItsRealSizeDigestIdTaskAndLicence()
    {
        var catalog = ModelCatalog.Load(CatalogPath);
        var folders = Directory.GetDirectories(AiTestFiles.ShippedModels).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(folders, catalog.Shipped.Select(e => Path.GetFileName(e.Path)).Order(StringComparer.Ordinal));
        foreach (var entry in catalog.Shipped)
        {
            var stale = $"{entry.Id}: models/catalog.json is out of date; run /usr/bin/python3 tools/update_catalog.py";
            Assert.True(Digest.OfFolder(entry.Path!) == entry.Sha256, stale);
            Assert.True(Directory.GetFiles(entry.Path!, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) == entry.Size, stale);
            var manifest = entry.ShippedManifest()!;
            Assert.Equal((entry.Id, entry.Task), (manifest.Id, manifest.Task));
            Assert.Equal(entry.License, manifest.ModelCard!.Value.GetProperty("license").GetString());
            Assert.False(string.IsNullOrWhiteSpace(entry.Description), entry.Id);
        }
        Assert.Equal(["demosaic", "denoise", "mask"], catalog.Shipped.Select(e => e.Task).Distinct().Order());
    }

    [Fact]
    public void ThirdPartyPackagesCarryTheirLicence()
    {
        foreach (var id in new[] { AiTestFiles.DemosaicNetBayer, AiTestFiles.DemosaicNetXTrans })
            Assert.Contains("Copyright (c) 2016 Michael Gharbi", File.ReadAllText(Path.Combine(AiTestFiles.ShippedModels, id, "LICENSE")));
    }

    [Fact]
    public void APathThatLeavesTheCatalogsFolderIsRefused()
    {
        using var temp = new TempFolder();
        var path = temp.File("catalog.json");
        File.WriteAllText(path, $$"""{"models": [{"id": "x", "sha256": "{{new string('a', 64)}}", "path": "../elsewhere"}]}""");
        Assert.Contains("is not a path inside the catalog's folder", Assert.Throws<ModelManifestException>(() => ModelCatalog.Load(path)).Message);
    }

    [Fact]
    public void TheProcessFindsTheRepositorysCatalogAboveItsBinaries() =>
        Assert.Equal(CatalogPath, ModelEnvironment.Process.CatalogPath);
}

/// <summary>
/// What a user does after cloning: <c>models list</c> shows the catalog's models, a neural option with none
/// installed names the command to run, and after <c>models install --all</c> (into a temporary XDG data folder,
/// never the user's) denoise, neural demosaic (Bayer and X-Trans) and masks work with no model flags.
/// </summary>
public class ShippedModelsTests(ShippedModelsTests.Installed installed) : IClassFixture<ShippedModelsTests.Installed>
{
    /// <summary>A home whose models folder received <c>models install --all</c> once, for the whole class.</summary>
    public sealed class Installed : IDisposable
    {
        public TempFolder Home { get; } = new();
        public ModelEnvironment Environment { get; }
        public CliRunner.Result First { get; }
        public CliRunner.Result Second { get; }
        public string[] AfterFirst { get; }
        public string[] AfterSecond { get; }

        public Installed()
        {
            Environment = WithCatalog(Home);
            First = CliRunner.RunAsync(Environment, "models", "install", "--all").GetAwaiter().GetResult();
            AfterFirst = Snapshot(Environment.UserModelsDirectory);
            Second = CliRunner.RunAsync(Environment, "models", "install", "--all").GetAwaiter().GetResult();
            AfterSecond = Snapshot(Environment.UserModelsDirectory);
        }

        public void Dispose() => Home.Dispose();
    }

    private static readonly string[] ShippedIds = ["nafnet-denoise", "nafnet-denoise-large", AiTestFiles.DemosaicNetBayer, AiTestFiles.DemosaicNetXTrans, "sam-scenes-small", "sam1-scenes-small"];

    /// <summary>An isolated environment (models in <paramref name="home"/>'s XDG data folder) with the repository's catalog.</summary>
    private static ModelEnvironment WithCatalog(TempFolder home) =>
        AiTestFiles.IsolatedEnvironment(home.Path) with { CatalogPath = ModelEnvironment.Process.CatalogPath };

    /// <summary>Every path under a folder with its bytes' digest and write time: what "changes nothing" keeps.</summary>
    private static string[] Snapshot(string folder) =>
        [.. Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => File.Exists(p) ? $"{p} {Digest.OfFile(p)} {File.GetLastWriteTimeUtc(p):O}" : p)];

    private static string Dng(TempFolder temp, string name, CfaPattern cfa)
    {
        var path = temp.File(name);
        DngWriter.Write(SyntheticRaw.Chart(96, 72, new SyntheticRawOptions { Cfa = cfa }), path);
        return path;
    }

    [Fact]
    public void InstallAllInstallsEveryShippedModelOfflineAndASecondRunChangesNothing()
    {
        Assert.True(installed.First.ExitCode == 0, installed.First.Error);
        Assert.Equal("", installed.First.Error);
        foreach (var id in ShippedIds)
            Assert.Contains($"installed {id} (", installed.First.Out);

        Assert.True(installed.Second.ExitCode == 0, installed.Second.Error);
        Assert.Equal(ShippedIds.Length, installed.Second.Out.Split('\n').Count(l => l.Contains(" is installed and up to date (")));
        Assert.Equal(installed.AfterFirst, installed.AfterSecond);
    }

    [Fact]
    public async Task VerifyPassesOnTheDigestsRecordedAtInstall()
    {
        var verify = await CliRunner.RunAsync(installed.Environment, "models", "verify");
        Assert.True(verify.ExitCode == 0, verify.Error);
        foreach (var id in ShippedIds) Assert.Matches($@"(?m)^{id}\s+ok$", verify.Out);
    }

    [Fact]
    public async Task ListShowsTheInstalledModelsAndOffersNothingMore()
    {
        var list = await CliRunner.RunAsync(installed.Environment, "models", "list", "--json");
        Assert.True(list.ExitCode == 0, list.Error);
        var json = JsonDocument.Parse(list.Out).RootElement;
        Assert.Equal(ShippedIds.Order(StringComparer.Ordinal), json.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        Assert.Equal(0, json.GetProperty("available").GetArrayLength());
        Assert.DoesNotContain("Not installed", (await CliRunner.RunAsync(installed.Environment, "models", "list")).Out);
    }

    [Fact]
    public async Task BeforeAnyInstallListOffersTheCatalogWithSizeAndLicence()
    {
        using var home = new TempFolder();
        var list = await CliRunner.RunAsync(WithCatalog(home), "models", "list");
        Assert.True(list.ExitCode == 0, list.Error);
        Assert.Contains("No models found.", list.Out);
        Assert.Contains("Not installed, offered by the catalog", list.Out);
        Assert.Matches(@"(?m)^nafnet-denoise\s+denoise\s+1\.2 MB\s+MIT\s+\S+models/nafnet-denoise$", list.Out);
        Assert.Matches($@"(?m)^{AiTestFiles.DemosaicNetXTrans}\s+demosaic\s+1\.6 MB\s+MIT\s", list.Out);

        var json = JsonDocument.Parse((await CliRunner.RunAsync(WithCatalog(home), "models", "list", "--json")).Out).RootElement;
        var offered = json.GetProperty("available").EnumerateArray().ToArray();
        Assert.Equal(ShippedIds.Order(StringComparer.Ordinal), offered.Select(o => o.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.All(offered, o => Assert.True(o.GetProperty("size").GetInt64() > 1_000_000));
    }

    [Fact]
    public async Task InstallNamesOnlyTheModelsAsked()
    {
        using var home = new TempFolder();
        var environment = WithCatalog(home);
        var result = await CliRunner.RunAsync(environment, "models", "install", "nafnet-denoise", AiTestFiles.DemosaicNetXTrans);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(["demosaic-demosaicnet-xtrans", "nafnet-denoise"], Directory.GetDirectories(environment.UserModelsDirectory).Select(Path.GetFileName).Order());

        var unknown = await CliRunner.RunAsync(environment, "models", "install", "no-such-model");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("rawengine: no-such-model: no such archive file, model folder or catalog id\n", unknown.Error);
        Assert.Equal(2, (await CliRunner.RunAsync(environment, "models", "install")).ExitCode);
        Assert.Equal(2, (await CliRunner.RunAsync(environment, "models", "install", "a.zip", "b.zip", "--sha256", new string('a', 64))).ExitCode);
    }

    [Fact]
    public async Task InstallAllLeavesDownloadsAloneAndListShowsWhereTheyComeFrom()
    {
        using var home = new TempFolder();
        var catalogFolder = AiTestFiles.ShippedSubset(home.File("catalog"), "nafnet-denoise");
        var shipped = ModelCatalog.Load(Path.Combine(AiTestFiles.ShippedModels, "catalog.json")).ById("nafnet-denoise")!;
        const string url = "http://127.0.0.1:9/never-fetched.dtmodel"; // the discard port: a download would fail
        File.WriteAllText(Path.Combine(catalogFolder, "catalog.json"), $$"""
            {"models": [
              {"id": "nafnet-denoise", "task": "denoise", "license": "MIT", "size": {{shipped.Size}}, "sha256": "{{shipped.Sha256}}", "path": "nafnet-denoise"},
              {"id": "big-denoiser", "task": "denoise", "license": "Apache-2.0", "size": 90000000, "sha256": "{{new string('b', 64)}}", "url": "{{url}}"}
            ]}
            """);
        var environment = AiTestFiles.IsolatedEnvironment(home.Path) with { CatalogPath = Path.Combine(catalogFolder, "catalog.json") };

        var all = await CliRunner.RunAsync(environment, "models", "install", "--all");
        Assert.True(all.ExitCode == 0, all.Error);
        Assert.Equal(["nafnet-denoise"], Directory.GetDirectories(environment.UserModelsDirectory).Select(Path.GetFileName));

        var list = await CliRunner.RunAsync(environment, "models", "list");
        Assert.Matches($@"(?m)^big-denoiser\s+denoise\s+90\.0 MB\s+Apache-2\.0\s+{Regex.Escape(url)}$", list.Out);
        Assert.DoesNotMatch(@"(?m)^nafnet-denoise\s+denoise\s+\S+ MB", list.Out);
    }

    [Fact]
    public async Task ANeuralOptionWithNoModelInstalledNamesTheInstallCommand()
    {
        using var home = new TempFolder();
        var environment = WithCatalog(home);
        var bayer = Dng(home, "bayer.dng", CfaPattern.Rggb);
        var xtrans = Dng(home, "xtrans.dng", CfaPattern.XTrans);

        var denoise = await CliRunner.RunAsync(environment, "convert", bayer, "-o", home.File("a.jpg"), "--denoise", "nn");
        Assert.Equal(1, denoise.ExitCode);
        Assert.Contains($"rawengine: {bayer}: module 'denoise_nn': no denoise model installed; run: rawengine models install nafnet-denoise\n", denoise.Error);

        var demosaic = await CliRunner.RunAsync(environment, "convert", bayer, "-o", home.File("b.jpg"), "--demosaic", "nn");
        Assert.Contains($"rawengine: {bayer}: module 'demosaic_nn': no demosaic model installed; run: rawengine models install {AiTestFiles.DemosaicNetBayer}\n", demosaic.Error);

        var mask = await CliRunner.RunAsync(environment, "mask", bayer, "--point", "40,30", "-o", home.File("m.png"));
        Assert.Equal(1, mask.ExitCode);
        Assert.Equal($"rawengine: {bayer}: no mask model installed; run: rawengine models install sam-scenes-small\n", mask.Error);

        // With the Bayer model in, an X-Trans raw is told about the X-Trans one.
        Assert.Equal(0, (await CliRunner.RunAsync(environment, "models", "install", AiTestFiles.DemosaicNetBayer)).ExitCode);
        var other = await CliRunner.RunAsync(environment, "convert", xtrans, "-o", home.File("c.jpg"), "--demosaic", "nn");
        Assert.Equal(1, other.ExitCode);
        Assert.Contains($"; run: rawengine models install {AiTestFiles.DemosaicNetXTrans}\n", other.Error);
        Assert.False(File.Exists(home.File("a.jpg")) || File.Exists(home.File("b.jpg")) || File.Exists(home.File("c.jpg")) || File.Exists(home.File("m.png")));
    }

    [Theory]
    [InlineData("--denoise", "nn", "RGGB", "denoise: model 'nafnet-denoise'")]
    [InlineData("--demosaic", "nn", "RGGB", $"demosaic: model '{AiTestFiles.DemosaicNetBayer}'")]
    [InlineData("--demosaic", "nn", "xtrans", $"demosaic: model '{AiTestFiles.DemosaicNetXTrans}'")]
    public async Task AfterInstallAllNeuralConvertNeedsNoModelFlags(string option, string value, string cfa, string chosen)
    {
        using var temp = new TempFolder();
        var dng = Dng(temp, "in.dng", cfa == "xtrans" ? CfaPattern.XTrans : CfaPattern.Bayer(cfa));
        var result = await CliRunner.RunAsync(installed.Environment, "convert", dng, "-o", temp.File("out.png"), option, value, "--verbose");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(chosen, result.Error);
        Assert.True(new FileInfo(temp.File("out.png")).Length > 1000);
    }

    [Fact]
    public async Task AfterInstallAllAClickGivesAMaskWithNoModelFlags()
    {
        using var temp = new TempFolder();
        var dng = Dng(temp, "in.dng", CfaPattern.Rggb);
        var result = await CliRunner.RunAsync(installed.Environment, "mask", dng, "--point", "40,30", "-o", temp.File("mask.png"), "--verbose");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("sam-scenes-small", result.Error);
        using var mask = NetVips.Image.NewFromFile(temp.File("mask.png"));
        Assert.Equal((96, 72, 1), (mask.Width, mask.Height, mask.Bands));
    }
}
