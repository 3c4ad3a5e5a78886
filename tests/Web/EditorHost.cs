using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using RawEngine.AI.Registry;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Cli;
using RawEngine.Tests.Support;
using RawEngine.Web;

namespace RawEngine.Tests.Web;

/// <summary>
/// A real editor server (Kestrel on a free loopback port) over a temporary folder holding a DNG of a generated
/// segmentation scene, with only the shipped small SAM model installed (or none), and a client for it.
/// </summary>
internal sealed class EditorHost : IAsyncDisposable
{
    public const string SceneFile = "scene.dng";

    private EditorHost(TempFolder temp, EditorServer server, SegmentationScene scene, string? models)
    {
        Temp = temp;
        Server = server;
        Scene = scene;
        Models = models;
        Client = new HttpClient { BaseAddress = server.Url };
    }

    public TempFolder Temp { get; }
    public EditorServer Server { get; }
    public SegmentationScene Scene { get; }
    public string? Models { get; }
    public HttpClient Client { get; }
    public string Folder => Temp.Path;
    public string ScenePath => Temp.File(SceneFile);
    public ModelEnvironment Environment => AiTestFiles.IsolatedEnvironment(Temp.Path);

    /// <param name="withMaskModel">Install the shipped small SAM 2.1 model in a models folder given with --models.</param>
    public static async Task<EditorHost> StartAsync(bool withMaskModel = true, int sceneSize = SegmentationScenes.DefaultSize, int seed = 21)
    {
        var temp = new TempFolder();
        var (_, scene) = MaskCommandTests.WriteScene(temp, seed, SceneFile, sceneSize);
        var models = withMaskModel ? MaskCommandTests.OnlyModel(temp, "sam-scenes-small") : null;
        var server = await EditorServer.StartAsync(new ServeOptions
        {
            Folder = temp.Path,
            Port = 0,
            Models = new ModelSearchOptions(models is null ? [] : [models], AiTestFiles.IsolatedEnvironment(temp.Path)),
        }, NullLoggerFactory.Instance);
        return new EditorHost(temp, server, scene, models);
    }

    /// <summary>POSTs <paramref name="body"/> as JSON.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, JsonObject body, CancellationToken cancellation = default) =>
        Client.PostAsJsonAsync(path, body, cancellation);

    /// <summary>A render request for the scene with <paramref name="edit"/> (null: its sidecar or defaults).</summary>
    public static JsonObject Render(JsonNode? edit, int width, JsonObject? roi = null, string? view = null)
    {
        var body = new JsonObject { ["file"] = SceneFile, ["edit"] = edit, ["width"] = width };
        if (roi is not null) body["roi"] = roi;
        if (view is not null) body["view"] = view;
        return body;
    }

    /// <summary>A rawengine-edit object with the exposure module at <paramref name="ev"/>.</summary>
    public static JsonObject ExposureEdit(double ev) => new()
    {
        ["format"] = "rawengine-edit",
        ["version"] = 1,
        ["modules"] = new JsonArray(new JsonObject { ["module"] = "exposure", ["params"] = new JsonObject { ["exposure"] = ev } }),
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Temp.Dispose();
    }
}
