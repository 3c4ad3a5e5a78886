using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Lens;

namespace RawEngine.Cli.Commands;

/// <summary><c>rawengine info &lt;file&gt; [--json]</c>: what the raw holds, read fully so a damaged file is reported.</summary>
public static class InfoCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "Raw file (any format LibRaw reads, DNG included)" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("info", "Describe a raw file: camera, size, CFA, levels, white balance, matrix, exposure") { file, json };
        command.SetAction((parsed, cancellationToken) =>
        {
            var path = parsed.GetValue(file)!;
            try
            {
                var report = RawInfoReport.From(path, RawDecoder.Decode(path, cancellationToken));
                context.Out.Write(parsed.GetValue(json) ? report.ToJson() + Environment.NewLine : report.ToText());
                return Task.FromResult(ExitCodes.Ok);
            }
            catch (RawDecodeException e)
            {
                context.Fail(e.Message);
                return Task.FromResult(ExitCodes.ProcessingError);
            }
        });
        return command;
    }
}

/// <summary>The facts <c>info</c> prints, in one shape for text and JSON.</summary>
public sealed record RawInfoReport
{
    public required string File { get; init; }
    public required string Make { get; init; }
    public required string Model { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int SensorWidth { get; init; }
    public required int SensorHeight { get; init; }
    public required string Layout { get; init; }
    public CfaReport? Cfa { get; init; }
    /// <summary>The black of every cell of the sensor's repeating tile (CFA period and black pattern), rows of cells.</summary>
    public required BlackReport Black { get; init; }
    public required float White { get; init; }
    public required float[] WbMultipliers { get; init; }
    public required string WbSource { get; init; }
    public required float[] DaylightMultipliers { get; init; }
    /// <summary>Null when the raw has no matrix (developed in raw colour).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required float[]? XyzToCamera { get; init; }
    public required string MatrixSource { get; init; }
    public float[]? AnalogBalance { get; init; }
    public required int Orientation { get; init; }
    /// <summary>Null when the file has no BaselineExposure (nothing is compensated).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public float? BaselineExposure { get; init; }
    public double PixelAspect { get; init; }
    public string[]? Warnings { get; init; }
    public float Iso { get; init; }
    public float ExposureTime { get; init; }
    public float FNumber { get; init; }
    public float FocalLength { get; init; }
    public string? Lens { get; init; }
    /// <summary>lensfun's name of the lens profile the default develop corrects with; null when none applies.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? LensProfile { get; init; }
    public string? Timestamp { get; init; }

    public sealed record CfaReport(string Type, string[] Pattern);

    /// <summary>Per-cell black: <c>Cells[row][column]</c> (LinearRaw: one cell with a value per sample).</summary>
    public sealed record BlackReport(float[][] Cells)
    {
        public static BlackReport Of(RawImage image)
        {
            var black = SensorBlack.Of(image);
            var rowLength = black.Width * black.Samples;
            return new([.. Enumerable.Range(0, black.Height).Select(row => black.Values.Slice(row * rowLength, rowLength).ToArray())]);
        }
    }

    public static RawInfoReport From(string path, RawImage image) => new()
    {
        File = path,
        Make = image.Capture.Make,
        Model = image.Capture.Model,
        Width = image.Visible.Width,
        Height = image.Visible.Height,
        SensorWidth = image.SensorWidth,
        SensorHeight = image.SensorHeight,
        Layout = image.IsCfa ? "cfa" : "linear",
        Cfa = image.Cfa is { } cfa ? new CfaReport(cfa.Kind == CfaKind.Bayer ? "bayer" : "xtrans", cfa.Rows) : null,
        Black = BlackReport.Of(image),
        White = image.White,
        WbMultipliers = image.AsShotMultipliers,
        WbSource = image.WhiteBalanceSource,
        DaylightMultipliers = image.DaylightMultipliers,
        XyzToCamera = image.XyzToCamera?.ToArray(),
        MatrixSource = image.ColorMatrixSource,
        AnalogBalance = image.AnalogBalance,
        Orientation = image.Orientation,
        BaselineExposure = image.BaselineExposure,
        PixelAspect = image.PixelAspect,
        Warnings = image.Warnings.Count > 0 ? [.. image.Warnings] : null,
        Iso = image.Capture.Iso,
        ExposureTime = image.Capture.ExposureTime,
        FNumber = image.Capture.FNumber,
        FocalLength = image.Capture.FocalLength,
        Lens = string.IsNullOrEmpty(image.Capture.Lens) ? null : image.Capture.Lens,
        LensProfile = LensOperation.ProfileFor(image, LensDatabase.System)?.Name,
        Timestamp = image.Capture.Timestamp?.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
    };

    public string ToJson() => ReportJson.Serialize(this);

    public string ToText()
    {
        static string Numbers(IEnumerable<float> values) => string.Join(' ', values.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)));
        var lines = new List<(string, string)>
        {
            ("File", File),
            ("Camera", $"{Make} {Model}".Trim()),
            ("Size", $"{Width} x {Height} (sensor {SensorWidth} x {SensorHeight})"),
            ("Layout", Cfa is null ? "linear RGB" : $"{Cfa.Type} CFA {string.Join('/', Cfa.Pattern)}"),
            ("Black (per cell)", string.Join(" / ", Black.Cells.Select(Numbers))),
            ("White", Numbers([White])),
            ("WB as shot (R G B)", $"{Numbers(WbMultipliers)} ({WbSource})"),
            ("WB daylight (R G B)", Numbers(DaylightMultipliers)),
            ("XYZ to camera", XyzToCamera is null ? "none" : Numbers(XyzToCamera)),
            ("Colour matrix", MatrixSource),
            ("Orientation", Orientation.ToString(CultureInfo.InvariantCulture)),
            ("Baseline exposure", BaselineExposure is { } ev ? $"{ev.ToString("0.##", CultureInfo.InvariantCulture)} EV" : "absent"),
            ("ISO", Numbers([Iso])),
            ("Exposure", ExposureTime is > 0 and < 1 ? $"1/{(1 / ExposureTime).ToString("0.#", CultureInfo.InvariantCulture)} s" : $"{Numbers([ExposureTime])} s"),
            ("Aperture", $"f/{Numbers([FNumber])}"),
            ("Focal length", $"{Numbers([FocalLength])} mm"),
        };
        if (AnalogBalance is not null) lines.Insert(lines.FindIndex(l => l.Item1 == "Colour matrix") + 1, ("Analog balance", Numbers(AnalogBalance)));
        if (PixelAspect != 1) lines.Add(("Pixel aspect", PixelAspect.ToString("0.####", CultureInfo.InvariantCulture)));
        if (Lens is not null) lines.Add(("Lens", Lens));
        if (LensProfile is not null) lines.Add(("Lens profile", LensProfile));
        if (Timestamp is not null) lines.Add(("Taken", Timestamp));
        if (Warnings is not null) lines.AddRange(Warnings.Select(w => ("Warning", w)));
        var width = lines.Max(l => l.Item1.Length);
        return string.Concat(lines.Select(l => $"{l.Item1.PadRight(width)}  {l.Item2}{Environment.NewLine}"));
    }
}
