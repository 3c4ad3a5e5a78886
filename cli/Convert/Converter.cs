using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.Lens;

namespace RawEngine.Cli.Convert;

/// <summary>Develops one raw with the convert settings and writes the picture, through the embedding API (<see cref="RawPhoto"/>).</summary>
public sealed class Converter(RenderEngine engine, ConvertSettings settings)
{
    private readonly RawProcessor _processor = new(engine);

    /// <summary>
    /// Converts <paramref name="input"/> to <paramref name="output"/> ("-" for <paramref name="stdout"/>); <paramref name="decoded"/>,
    /// when given, is <paramref name="input"/>'s decode, already started (<see cref="Decode"/>).
    /// </summary>
    public async Task ConvertAsync(string input, string output, Stream? stdout, CancellationToken cancellation, Task<RawImage>? decoded = null)
    {
        var edit = LoadEdit(input);
        using var photo = decoded is null ? await _processor.OpenAsync(input, cancellation) : _processor.Open(await decoded, input);
        await DevelopAsync(photo, edit, output, stdout, cancellation);
    }

    /// <summary>
    /// Loads on the thread pool what a convert's start would otherwise load on its one busy thread: lensfun's database
    /// (read when the lens module is made) and libvips with its types (the encoder). Called before the command line is
    /// parsed, while the other core idles; a failure here is left for the convert itself to report.
    /// </summary>
    public static void Preload() => _ = Task.Run(() =>
    {
        _ = LensDatabase.System;
        _ = NetVips.NetVips.Version(0);
    });

    /// <summary>Starts decoding <paramref name="input"/> on the thread pool, for <see cref="ConvertAsync"/>.</summary>
    public static Task<RawImage> Decode(string input, ILogger logger, CancellationToken cancellation) =>
        Task.Run(() => RenderEngine.Decode(input, logger, cancellation), cancellation);

    /// <summary>Opens an already decoded image (the demo's synthetic raw) for <see cref="DevelopAsync"/>.</summary>
    public RawPhoto Open(RawImage image) => _processor.Open(image);

    /// <summary>Exports an opened image with <paramref name="edit"/> (command-line options applied on top).</summary>
    public async Task DevelopAsync(RawPhoto photo, Edit edit, string output, Stream? stdout, CancellationToken cancellation)
    {
        edit = EditOverrides.Apply(edit, settings, engine.Modules);
        var export = ExportSettingsFor(output);
        try
        {
            await (output == "-"
                ? photo.ExportAsync(edit, stdout ?? throw new InvalidOperationException("No standard output to write to."), export, cancellation: cancellation)
                : photo.ExportAsync(edit, output, export, cancellation: cancellation));
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == nameof(ExportSettings.Region))
        {
            throw new ConvertException(photo.Path ?? output, $"--roi: {e.Message.Replace($" (Parameter '{e.ParamName}')", "")}", e);
        }
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
        using var photo = new RawProcessor(quiet).Open(SyntheticRaw.Chart(WarmUpWidth, WarmUpHeight));
        var export = ExportSettingsFor(settings.ToStandardOutput ? "-" : settings.Output) with { Region = null };
        photo.Export(EditOverrides.Apply(Edit.Empty, settings, engine.Modules), Stream.Null, export, cancellation: cancellation);
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
        var export = ExportSettingsFor(output);
        var text = string.Join('\n',
            typeof(Converter).Assembly.GetName().Version,
            engine.Edits.Write(edit),
            export.Format, export.Bits, export.Quality, export.StripMetadata,
            settings.Scale, settings.MaxWidth, settings.MaxHeight, settings.Region);
        return System.Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>How the picture for <paramref name="output"/> is sized, encoded and written.</summary>
    public ExportSettings ExportSettingsFor(string output) => new()
    {
        Format = settings.FormatFor(output),
        Bits = settings.Bits,
        Quality = settings.Quality,
        Scale = settings.Scale ?? 1,
        MaxWidth = settings.MaxWidth,
        MaxHeight = settings.MaxHeight,
        Region = settings.Region is { } r ? new PixelRect(r.X, r.Y, r.Width, r.Height) : null,
        SharpenWhenDownscaled = !settings.Sharpen.Off,
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
}

/// <summary>A file that could not be converted: names the file and the reason.</summary>
public sealed class ConvertException(string file, string reason, Exception? inner = null) : Exception($"{file}: {reason}", inner);
