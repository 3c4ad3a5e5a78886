using System.Globalization;
using RawEngine.AI.Backend;
using RawEngine.Engine.Color;
using RawEngine.Engine.Export;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Denoise;
using RawEngine.Iop.DenoiseNn;
using RawEngine.Iop.Sharpen;
using RawEngine.Iop.Temperature;

namespace RawEngine.Cli.Convert;

/// <summary>A command-line value that does not parse: a usage error (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Everything <c>rawengine convert</c> was asked to do, checked and parsed.</summary>
public sealed record ConvertSettings
{
    public required IReadOnlyList<string> Inputs { get; init; }
    public required string Output { get; init; }
    public string? EditPath { get; init; }
    public ExportFormat? Format { get; init; }
    public int Bits { get; init; } = 8;
    public int Quality { get; init; } = 90;
    public int? MaxWidth { get; init; }
    public int? MaxHeight { get; init; }
    public double? Scale { get; init; }
    public PixelRegion? Region { get; init; }
    public string? Profile { get; init; }
    public string? Demosaic { get; init; }
    public WhiteBalanceChoice? WhiteBalance { get; init; }
    public double? Exposure { get; init; }
    public string? Tone { get; init; }
    /// <summary>auto or off; null leaves the edit's (the sidecar's) choice, whose default is auto.</summary>
    public string? Lens { get; init; }

    /// <summary><c>--demosaic nn:VIEWS</c>: the neural demosaic's ensemble (1, 2, 4 or 8 views), null for the module's default.</summary>
    public int? DemosaicEnsemble { get; init; }

    /// <summary><c>--denoise nn[:strength]</c> or <c>classic[:strength]</c>; null when not asked for.</summary>
    public DenoiseChoice? Denoise { get; init; }

    /// <summary><c>--sharpen auto|off|AMOUNT</c>.</summary>
    public SharpenChoice Sharpen { get; init; } = SharpenChoice.Auto;

    /// <summary><c>--models DIR</c> (repeatable): model folders searched before <c>RAWENGINE_MODELS</c> and the user's.</summary>
    public IReadOnlyList<string> ModelDirectories { get; init; } = [];

    /// <summary><c>--provider</c>: where the neural modules' networks run.</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Auto;
    public long MemoryBudgetBytes { get; init; } = 512L << 20;
    public int Jobs { get; init; } = 1;
    public bool Overwrite { get; init; }
    public bool StripMetadata { get; init; }

    /// <summary><c>--shard I/N</c> or <c>auto</c>: convert only this shard's share of the inputs, journaled.</summary>
    public Batch.Shard? Shard { get; init; }

    /// <summary><c>--resume</c>: skip the files the output folder's journals record as done with the same input and settings.</summary>
    public bool Resume { get; init; }

    /// <summary>A shard or a resume is a batch: its output is a folder holding the journals.</summary>
    public bool IsJournaled => Shard is not null || Resume;

    public bool ToStandardOutput => Output == "-";

    /// <summary>
    /// The format a file gets: --format, else the output name's extension; JPEG for folders and stdout.
    /// An extension that names no format is a usage error rather than a silent JPEG.
    /// </summary>
    public ExportFormat FormatFor(string output)
    {
        if (Format is { } chosen) return chosen;
        if (output == "-" || Directory.Exists(output) || Path.GetExtension(output).Length == 0) return ExportFormat.Jpeg;
        return ExportFormats.FromPath(output)
            ?? throw new UsageException($"-o {output}: '{Path.GetExtension(output)}' names no format this engine writes (jpg, png, tif); use --format");
    }

    public static readonly string[] Profiles = [.. RgbColorSpace.Outputs.SelectMany(s => new[] { s.Id, s.Id + "-linear" })];
    public static readonly string[] DemosaicMethods = ["auto", "bilinear", "lmmse", "xtrans", "half", "nn"];
    public static readonly string[] Tones = ["sigmoid", "none"];
    public static readonly string[] LensModes = ["auto", "off"];

    /// <summary>Parses <c>--demosaic METHOD</c> or <c>nn:VIEWS</c> into the method and the neural demosaic's ensemble.</summary>
    public static (string Method, int? Ensemble) ParseDemosaic(string text)
    {
        var parts = text.Trim().Split(':', 2);
        var method = CheckChoice(parts[0], "--demosaic", DemosaicMethods);
        if (parts.Length == 1) return (method, null);
        if (method != "nn") throw new UsageException($"--demosaic: only nn takes a number of views, not '{text}'");
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var views) || !AI.Tiling.TileTransform.Sizes.Contains(views))
            throw new UsageException($"--demosaic: views '{parts[1]}' is not one of {string.Join(", ", AI.Tiling.TileTransform.Sizes)}");
        return (method, views);
    }

    /// <summary>The strengths <c>--denoise nn:S</c> and <c>classic:S</c> take: the modules' own ranges.</summary>
    public static readonly ParamRangeAttribute NeuralDenoiseStrength = CliOptions.RangeOf<DenoiseNnParams>(nameof(DenoiseNnParams.Strength));
    public static readonly ParamRangeAttribute ClassicDenoiseStrength = CliOptions.RangeOf<DenoiseParams>(nameof(DenoiseParams.Strength));

    /// <summary>Parses <c>--denoise nn[:STRENGTH]</c> (neural) or <c>classic[:STRENGTH]</c> (wavelets); strength 1 by default.</summary>
    public static DenoiseChoice ParseDenoise(string text)
    {
        var parts = text.Trim().Split(':', 2);
        var method = parts[0].ToLowerInvariant();
        var range = method switch
        {
            "nn" => NeuralDenoiseStrength,
            "classic" => ClassicDenoiseStrength,
            _ => throw new UsageException($"--denoise: '{text}' is not nn[:STRENGTH] or classic[:STRENGTH]"),
        };
        if (parts.Length == 1) return new DenoiseChoice(method, 1.0);
        if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var strength) || !range.Contains(strength))
            throw new UsageException($"--denoise: strength '{parts[1]}' is not a number in {range.Text()}");
        return new DenoiseChoice(method, strength);
    }

    public static string CheckChoice(string? value, string option, IReadOnlyList<string> allowed) =>
        value is not null && allowed.Contains(value.ToLowerInvariant())
            ? value.ToLowerInvariant()
            : throw new UsageException($"{option}: '{value}' is not one of {string.Join(", ", allowed)}");

    public static double[] ParseNumbers(string text, int count, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != count)
            throw new UsageException($"{option}: expected {count} comma-separated numbers, got '{text}'");
        var values = new double[count];
        for (var i = 0; i < count; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                throw new UsageException($"{option}: '{parts[i]}' is not a number");
        return values;
    }
}

/// <summary><c>--denoise</c>: the method (nn or classic) and its strength.</summary>
public readonly record struct DenoiseChoice(string Method, double Strength);

/// <summary>
/// <c>--sharpen</c>: auto (output sharpening when the render downscales, capture sharpening only as the edit
/// asks), off (neither, whatever the edit says), or AMOUNT (capture sharpening of that amount, output as auto).
/// </summary>
public sealed record SharpenChoice(bool Off, double? CaptureAmount)
{
    public static SharpenChoice Auto { get; } = new(false, null);

    /// <summary>The capture sharpening amounts <c>--sharpen AMOUNT</c> takes: the module's own range.</summary>
    public static readonly ParamRangeAttribute AmountRange = CliOptions.RangeOf<SharpenParams>(nameof(SharpenParams.Amount));

    public static SharpenChoice Parse(string text)
    {
        var key = text.Trim().ToLowerInvariant();
        if (key == "auto") return Auto;
        if (key == "off") return new(true, null);
        if (!double.TryParse(key, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !AmountRange.Contains(amount))
            throw new UsageException($"--sharpen: '{text}' is not auto, off or an amount in {AmountRange.Text()}");
        return new(false, amount);
    }
}

/// <summary>A rectangle in pixels of the oriented output image at scale 1.</summary>
public readonly record struct PixelRegion(int X, int Y, int Width, int Height)
{
    public static PixelRegion Parse(string text)
    {
        var v = ConvertSettings.ParseNumbers(text, 4, "--roi");
        if (v.Any(n => n != Math.Floor(n)) || v[0] < 0 || v[1] < 0 || v[2] < 1 || v[3] < 1)
            throw new UsageException($"--roi: '{text}' is not x,y,width,height in whole pixels (x, y >= 0, size >= 1)");
        return new PixelRegion((int)v[0], (int)v[1], (int)v[2], (int)v[3]);
    }
}

/// <summary>--wb: as-shot, daylight, auto (grey world, as LibRaw's), or custom R,G,B multipliers.</summary>
public sealed record WhiteBalanceChoice(string Mode, double[]? Multipliers = null)
{
    /// <summary>The custom multipliers <c>--wb R,G,B</c> takes: the temperature module's own range.</summary>
    public static readonly ParamRangeAttribute MultiplierRange = CliOptions.RangeOf<TemperatureParams>(nameof(TemperatureParams.Red));

    public static WhiteBalanceChoice Parse(string text)
    {
        var key = text.Trim().ToLowerInvariant();
        if (key is "as-shot" or "asshot" or "camera") return new("as-shot");
        if (key is "daylight" or "auto") return new(key);
        var values = ConvertSettings.ParseNumbers(text, 3, "--wb");
        if (!values.All(MultiplierRange.Contains))
            throw new UsageException($"--wb: multipliers must lie in {MultiplierRange.Text()}, got '{text}'");
        return new("custom", values);
    }
}
