using Microsoft.Extensions.Logging;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Color;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Export;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Iop;

namespace RawEngine.Web;

/// <summary>A region of the oriented image at scale 1, in pixels, as the page asks for it.</summary>
public readonly record struct ViewRegion(double X, double Y, double Width, double Height);

/// <summary>What a render request asks for, checked: the raw, the edit, the output width and the region (null: all of it).</summary>
public sealed record RenderRequest(string Path, Edit Edit, int Width, ViewRegion? Region);

/// <summary>
/// Everything the editor asks of the engine, in one place so that it can move to a higher-level embedding API
/// without touching the HTTP side: open raws (a few kept decoded), render views as JPEG, thumbnails, sidecars
/// and exports that <c>rawengine convert</c> reproduces byte for byte. Thread-safe.
/// </summary>
public sealed class EditorEngine : IDisposable
{
    /// <summary>Decoded raws kept open: the one on screen and the one before it (a 24 MP raw holds about 100 MB).</summary>
    private const int OpenImages = 2;

    /// <summary>At and below this scale a view renders through the preview pipe (half-size demosaic).</summary>
    private const double PreviewScale = 0.5;

    private const int PreviewQuality = 85;
    private const int ThumbnailSide = 256;

    private readonly ILogger _logger;
    private readonly LinkedList<(string Path, Lazy<Task<DevelopSession>> Session)> _open = new();
    private readonly object _lock = new();
    private readonly Lazy<RenderEngine> _thumbnails;

    public EditorEngine(ModelSearchOptions models, ILoggerFactory loggerFactory, EngineOptions? options = null)
    {
        _logger = loggerFactory.CreateLogger<EditorEngine>();
        Models = new ModelServices(models, loggerFactory: loggerFactory);
        Engine = new RenderEngine(StandardModules.CreateRegistry(Models), options ?? new EngineOptions
        {
            // Enough for the small stages of the views on screen, the ones a slider's re-render resumes from; a 24 MP
            // mosaic stage (96 MB) passes through without pushing them out for long. With the pool's spare buffers
            // and two decoded raws the server stays near 1 GB.
            CacheBytes = 128L << 20,
            PoolRetainedBytes = 64L << 20,
            // The memory budget stays convert's default: it decides the tiling, and exports must be convert's bytes.
        }, loggerFactory);
        _thumbnails = new Lazy<RenderEngine>(() => new RenderEngine(Engine.Modules, Engine.Options with { CacheBytes = 0, PoolRetainedBytes = 0 }, loggerFactory));
    }

    public RenderEngine Engine { get; }
    public ModelServices Models { get; }

    /// <summary>Reads an edit the page sent (a rawengine-edit JSON object); null or empty means the file's sidecar, else defaults.</summary>
    public Edit ReadEdit(string path, string? json) => string.IsNullOrWhiteSpace(json) || json.Trim() == "null" ? LoadSidecar(path) : Engine.Edits.Read(json);

    /// <summary>The sidecar beside <paramref name="path"/> as <c>convert</c> reads it, or defaults when there is none.</summary>
    public Edit LoadSidecar(string path)
    {
        var sidecar = EditSerializer.SidecarPathFor(path);
        return File.Exists(sidecar) ? Engine.Edits.Load(sidecar) : Edit.Empty;
    }

    public string WriteEdit(Edit edit) => Engine.Edits.Write(edit);

    /// <summary>Saves <paramref name="edit"/> as the sidecar <c>convert</c> reads (atomically); returns its path.</summary>
    public string SaveSidecar(string path, Edit edit)
    {
        var sidecar = EditSerializer.SidecarPathFor(path);
        Engine.Edits.Save(edit with { Image = Path.GetFileName(path) }, sidecar);
        return sidecar;
    }

    /// <summary>The size of the finished image at scale 1 (oriented, cropped) under <paramref name="edit"/>.</summary>
    public async Task<ImageSize> SizeAsync(string path, Edit edit, CancellationToken cancellation)
    {
        var session = await OpenAsync(path, cancellation);
        return await Task.Run(() => session.OutputSize(edit, PipeKind.Preview), cancellation);
    }

    /// <summary>
    /// Renders the request's region (the whole image when none) scaled to its width, as a JPEG. Views at half
    /// size and below run the preview pipe; closer views run the full pipe on just the region. Stages before the
    /// first changed module come from the engine's cache.
    /// </summary>
    public Task<byte[]> RenderJpegAsync(RenderRequest request, CancellationToken cancellation) =>
        RetryWhenFull(() => RenderJpegOnceAsync(request, cancellation));

    private async Task<byte[]> RenderJpegOnceAsync(RenderRequest request, CancellationToken cancellation)
    {
        var session = await OpenAsync(request.Path, cancellation);
        var size = session.OutputSize(request.Edit, PipeKind.Preview);
        var region = request.Region ?? new ViewRegion(0, 0, size.Width, size.Height);
        if (region.Width <= 0 || region.Height <= 0 || region.X < 0 || region.Y < 0 || region.X + region.Width > size.Width + 0.5 || region.Y + region.Height > size.Height + 0.5)
            throw new ArgumentException($"roi {region.X},{region.Y},{region.Width}x{region.Height} is not inside the {size.Width}x{size.Height} image");
        var scale = Math.Min(1.0, request.Width / region.Width);
        var scaled = size.Scaled(scale);
        var x = Math.Clamp((int)Math.Floor(region.X * scale), 0, scaled.Width - 1);
        var y = Math.Clamp((int)Math.Floor(region.Y * scale), 0, scaled.Height - 1);
        var roi = new Roi(x, y, Math.Clamp((int)Math.Round(region.Width * scale), 1, scaled.Width - x),
            Math.Clamp((int)Math.Round(region.Height * scale), 1, scaled.Height - y), scale);
        var kind = scale <= PreviewScale ? PipeKind.Preview : PipeKind.Full;
        using var pixels = await session.RenderAsync(request.Edit, roi, kind, cancellation);
        return Encode(pixels, session.OutputFormat(request.Edit, kind), new ExportOptions { Quality = PreviewQuality, StripMetadata = true }, cancellation);
    }

    /// <summary>The embedded preview, scaled to a thumbnail; raws without one get a small preview render of their sidecar.</summary>
    public async Task<byte[]> ThumbnailAsync(string path, CancellationToken cancellation)
    {
        try
        {
            return await Task.Run(() =>
            {
                var thumbnail = RawDecoder.ExtractThumbnail(path);
                using var image = thumbnail.Format == ThumbnailFormat.Jpeg
                    ? NetVips.Image.ThumbnailBuffer(thumbnail.Data, ThumbnailSide)
                    : NetVips.Image.NewFromMemory(thumbnail.Data, thumbnail.Width, thumbnail.Height, 3, NetVips.Enums.BandFormat.Uchar)
                        .ThumbnailImage(ThumbnailSide);
                return image.JpegsaveBuffer(q: PreviewQuality, keep: NetVips.Enums.ForeignKeep.None);
            }, cancellation);
        }
        catch (RawDecodeException e)
        {
            _logger.LogDebug("{Message}: rendering a thumbnail instead.", e.Message);
            // Through an engine without a cache, and not kept open: filling the strip must not push the image being
            // edited out of memory or its stages out of the cache.
            var edit = LoadSidecar(path);
            using var session = await Task.Run(() => _thumbnails.Value.Open(path, cancellation), cancellation);
            using var pixels = await session.RenderPreviewAsync(edit, ThumbnailSide, cancellation);
            return Encode(pixels, session.OutputFormat(edit, PipeKind.Preview), new ExportOptions { Quality = PreviewQuality, StripMetadata = true }, cancellation);
        }
    }

    /// <summary>
    /// Develops <paramref name="path"/> at full quality with <paramref name="edit"/> and writes it to
    /// <paramref name="output"/> (replacing an earlier export) exactly as <c>rawengine convert</c> does with that
    /// edit as its sidecar: same pipe, same encoder settings, same metadata.
    /// </summary>
    public Task ExportAsync(string path, Edit edit, string output, ExportFormat format, CancellationToken cancellation) =>
        RetryWhenFull(async () =>
        {
            await ExportOnceAsync(path, edit, output, format, cancellation);
            return output;
        });

    private async Task ExportOnceAsync(string path, Edit edit, string output, ExportFormat format, CancellationToken cancellation)
    {
        var session = await OpenAsync(path, cancellation);
        await Task.Run(() =>
        {
            using var pixels = session.RenderForExport(edit);
            ImageExporter.Write(ExportImage.FromPipe(pixels, pixels.Format, session.Image), output, new ExportOptions { Format = format, Bits = format == ExportFormat.Jpeg ? 8 : 16, Overwrite = true }, cancellation);
        }, cancellation);
    }

    /// <summary>
    /// Runs <paramref name="work"/>; when the managed heap is full (the server's <c>--memory-limit</c>), drops the cached
    /// stages and the pool's spare buffers, collects, and tries once more.
    /// </summary>
    private async Task<T> RetryWhenFull<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (OutOfMemoryException)
        {
            _logger.LogInformation("The heap is full: dropping the stage cache and spare buffers, then trying again.");
            Engine.Cache.Clear();
            Engine.Pool.Trim();
            GC.Collect();
            return await work();
        }
    }

    /// <summary>The decoded raw, opened once however many requests ask for it at the same time.</summary>
    public Task<DevelopSession> OpenAsync(string path, CancellationToken cancellation)
    {
        Lazy<Task<DevelopSession>> session;
        lock (_lock)
        {
            var node = _open.First;
            while (node is not null && node.Value.Path != path) node = node.Next;
            if (node is not null && node.Value.Session.IsValueCreated && node.Value.Session.Value.IsFaulted)
            {
                _open.Remove(node);
                node = null;
            }
            if (node is null)
            {
                // Decoding is not cancelled with the request that started it: the next request for the file uses it.
                node = _open.AddFirst((path, new Lazy<Task<DevelopSession>>(() => Task.Run(() => Engine.Open(path)))));
                // Dropped images are left to renders still using them and to the collector: a session holds no native resources.
                while (_open.Count > OpenImages) _open.RemoveLast();
            }
            else
            {
                _open.Remove(node);
                _open.AddFirst(node);
            }
            session = node.Value.Session;
        }
        return session.Value.WaitAsync(cancellation);
    }

    private static byte[] Encode(ImageBuffer pixels, BufferFormat format, ExportOptions options, CancellationToken cancellation) =>
        // A screen JPEG carries no profile; a pipe without colorin (camera RGB) is shown as sRGB, as any viewer would.
        ImageExporter.ToBytes(new ExportImage(FloatPixels.Of(pixels), format.ColorSpace ?? RgbColorSpace.Srgb), options, cancellation);

    public void Dispose()
    {
        lock (_lock) _open.Clear();
        if (_thumbnails.IsValueCreated) _thumbnails.Value.Dispose();
        Engine.Dispose();
        Models.Dispose();
    }
}
