using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Registry;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Export;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Web;

/// <summary>What <c>rawengine serve</c> was asked for.</summary>
public sealed record ServeOptions
{
    public const int DefaultPort = 8765;

    /// <summary>The folder whose raws are served and where sidecars and <c>export/</c> are written.</summary>
    public required string Folder { get; init; }

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>The address to listen on: loopback unless asked otherwise on purpose.</summary>
    public IPAddress Listen { get; init; } = IPAddress.Loopback;

    public ModelSearchOptions Models { get; init; } = new();

    /// <summary>Largest request body accepted (an edit with traced masks is a few hundred KB).</summary>
    public long MaxBodyBytes { get; init; } = 4L << 20;
}

/// <summary>
/// The local web editor: Kestrel serving the committed page and the JSON/JPEG API over one folder of raws.
/// Start it, read <see cref="Url"/>, dispose it to stop. Only the folder's raws are read and only their sidecars
/// and <c>export/</c> are written; every other path under <c>/api/</c> is a 404.
/// </summary>
public sealed class EditorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EditorEngine _engine;
    private readonly ObjectMasks _masks;
    private readonly PhotoFolder _folder;
    private readonly RenderViews _views = new();
    private readonly ILogger _logger;

    private EditorServer(WebApplication app, PhotoFolder folder, EditorEngine engine, ILoggerFactory loggerFactory)
    {
        _app = app;
        _folder = folder;
        _engine = engine;
        _logger = loggerFactory.CreateLogger<EditorServer>();
        _masks = new ObjectMasks(engine, _logger);
    }

    /// <summary>The address the page is at, e.g. <c>http://127.0.0.1:8765/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    public PhotoFolder Folder => _folder;

    internal RenderViews Views => _views;

    public static async Task<EditorServer> StartAsync(ServeOptions options, ILoggerFactory loggerFactory, CancellationToken cancellation = default)
    {
        var folder = new PhotoFolder(options.Folder);
        var builder = WebApplication.CreateSlimBuilder();
        // Stdout belongs to the command (its first line is the URL) and stderr to its one-line messages: the framework
        // logs nothing itself; what goes wrong in a request is logged below, through the caller's factory.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Listen, options.Port);
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        var engine = new EditorEngine(options.Models, loggerFactory);
        var server = new EditorServer(app, folder, engine, loggerFactory);
        server.Map(options.Listen);
        await app.StartAsync(cancellation);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var host = options.Listen.Equals(IPAddress.Any) ? "127.0.0.1"
            : options.Listen.Equals(IPAddress.IPv6Any) ? "[::1]"
            : options.Listen.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{options.Listen}]" : options.Listen.ToString();
        server.Url = new Uri($"http://{host}:{port}/");
        return server;
    }

    /// <summary>Completes when the server stops (<paramref name="cancellation"/> stops it).</summary>
    public Task WaitAsync(CancellationToken cancellation) => _app.WaitForShutdownAsync(cancellation);

    private void Map(IPAddress listen)
    {
        _app.Use(async (context, next) =>
        {
            if (!IsAllowedHost(context.Request, listen))
            {
                // A page elsewhere that points a name at 127.0.0.1 (DNS rebinding) must not reach the folder.
                context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                return;
            }
            if (!HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Origin is [{ } origin] &&
                origin != $"{context.Request.Scheme}://{context.Request.Host}")
            {
                // Another site's page may send requests here, but not change or write anything.
                await WriteError(context, StatusCodes.Status403Forbidden, $"origin {origin} may not use this editor");
                return;
            }
            try
            {
                await next(context);
            }
            catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                var (status, message) = Failure(e) ?? (StatusCodes.Status500InternalServerError, e.Message);
                if (status >= 500) _logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
                await WriteError(context, status, message);
            }
        });

        _app.MapGet("/", Page("index.html", "text/html; charset=utf-8"));
        _app.MapGet("/index.html", Page("index.html", "text/html; charset=utf-8"));
        _app.MapGet("/app.js", Page("app.js", "text/javascript; charset=utf-8"));
        _app.MapGet("/style.css", Page("style.css", "text/css; charset=utf-8"));

        _app.MapGet("/api/files", context => SendJson(context, new JsonObject
        {
            ["files"] = new JsonArray(_folder.List().Select(name => (JsonNode)new JsonObject
            {
                ["name"] = name,
                ["sidecar"] = File.Exists(EditSerializer.SidecarPathFor(Path.Combine(_folder.Root, name))),
            }).ToArray()),
        }));
        _app.MapGet("/api/models", async context =>
        {
            var status = _masks.Status();
            await SendJson(context, new JsonObject
            {
                ["mask"] = status.Mask,
                ["denoise"] = status.Denoise,
                ["demosaic"] = status.Demosaic,
                ["install"] = ModelStatus.InstallCommand,
            });
        });
        _app.MapGet("/api/thumb", async context =>
            await Send(context, await _engine.ThumbnailAsync(Resolve(context.Request.Query["file"]), context.RequestAborted), "image/jpeg"));
        _app.MapGet("/api/edit", async context =>
        {
            var path = Resolve(context.Request.Query["file"]);
            var edit = _engine.LoadSidecar(path);
            var size = await _engine.SizeAsync(path, edit, context.RequestAborted);
            await SendJson(context, new JsonObject
            {
                ["file"] = Path.GetFileName(path),
                ["width"] = size.Width,
                ["height"] = size.Height,
                ["edit"] = JsonNode.Parse(_engine.WriteEdit(edit)),
            });
        });
        _app.MapPost("/api/edit", async context =>
        {
            var (path, edit, _) = await ReadEditRequest(context);
            var sidecar = _engine.SaveSidecar(path, edit);
            await SendJson(context, new JsonObject { ["sidecar"] = Path.GetFileName(sidecar) });
        });
        _app.MapPost("/api/render", Render);
        _app.MapPost("/api/mask", async context =>
        {
            var (path, edit, body) = await ReadEditRequest(context);
            var mask = await _masks.MaskAsync(path, edit, body.Points(), context.RequestAborted);
            context.Response.Headers["X-Mask-Area"] = mask.Area.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["X-Mask-Score"] = mask.Score.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
            await Send(context, mask.OverlayPng, "image/png");
        });
        _app.MapPost("/api/mask/apply", async context =>
        {
            var (path, edit, body) = await ReadEditRequest(context);
            var (edited, instance) = await _masks.ApplyAsync(path, edit, body.Points(), body.Number("exposure", 1.0), context.RequestAborted);
            await SendJson(context, new JsonObject { ["edit"] = JsonNode.Parse(_engine.WriteEdit(edited)), ["instance"] = instance });
        });
        _app.MapPost("/api/export", async context =>
        {
            var (path, edit, body) = await ReadEditRequest(context);
            var format = (body.OptionalString("format") ?? "jpeg").ToLowerInvariant() switch
            {
                "jpeg" or "jpg" => ExportFormat.Jpeg,
                "tiff" or "tif" => ExportFormat.Tiff,
                var other => throw ApiException.BadRequest($"format: '{other}' is not jpeg or tiff"),
            };
            // The sidecar first: `rawengine convert` of the file then makes the same picture.
            var sidecar = _engine.SaveSidecar(path, edit);
            Directory.CreateDirectory(_folder.ExportFolder);
            var output = Path.Combine(_folder.ExportFolder, Path.GetFileNameWithoutExtension(path) + (format == ExportFormat.Jpeg ? ".jpg" : ".tif"));
            await _engine.ExportAsync(path, edit, output, format, context.RequestAborted);
            await SendJson(context, new JsonObject
            {
                ["output"] = Path.GetRelativePath(_folder.Root, output),
                ["sidecar"] = Path.GetFileName(sidecar),
            });
        });
        _app.Map("/api/{**rest}", context => throw ApiException.NotFound($"no API call {context.Request.Method} {context.Request.Path}"));
    }

    /// <summary><c>POST /api/render</c>: a view as JPEG; a newer request for the same view cancels this one (409).</summary>
    private async Task Render(HttpContext context)
    {
        var (path, edit, body) = await ReadEditRequest(context);
        var width = body.Number("width");
        if (width < 1 || width > 16384 || width != Math.Floor(width)) throw ApiException.BadRequest($"width: {width} is not a whole number of pixels in 1..16384");
        var request = new RenderRequest(path, edit, (int)width, body.Region());
        var view = body.OptionalString("view") ?? "main";
        var jpeg = await _views.RunAsync(view, ct => _engine.RenderJpegAsync(request, ct), context.RequestAborted);
        await Send(context, jpeg, "image/jpeg");
    }

    private async Task<(string Path, Edit Edit, ApiRequest Body)> ReadEditRequest(HttpContext context)
    {
        var body = await ApiRequest.ReadAsync(context.Request, context.RequestAborted);
        var path = Resolve(body.String("file"));
        return (path, _engine.ReadEdit(path, body.EditJson()), body);
    }

    private string Resolve(string? name) => _folder.Resolve(name) ?? throw ApiException.NotFound($"no raw named '{name}' in the folder");

    /// <summary>The status and message an exception becomes; null for ones that are not the request's fault (500).</summary>
    private static (int Status, string Message)? Failure(Exception e) => e switch
    {
        ApiException api => (api.Status, api.Message),
        EditException or ArgumentException or PipeException => (StatusCodes.Status400BadRequest, ArgumentMessage(e)),
        RawDecodeException => (StatusCodes.Status422UnprocessableEntity, e.Message),
        ModelNotFoundException => (StatusCodes.Status503ServiceUnavailable, $"{e.Message} (install the shipped models: {ModelStatus.InstallCommand})"),
        ModelContractException or ModelLoadException or ModelManifestException => (StatusCodes.Status503ServiceUnavailable, e.Message),
        SupersededException => (StatusCodes.Status409Conflict, e.Message),
        OutOfMemoryException => (StatusCodes.Status503ServiceUnavailable, "not enough memory for this render (rawengine serve --memory-limit sets how much the server may use)"),
        BadHttpRequestException bad => (bad.StatusCode, bad.Message),
        _ => null,
    };

    private static string ArgumentMessage(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;

    private static bool IsAllowedHost(HttpRequest request, IPAddress listen)
    {
        if (!IPAddress.IsLoopback(listen)) return true;
        var host = request.Host.Host;
        return host is "localhost" or "127.0.0.1" or "[::1]" or "::1";
    }

    private static Task Send(HttpContext context, byte[] bytes, string contentType)
    {
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    private static Task SendJson(HttpContext context, JsonObject json) => context.Response.WriteAsJsonAsync(json, context.RequestAborted);

    private static Task WriteError(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new JsonObject { ["error"] = message });
    }

    private static RequestDelegate Page(string name, string contentType)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"wwwroot/{name}")
            ?? throw new InvalidOperationException($"The page's {name} is not embedded in the assembly.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        return context => Send(context, bytes, contentType);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _masks.Dispose();
        _engine.Dispose();
    }
}
