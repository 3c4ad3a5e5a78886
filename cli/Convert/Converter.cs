using System.Security.Cryptography;
using System.Text;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Export;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;

namespace RawEngine.Cli.Convert;

/// <summary>Develops one raw with the convert settings and writes the picture.</summary>
public sealed class Converter(RenderEngine engine, ConvertSettings settings)
{
    /// <summary>Converts <paramref name="input"/> to <paramref name="output"/> ("-" for <paramref name="stdout"/>).</summary>
    public async Task ConvertAsync(string input, string output, Stream? stdout, CancellationToken cancellation, IProgress<PipeProgress>? progress = null)
    {
        var edit = LoadEdit(input);
        using var session = engine.Open(input, cancellation);
        await DevelopAsync(session, edit, input, output, stdout, cancellation, progress);
    }

    /// <summary>Renders an opened image with <paramref name="edit"/> (command-line options applied on top) and exports it.</summary>
    public Task DevelopAsync(DevelopSession session, Edit edit, string name, string output, Stream? stdout,
        CancellationToken cancellation, IProgress<PipeProgress>? progress = null) =>
        // The exporter renders the bands as it reads them: the whole develop runs on the pool.
        Task.Run(() => Develop(session, edit, name, output, stdout, cancellation, progress), cancellation);

    private void Develop(DevelopSession session, Edit edit, string name, string output, Stream? stdout,
        CancellationToken cancellation, IProgress<PipeProgress>? progress)
    {
        edit = EditOverrides.Apply(edit, settings, engine.Modules);
        var roi = RegionToRender(session.OutputSize(edit, PipeKind.Export), name);
        edit = EditOverrides.ForScale(edit, settings, roi.Scale);
        using var pixels = session.RenderForExport(edit, roi, PipeKind.Export, progress);
        var image = ExportImage.FromPipe(pixels, pixels.Format, session.Image);
        var options = ExportOptionsFor(output);
        if (output == "-")
            ImageExporter.Write(image, stdout ?? throw new InvalidOperationException("No standard output to write to."), options, cancellation);
        else
            ImageExporter.Write(image, output, options, cancellation);
    }

    /// <summary>
    /// Develops a small synthetic raw with these settings and throws the picture away, so that what a convert runs
    /// (pipe build, the modules' kernels, the encoder) is compiled and loaded while the first raw is still being decoded,
    /// a single-threaded step. It renders through an engine of its own that logs nothing. Skipped when neural modules
    /// are asked for: their models are not worth loading twice.
    /// </summary>
    public void WarmUp(CancellationToken cancellation)
    {
        if (settings.Demosaic == "nn" || settings.Denoise?.Method == "nn") return;
        using var quiet = new RenderEngine(engine.Modules, engine.Options with { CacheBytes = 0, UseGpu = false });
        using var session = quiet.Open(SyntheticRaw.Chart(WarmUpWidth, WarmUpHeight), "warm-up");
        var edit = EditOverrides.Apply(Edit.Empty, settings, engine.Modules);
        using var pixels = session.RenderForExport(edit, null, PipeKind.Export);
        var image = ExportImage.FromPipe(pixels, pixels.Format, session.Image);
        ImageExporter.ToBytes(image, ExportOptionsFor(settings.ToStandardOutput ? "-" : settings.Output), cancellation);
    }

    private const int WarmUpWidth = 192, WarmUpHeight = 128;

    /// <summary>
    /// What a batch journal records a file was converted with: a hash of the engine's version, the effective edit (the
    /// sidecar with the command line's options on top) and the options that shape the written file. Equal hashes mean
    /// equal output bytes for the same input, so a resume may skip the file.
    /// </summary>
    public string SettingsHash(string input, string output)
    {
        var edit = EditOverrides.Apply(LoadEdit(input), settings, engine.Modules);
        var export = ExportOptionsFor(output);
        var text = string.Join('\n',
            typeof(Converter).Assembly.GetName().Version,
            engine.Edits.Write(edit),
            export.Format, export.Bits, export.Quality, export.StripMetadata,
            settings.Scale, settings.MaxWidth, settings.MaxHeight, settings.Region);
        return System.Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    public ExportOptions ExportOptionsFor(string output) => new()
    {
        Format = settings.FormatFor(output),
        Bits = settings.Bits,
        Quality = settings.Quality,
        StripMetadata = settings.StripMetadata,
        Overwrite = settings.Overwrite,
    };

    /// <summary>The sidecar given with --edit, else the one beside the input, else defaults.</summary>
    private Edit LoadEdit(string input)
    {
        var path = settings.EditPath ?? EditSerializer.SidecarPathFor(input);
        if (settings.EditPath is null && !File.Exists(path)) return Edit.Empty;
        try
        {
            return engine.Edits.Load(path);
        }
        catch (Exception e) when (e is EditException or IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            throw new ConvertException(path, e.Message.StartsWith(path, StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message, e);
        }
    }

    private Roi RegionToRender(ImageSize size, string name)
    {
        if (settings.Region is not { } region)
            return Roi.Full(size, settings.ScaleFor(size));
        if (region.X + region.Width > size.Width || region.Y + region.Height > size.Height)
            throw new ConvertException(name, $"--roi {region.X},{region.Y},{region.Width},{region.Height} reaches outside the {size.Width}x{size.Height} image");
        var scale = settings.ScaleFor(new ImageSize(region.Width, region.Height));
        var full = size.Scaled(scale);
        var x = Math.Min((int)Math.Floor(region.X * scale), full.Width - 1);
        var y = Math.Min((int)Math.Floor(region.Y * scale), full.Height - 1);
        var width = Math.Clamp((int)Math.Round(region.Width * scale), 1, full.Width - x);
        var height = Math.Clamp((int)Math.Round(region.Height * scale), 1, full.Height - y);
        return new Roi(x, y, width, height, scale);
    }
}

/// <summary>A file that could not be converted: names the file and the reason.</summary>
public sealed class ConvertException(string file, string reason, Exception? inner = null) : Exception($"{file}: {reason}", inner);
