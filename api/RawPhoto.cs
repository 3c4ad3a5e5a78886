using RawEngine.Engine.Buffers;
using RawEngine.Engine.Color;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Export;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;

namespace RawEngine;

/// <summary>
/// One opened raw: render previews of it and export it under any edit, from any number of threads at once, and
/// read or write its sidecar. Every long call comes as <c>XxxAsync</c> (runs on the thread pool) and as <c>Xxx</c>
/// (runs on the calling thread), with the same arguments; each takes a <see cref="CancellationToken"/> (an
/// <see cref="OperationCanceledException"/> then, and no file written) and an optional
/// <see cref="IProgress{T}"/> of <see cref="RenderProgress"/>. Dispose it when the image is closed.
/// The lower-level session is <see cref="Session"/>.
/// </summary>
public sealed class RawPhoto : IDisposable
{
    /// <summary>Export progress runs to this fraction while bands render; the rest is the encoder's end and the file's writing.</summary>
    private const double RenderedFraction = 0.95;

    private readonly RawProcessor _processor;

    internal RawPhoto(RawProcessor processor, DevelopSession session, string? path)
    {
        _processor = processor;
        Session = session;
        Path = path;
    }

    /// <summary>The file it was opened from; null for a stream or a decoded image.</summary>
    public string? Path { get; }

    /// <summary>Where its edit is kept: <c>&lt;raw file name&gt;.rawengine.json</c> beside the raw; null when it was not opened from a file.</summary>
    public string? SidecarPath => Path is null ? null : EditSerializer.SidecarPathFor(Path);

    /// <summary>What was decoded: sensor data, white balance, matrices, orientation, capture metadata.</summary>
    public RawImage Image => Session.Image;

    /// <summary>The lower-level session: any region at any scale (<see cref="DevelopSession.RenderAsync(Edit, Roi, CancellationToken, IProgress{PipeProgress}?)"/>), the pipe's output format.</summary>
    public DevelopSession Session { get; }

    /// <summary>The finished picture's size at full scale under <paramref name="edit"/> (oriented, cropped).</summary>
    public ImageSize Size(Edit edit) => Session.OutputSize(edit, PipeKind.Export);

    /// <summary>The sidecar's edit; <see cref="Edit.Empty"/> (the defaults) when there is no sidecar file or no path.</summary>
    /// <exception cref="EditException">The sidecar exists but is not a valid edit (names the file, the field and why).</exception>
    public Edit LoadEdit() => SidecarPath is { } path && File.Exists(path) ? _processor.Engine.Edits.Load(path) : Edit.Empty;

    /// <inheritdoc cref="LoadEdit"/>
    public Task<Edit> LoadEditAsync(CancellationToken cancellation = default) => Task.Run(LoadEdit, cancellation);

    /// <summary>Writes <paramref name="edit"/> to the sidecar, atomically (a temporary file renamed over the old one).</summary>
    /// <exception cref="InvalidOperationException">The raw was not opened from a file, so it has no sidecar.</exception>
    public void SaveEdit(Edit edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        _processor.Engine.Edits.Save(edit, SidecarPath ?? throw new InvalidOperationException("This raw was not opened from a file, so it has no sidecar."));
    }

    /// <inheritdoc cref="SaveEdit"/>
    public Task SaveEditAsync(Edit edit, CancellationToken cancellation = default) => Task.Run(() => SaveEdit(edit), cancellation);

    /// <summary>
    /// The whole picture under <paramref name="edit"/>, scaled to fit <paramref name="maxWidth"/> x <paramref name="maxHeight"/>
    /// (never enlarged), as 8-bit sRGB BGRA (<see cref="PreviewImage"/>) whatever the edit's output space. A preview pipe:
    /// demosaic and neural modules work at the preview's scale, so it costs a fraction of an export.
    /// </summary>
    public PreviewImage RenderPreview(Edit edit, int maxWidth, int maxHeight, IProgress<RenderProgress>? progress = null, CancellationToken cancellation = default)
    {
        using var pixels = Preview(edit.WithOutputSpace(RgbColorSpace.Srgb), maxWidth, maxHeight, progress, cancellation);
        return PreviewImage.From(pixels);
    }

    /// <inheritdoc cref="RenderPreview"/>
    public Task<PreviewImage> RenderPreviewAsync(Edit edit, int maxWidth, int maxHeight, IProgress<RenderProgress>? progress = null, CancellationToken cancellation = default) =>
        Task.Run(() => RenderPreview(edit, maxWidth, maxHeight, progress, cancellation), cancellation);

    /// <summary>As <see cref="RenderPreview"/>, as floats in the edit's output space (<see cref="FloatImage.ColorSpace"/>).</summary>
    public FloatImage RenderPreviewFloat(Edit edit, int maxWidth, int maxHeight, IProgress<RenderProgress>? progress = null, CancellationToken cancellation = default)
    {
        using var pixels = Preview(edit, maxWidth, maxHeight, progress, cancellation);
        return FloatImage.From(pixels, Session.OutputFormat(edit, PipeKind.Preview).ColorSpace);
    }

    /// <inheritdoc cref="RenderPreviewFloat"/>
    public Task<FloatImage> RenderPreviewFloatAsync(Edit edit, int maxWidth, int maxHeight, IProgress<RenderProgress>? progress = null, CancellationToken cancellation = default) =>
        Task.Run(() => RenderPreviewFloat(edit, maxWidth, maxHeight, progress, cancellation), cancellation);

    /// <summary>
    /// Develops the picture at full quality and writes it to <paramref name="path"/> as <paramref name="settings"/> say
    /// (default: JPEG/PNG/TIFF from the extension, 8 bits, quality 90, full size), with the output space's ICC profile
    /// and the raw's EXIF (camera, lens, exposure, date; orientation 1 as the pixels stand upright). The file appears
    /// whole or not at all (a temporary file in the same folder, renamed); an existing file is replaced only with
    /// <see cref="ExportSettings.Overwrite"/>.
    /// </summary>
    /// <exception cref="RawEngine.Engine.IO.OutputExistsException">The file exists and Overwrite is not set.</exception>
    /// <exception cref="IOException">The folder is missing or not writable.</exception>
    /// <exception cref="ArgumentException">Settings the format cannot take (32 bits in a JPEG), or a region outside the image.</exception>
    public void Export(Edit edit, string path, ExportSettings? settings = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        settings ??= new ExportSettings();
        Export(edit, settings, settings.OptionsFor(path), (image, options) => ImageExporter.Write(image, path, options, cancellation), progress, cancellation);
    }

    /// <inheritdoc cref="Export(Edit, string, ExportSettings?, IProgress{RenderProgress}?, CancellationToken)"/>
    public Task ExportAsync(Edit edit, string path, ExportSettings? settings = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellation = default) =>
        Task.Run(() => Export(edit, path, settings, progress, cancellation), cancellation);

    /// <summary>As the file export, written to <paramref name="stream"/> (the format from <see cref="ExportSettings.Format"/>, JPEG by default).</summary>
    public void Export(Edit edit, Stream stream, ExportSettings? settings = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        settings ??= new ExportSettings();
        Export(edit, settings, settings.OptionsFor(null), (image, options) => ImageExporter.Write(image, stream, options, cancellation), progress, cancellation);
    }

    /// <inheritdoc cref="Export(Edit, Stream, ExportSettings?, IProgress{RenderProgress}?, CancellationToken)"/>
    public Task ExportAsync(Edit edit, Stream stream, ExportSettings? settings = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellation = default) =>
        Task.Run(() => Export(edit, stream, settings, progress, cancellation), cancellation);

    /// <summary>
    /// Renders band by band while <paramref name="write"/> encodes: the colour space (ICC) and EXIF orientation come from
    /// the pipe's output format, the capture metadata from the raw.
    /// </summary>
    private void Export(Edit edit, ExportSettings settings, ExportOptions options, Action<ExportImage, ExportOptions> write,
        IProgress<RenderProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(edit);
        options.Validate();
        cancellation.ThrowIfCancellationRequested();
        var region = settings.RegionToRender(Size(edit));
        edit = settings.EditFor(edit, region.Scale);
        var fraction = progress is null ? null : new ProgressFraction(progress, 0, RenderedFraction, RenderProgress.Render, RenderProgress.Write);
        using (var pixels = Session.RenderForExport(edit, region, PipeKind.Export, fraction))
            write(ExportImage.FromPipe(pixels, pixels.Format, Image), options);
        fraction?.Report(1, RenderProgress.Done);
    }

    private ImageBuffer Preview(Edit edit, int maxWidth, int maxHeight, IProgress<RenderProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(edit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHeight);
        var size = Session.OutputSize(edit, PipeKind.Preview);
        var scale = Math.Min(1.0, Math.Min((double)maxWidth / size.Width, (double)maxHeight / size.Height));
        var fraction = progress is null ? null : new ProgressFraction(progress, 0, 1);
        var pixels = Session.Render(edit, Roi.Full(size, scale), PipeKind.Preview, cancellation, fraction);
        fraction?.Report(1, RenderProgress.Done);
        return pixels;
    }

    /// <summary>Closes the image: its pipes are released (the engine's cache keeps stages until it needs the room).</summary>
    public void Dispose() => Session.Dispose();
}
