using Microsoft.Extensions.Logging;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Sessions;

/// <summary>
/// One image being developed. Render any region at any scale with any edit, from any number of
/// threads at once; results are pooled buffers the caller disposes. Pipes built from recent edits
/// are kept, so params are committed once, not per render.
/// </summary>
public sealed class DevelopSession : IDisposable
{
    private const int KeptPipes = 4;
    private readonly RenderEngine _engine;
    private readonly RawSource _source;
    private readonly ILogger _logger;
    private readonly LinkedList<(PipeKind Kind, Edit Edit, PipeProgram Program)> _programs = new();
    private readonly object _lock = new();
    private bool _disposed;

    internal DevelopSession(RenderEngine engine, RawImage image, string imageId, ILogger logger)
    {
        _engine = engine;
        _source = new RawSource(image);
        _logger = logger;
        ImageId = imageId;
    }

    public RawImage Image => _source.Image;
    public string ImageId { get; }

    /// <summary>The finished image's size at scale 1 under <paramref name="edit"/>.</summary>
    public ImageSize OutputSize(Edit edit, PipeKind kind = PipeKind.Full) => Program(edit, kind).OutputSize;

    /// <summary>Renders <paramref name="roi"/> of the finished image at <c>roi.Scale</c> for a viewer.</summary>
    public Task<ImageBuffer> RenderAsync(Edit edit, Roi roi, CancellationToken cancellation = default, IProgress<PipeProgress>? progress = null) =>
        RenderAsync(edit, roi, PipeKind.Full, cancellation, progress);

    /// <summary>Renders with the given kind of pipe (modules may trade quality for speed in previews).</summary>
    public Task<ImageBuffer> RenderAsync(Edit edit, Roi roi, PipeKind kind, CancellationToken cancellation = default, IProgress<PipeProgress>? progress = null) =>
        Run(edit, kind, _ => roi, cancellation, progress);

    /// <summary><see cref="RenderAsync(Edit, Roi, PipeKind, CancellationToken, IProgress{PipeProgress}?)"/> on the calling thread.</summary>
    public ImageBuffer Render(Edit edit, Roi roi, PipeKind kind, CancellationToken cancellation = default, IProgress<PipeProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(edit);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Render(edit, kind, _ => roi, cancellation, progress);
    }

    /// <summary>The whole image at full quality, scale 1.</summary>
    public Task<ImageBuffer> RenderExportAsync(Edit edit, CancellationToken cancellation = default, IProgress<PipeProgress>? progress = null) =>
        Run(edit, PipeKind.Export, size => Roi.Full(size), cancellation, progress);

    /// <summary>
    /// <paramref name="roi"/> (the whole image at scale 1 when null) as pixels for <see cref="Export.ImageExporter"/>,
    /// rendered band by band while the exporter reads them, so memory stays near the engine's budget
    /// however large the image. Dispose it after the export.
    /// </summary>
    public RenderedPixels RenderForExport(Edit edit, Roi? roi = null, PipeKind kind = PipeKind.Export, IProgress<PipeProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(edit);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var program = Program(edit, kind);
        var strips = _engine.Pipe.OpenStrips(program, roi ?? Roi.Full(program.OutputSize));
        return new RenderedPixels(strips, program.OutputFormat, _engine.Options.MemoryBudgetBytes, progress);
    }

    /// <summary>The format of the finished image under <paramref name="edit"/>: its colour space (the ICC profile to embed) and orientation.</summary>
    public BufferFormat OutputFormat(Edit edit, PipeKind kind = PipeKind.Full) => Program(edit, kind).OutputFormat;

    /// <summary>The whole image scaled so its longer side is at most <paramref name="maxSide"/> pixels.</summary>
    public Task<ImageBuffer> RenderPreviewAsync(Edit edit, int maxSide, CancellationToken cancellation = default, IProgress<PipeProgress>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSide);
        return Run(edit, PipeKind.Preview, size => Roi.Full(size, Math.Min(1.0, (double)maxSide / Math.Max(size.Width, size.Height))), cancellation, progress);
    }

    /// <summary>Builds (or reuses) the pipe and renders on the thread pool; every error arrives through the task.</summary>
    private Task<ImageBuffer> Run(Edit edit, PipeKind kind, Func<ImageSize, Roi> region, CancellationToken cancellation, IProgress<PipeProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(edit);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Task.Run(() => Render(edit, kind, region, cancellation, progress), cancellation);
    }

    private ImageBuffer Render(Edit edit, PipeKind kind, Func<ImageSize, Roi> region, CancellationToken cancellation, IProgress<PipeProgress>? progress)
    {
        var program = Program(edit, kind);
        var roi = region(program.OutputSize);
        _logger.LogDebug("Render {Kind} {Roi} of {Image}.", kind, roi, ImageId);
        return _engine.Pipe.Render(program, roi, cancellation, progress);
    }

    private PipeProgram Program(Edit edit, PipeKind kind)
    {
        lock (_lock)
        {
            for (var node = _programs.First; node is not null; node = node.Next)
                if (node.Value.Kind == kind && node.Value.Edit.Equals(edit))
                {
                    _programs.Remove(node);
                    _programs.AddFirst(node);
                    return node.Value.Program;
                }
        }
        var program = _engine.Pipe.Build(edit, _source, ImageId, kind);
        lock (_lock)
        {
            _programs.AddFirst((kind, edit, program));
            while (_programs.Count > KeptPipes) _programs.RemoveLast();
        }
        return program;
    }

    public void Dispose()
    {
        _disposed = true;
        lock (_lock) _programs.Clear();
    }
}
