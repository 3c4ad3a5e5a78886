using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Tests.Support;
using RawEngine.Web;

namespace RawEngine.Tests.Web;

/// <summary>The editor's HTTP API through a real Kestrel on a loopback port.</summary>
public class ServeApiTests
{
    [Fact]
    public async Task ListsOnlyTheRawsOfTheFolder()
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false);
        File.WriteAllText(host.Temp.File("notes.txt"), "not a raw");
        File.Copy(host.ScenePath, host.Temp.File("copy.DNG"));
        File.CreateSymbolicLink(host.Temp.File("outside.dng"), "/etc/passwd");
        File.CreateSymbolicLink(host.Temp.File("inside.dng"), host.ScenePath);

        var files = await host.Client.GetFromJsonAsync<JsonObject>("/api/files");

        var names = files!["files"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()).ToArray();
        Assert.Equal(["copy.DNG", "inside.dng", "scene.dng"], names);
    }

    [Theory]
    [InlineData("/api/thumb?file=..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/api/thumb?file=%2e%2e%2f%2e%2e%2fetc%2fpasswd")]
    [InlineData("/api/thumb?file=%2Fetc%2Fpasswd")]
    [InlineData("/api/thumb?file=outside.dng")]
    [InlineData("/api/thumb?file=notes.txt")]
    [InlineData("/api/thumb?file=missing.dng")]
    [InlineData("/api/edit?file=..")]
    [InlineData("/api/nothing-here")]
    [InlineData("/api/files/scene.dng")]
    [InlineData("/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/../../etc/passwd")]
    [InlineData("/etc/passwd")]
    public async Task PathsOutsideTheFolderAndUnknownCallsAre404(string path)
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false);
        File.WriteAllText(host.Temp.File("notes.txt"), "not a raw");
        File.CreateSymbolicLink(host.Temp.File("outside.dng"), "/etc/passwd");

        var response = await SendRawAsync(host.Server.Url, $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 404", response);
        Assert.DoesNotContain("root:", response);
        Assert.DoesNotContain("<html", response, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WritesAreRefusedForNamesOutsideTheFolder()
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false);
        foreach (var name in new[] { "../scene.dng", "/tmp/x.dng", "sub/x.dng" })
        {
            var response = await host.PostAsync("/api/edit", new JsonObject { ["file"] = name, ["edit"] = EditorHost.ExposureEdit(1) });
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        Assert.Equal([EditorHost.SceneFile], Directory.EnumerateFileSystemEntries(host.Folder).Select(Path.GetFileName));
        Assert.False(File.Exists("/tmp/x.dng.rawengine.json"));
    }

    [Theory]
    [InlineData("{\"file\": \"scene.dng\", \"width\": ", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"file\": \"scene.dng\"}", "width: required")]
    [InlineData("{\"file\": \"scene.dng\", \"width\": \"wide\"}", "width: expected a number")]
    [InlineData("{\"file\": \"scene.dng\", \"width\": 0}", "width: 0 is not a whole number")]
    [InlineData("{\"file\": \"scene.dng\", \"width\": 64, \"roi\": {\"x\": 0, \"y\": 0, \"w\": 999, \"h\": 10}}", "is not inside the 256x256 image")]
    [InlineData("{\"file\": \"scene.dng\", \"width\": 64, \"edit\": {\"format\": \"nope\"}}", "format")]
    [InlineData("{\"file\": \"scene.dng\", \"width\": 64, \"edit\": {\"format\": \"rawengine-edit\", \"version\": 1, \"modules\": [{\"module\": \"exposure\", \"params\": {\"exposure\": 99}}]}}", "exposure")]
    public async Task MalformedRequestsAre400WithAMessage(string body, string message)
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false);

        var response = await host.Client.PostAsync("/api/render", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>();
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task BodiesOverTheLimitAreRefused()
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false);
        var length = new ServeOptions { Folder = "." }.MaxBodyBytes + 1;

        // Refused as soon as the headers say how much is coming (a client that sends it all anyway finds the connection closed).
        var response = await SendRawAsync(host.Server.Url,
            $"POST /api/render HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{\"file\": ");

        Assert.StartsWith("HTTP/1.1 413", response);
    }

    [Fact]
    public async Task OtherHostsAndOriginsCannotUseIt()
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false);

        var rebound = await SendRawAsync(host.Server.Url, "GET /api/files HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/edit") { Content = JsonContent.Create(new JsonObject { ["file"] = EditorHost.SceneFile, ["edit"] = EditorHost.ExposureEdit(1) }) };
        request.Headers.Add("Origin", "http://attacker.example");
        var crossSite = await host.Client.SendAsync(request);

        Assert.StartsWith("HTTP/1.1 421", rebound);
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.False(File.Exists(EditSerializer.SidecarPathFor(host.ScenePath)));
    }

    [Fact]
    public async Task RendersTheWholeImageAndRegionsAtTheAskedWidth()
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false);

        var whole = await RenderAsync(host, EditorHost.Render(null, 128));
        // On the JPEG's 8x8 blocks, so that encoding the region and the whole picture loses the same.
        var region = await RenderAsync(host, EditorHost.Render(null, 96, new JsonObject { ["x"] = 48, ["y"] = 64, ["w"] = 96, ["h"] = 40 }));
        var brighter = await RenderAsync(host, EditorHost.Render(EditorHost.ExposureEdit(2), 128));

        Assert.Equal((128, 128), (whole.Width, whole.Height));
        Assert.Equal((96, 40), (region.Width, region.Height));
        Assert.True(Mean(brighter) > Mean(whole) + 20, $"+2 EV mean {Mean(brighter):0.0} vs default {Mean(whole):0.0}");
        // The 100 % region is the same pixels as that part of a full-size render.
        var full = await RenderAsync(host, EditorHost.Render(null, 256));
        using var crop = full.ExtractArea(48, 64, 96, 40);
        Assert.True(MeanAbsoluteDifference(crop, region) < 2.0, $"region differs from the full render by {MeanAbsoluteDifference(crop, region):0.00}");
    }

    [Fact]
    public async Task ANewerRenderOfTheSameViewCancelsTheOlder()
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false, sceneSize: 2048);
        // A full-size render of a 4 MP scene with a heavy denoise takes seconds on these cores; the second asks for a thumbnail.
        var heavy = new JsonObject
        {
            ["format"] = "rawengine-edit", ["version"] = 1,
            ["modules"] = new JsonArray(new JsonObject { ["module"] = "denoise", ["params"] = new JsonObject { ["strength"] = 4 } }),
        };
        var older = host.PostAsync("/api/render", EditorHost.Render(heavy, 2048, view: "main"));
        // The newer request goes as soon as the older is rendering, not after a fixed wait: on a fast machine the
        // heavy render ends within a few hundred milliseconds.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!host.Server.Views.IsRendering("main") && !older.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(2);
        Assert.False(older.IsCompleted, "the heavy render answered before it was seen rendering");
        var newer = host.PostAsync("/api/render", EditorHost.Render(null, 64, view: "main"));
        var other = await host.PostAsync("/api/render", EditorHost.Render(null, 32, view: "other"));

        var first = await older;
        Assert.Equal(HttpStatusCode.Conflict, first.StatusCode);
        Assert.Contains("superseded", (await first.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newer).StatusCode);
    }

    [Fact]
    public async Task RenderViewsCancelOnlyTheOlderRenderOfTheSameView()
    {
        var views = new RenderViews();
        var started = new TaskCompletionSource();
        var older = views.RunAsync("main", async ct => { started.SetResult(); await Task.Delay(Timeout.Infinite, ct); return 0; }, CancellationToken.None);
        await started.Task;
        var other = views.RunAsync("loupe", _ => Task.FromResult(2), CancellationToken.None);
        var newer = views.RunAsync("main", _ => Task.FromResult(1), CancellationToken.None);

        await Assert.ThrowsAsync<SupersededException>(() => older);
        Assert.Equal(1, await newer);
        Assert.Equal(2, await other);
    }

    [Fact]
    public async Task ThumbnailsComeFromTheRawAndTheEditIsItsSidecar()
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false);

        var thumb = await host.Client.GetAsync($"/api/thumb?file={EditorHost.SceneFile}");
        var saved = await host.PostAsync("/api/edit", new JsonObject { ["file"] = EditorHost.SceneFile, ["edit"] = EditorHost.ExposureEdit(1.25) });
        var info = await host.Client.GetFromJsonAsync<JsonObject>($"/api/edit?file={EditorHost.SceneFile}");

        Assert.Equal("image/jpeg", thumb.Content.Headers.ContentType!.MediaType);
        using var image = NetVips.Image.NewFromBuffer(await thumb.Content.ReadAsByteArrayAsync());
        Assert.Equal(256, Math.Max(image.Width, image.Height));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal((256, 256), (info!["width"]!.GetValue<int>(), info["height"]!.GetValue<int>()));
        var edit = new EditSerializer(StandardModules.CreateRegistry()).Load(EditSerializer.SidecarPathFor(host.ScenePath));
        Assert.Equal(1.25, ((RawEngine.Iop.Exposure.ExposureParams)edit.Modules[edit.IndexOf("exposure")].Params).Exposure);
        Assert.Equal(EditorHost.SceneFile, edit.Image);
    }

    [Theory]
    [InlineData("jpeg", "scene.jpg", new string[0])]
    [InlineData("tiff", "scene.tif", new[] { "--bits", "16" })]
    public async Task ExportsWhatConvertMakesOfTheSavedSidecar(string format, string name, string[] convertOptions)
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false);

        var response = await host.PostAsync("/api/export", new JsonObject { ["file"] = EditorHost.SceneFile, ["edit"] = EditorHost.ExposureEdit(1.5), ["format"] = format });
        var result = await response.Content.ReadFromJsonAsync<JsonObject>();
        var converted = await CliRunner.RunAsync(host.Environment, ["convert", host.ScenePath, "-o", host.Temp.File("converted" + Path.GetExtension(name)), .. convertOptions]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Path.Combine("export", name), result!["output"]!.GetValue<string>());
        Assert.True(converted.ExitCode == 0, converted.Error);
        Assert.Equal(File.ReadAllBytes(host.Temp.File("converted" + Path.GetExtension(name))), File.ReadAllBytes(host.Temp.File(Path.Combine("export", name))));
    }

    [Fact]
    public async Task ClicksMakeAMaskAndApplyAddsTheSameGroupAsTheMaskCommand()
    {
        await using var host = await EditorHost.StartAsync();
        var target = host.Scene.Objects[host.Scene.Targets[0]];
        var click = SegmentationScenes.FirstClick(target.Visible, host.Scene.Size, new Random(2));
        var points = new JsonArray(new JsonObject { ["x"] = click.X + 0.5, ["y"] = click.Y + 0.5, ["positive"] = true });

        var models = await host.Client.GetFromJsonAsync<JsonObject>("/api/models");
        var mask = await host.PostAsync("/api/mask", new JsonObject { ["file"] = EditorHost.SceneFile, ["points"] = points.DeepClone() });
        var applied = await host.PostAsync("/api/mask/apply", new JsonObject { ["file"] = EditorHost.SceneFile, ["points"] = points.DeepClone(), ["exposure"] = 1.0 });

        Assert.Equal("sam-scenes-small", models!["mask"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, mask.StatusCode);
        using var overlay = NetVips.Image.NewFromBuffer(await mask.Content.ReadAsByteArrayAsync());
        Assert.Equal((256, 256, 4), (overlay.Width, overlay.Height, overlay.Bands));
        var area = int.Parse(mask.Headers.GetValues("X-Mask-Area").Single());
        var iou = Iou(overlay, target.Visible);
        Assert.True(iou > 0.9, $"overlay IoU with the clicked object {iou:0.00} (area {area})");

        var edit = (await applied.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("exposure#object1", edit["instance"]!.GetValue<string>());
        // The same click through the CLI, from the same (empty) edit, into a sidecar of its own.
        File.WriteAllText(host.Temp.File("cli.json"), "{\"format\": \"rawengine-edit\", \"version\": 1}");
        var cli = await CliRunner.RunAsync(host.Environment, "mask", host.ScenePath, "--point", $"{click.X + 0.5},{click.Y + 0.5}",
            "--apply-to", "exposure#object1", "--models", host.Models!, "--edit", host.Temp.File("cli.json"));
        Assert.True(cli.ExitCode == 0, cli.Error);
        var cliMasks = JsonNode.Parse(File.ReadAllText(host.Temp.File("cli.json")))!["masks"]!;
        Assert.True(JsonNode.DeepEquals(cliMasks, edit["edit"]!["masks"]), "the page's mask group differs from rawengine mask --apply-to's");
        var module = edit["edit"]!["modules"]!.AsArray().Single(m => m!["module"]!.GetValue<string>() == "exposure#object1")!;
        Assert.Equal("object1", module["blend"]!["mask"]!.GetValue<string>());
        Assert.Equal(1.0, module["params"]!["exposure"]!.GetValue<double>());
    }

    [Fact]
    public async Task WithoutModelsTheMaskCallSaysHowToInstallThem()
    {
        await using var host = await EditorHost.StartAsync(withMaskModel: false);

        var models = await host.Client.GetFromJsonAsync<JsonObject>("/api/models");
        var mask = await host.PostAsync("/api/mask", new JsonObject
        {
            ["file"] = EditorHost.SceneFile,
            ["points"] = new JsonArray(new JsonObject { ["x"] = 100, ["y"] = 100 }),
        });

        Assert.Null(models!["mask"]);
        Assert.Equal("rawengine models install --all", models["install"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, mask.StatusCode);
        Assert.Contains("rawengine models install --all", (await mask.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheCommandPrintsItsUrlFirstAndStopsOnCancel()
    {
        using var temp = new TempFolder();
        RawEngine.Tests.Cli.MaskCommandTests.WriteScene(temp, 3);
        var output = new StringWriter();
        var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = RawEngine.Cli.RawEngineCommand.RunAsync(["serve", temp.Path, "--port", "0", "--memory-limit", "0"], new RawEngine.Cli.CliContext(output, error), stop.Token);

        string? url = null;
        for (var i = 0; i < 600 && url is null && !run.IsCompleted; i++)
        {
            await Task.Delay(50);
            url = output.ToString().Split('\n')[0].Trim() is { Length: > 0 } line && output.ToString().Contains('\n') ? line : null;
        }
        Assert.True(url is not null, $"no URL printed; stderr: {error}");
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/$", url);
        using var client = new HttpClient();
        var page = await client.GetStringAsync(url);
        Assert.Contains("<script type=\"module\" src=\"/app.js\">", page);

        stop.Cancel();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(url));
    }

    [Fact]
    public async Task ABusyPortOrABadAddressIsOneLineOnStderr()
    {
        using var temp = new TempFolder();
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        // No heap limit: it would be the test host's.
        var taken = await CliRunner.RunAsync("serve", temp.Path, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--memory-limit", "0");
        var address = await CliRunner.RunAsync("serve", temp.Path, "--listen", "localhost:80");
        var folder = await CliRunner.RunAsync("serve", temp.File("missing"));
        var limit = await CliRunner.RunAsync("serve", temp.Path, "--memory-limit", "10");

        Assert.Equal(1, taken.ExitCode);
        Assert.StartsWith($"rawengine: 127.0.0.1:{port}: cannot listen", taken.Error);
        Assert.Equal("", taken.Out);
        Assert.Equal(2, address.ExitCode);
        Assert.StartsWith("rawengine: --listen localhost:80: not an IP address", address.Error);
        Assert.Equal(2, folder.ExitCode);
        Assert.Contains("no such folder", folder.Error);
        Assert.Equal(2, limit.ExitCode);
        Assert.StartsWith("rawengine: --memory-limit 10: give 0 (no limit) or at least 256 MB", limit.Error);
    }

    private static async Task<NetVips.Image> RenderAsync(EditorHost host, JsonObject body)
    {
        var response = await host.PostAsync("/api/render", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType!.MediaType);
        return NetVips.Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync());
    }

    private static double Mean(NetVips.Image image) => image.ExtractBand(0, 3).Avg();

    private static double MeanAbsoluteDifference(NetVips.Image a, NetVips.Image b) => (a.ExtractBand(0, 3).Cast(NetVips.Enums.BandFormat.Float) - b.ExtractBand(0, 3).Cast(NetVips.Enums.BandFormat.Float)).Abs().Avg();

    /// <summary>Intersection over union of the overlay's opaque half and an object's visible pixels.</summary>
    private static double Iou(NetVips.Image overlay, byte[] truth)
    {
        var alpha = overlay.ExtractBand(3).WriteToMemory<byte>();
        int both = 0, either = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            var inside = alpha[i] >= 70;
            var real = truth[i] != 0;
            if (inside && real) both++;
            if (inside || real) either++;
        }
        return either == 0 ? 0 : (double)both / either;
    }

    private static async Task<string> SendRawAsync(Uri server, string request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(server.Host, server.Port);
        await using var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
