using System.CommandLine;
using System.Globalization;
using RawEngine.AI.Segmentation;
using RawEngine.Cli.Convert;

namespace RawEngine.Cli.Mask;

/// <summary>
/// <c>rawengine mask &lt;raw&gt; --point x,y[,fg|bg]... [--box x0,y0,x1,y1] -o mask.png [--edit sidecar.json --apply-to instance]</c>:
/// an object mask from clicks, through the default (or named) mask model.
/// </summary>
public static class MaskCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("raw") { Description = "The raw file" };
        var points = new Option<PromptPoint[]>("--point")
        {
            Description = "A click x,y in pixels of the oriented image at scale 1, before any crop; ,fg (default) on the object, ,bg off it (repeatable, in click order)",
            HelpName = "x,y[,fg|bg]",
            CustomParser = result =>
            {
                try { return [.. result.Tokens.Select(t => ParsePoint(t.Value))]; }
                catch (UsageException e)
                {
                    result.AddError(e.Message);
                    return [];
                }
            },
        };
        var box = CliOptions.Parsed("--box", "A box around the object in the same pixels", "x0,y0,x1,y1", text => (PromptBox?)ParseBox(text));
        var output = new Option<string?>("--output", "-o") { Description = "Write the mask as an 8-bit grey PNG at image size (255 inside, 0 outside)" };
        var edit = new Option<string?>("--edit") { Description = "The edit sidecar to render with and to add the mask to (default: <raw>.rawengine.json)" };
        var applyTo = new Option<string?>("--apply-to") { Description = "Add the mask to the sidecar as a vector mask group and limit this module instance (e.g. exposure) to it", HelpName = "instance" };
        var models = new Option<string[]>("--models") { Description = "Model folder to search first (repeatable)", HelpName = "DIR" };
        var model = new Option<string?>("--model") { Description = "The mask model's id (default: the active or default mask model)" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing mask file" };
        var refine = new Option<string>("--refine")
        {
            Description = "on (default): refine the network's mask against the picture (colour model, edges at preview resolution); off: the network's mask alone",
            HelpName = "on|off",
            DefaultValueFactory = _ => "on",
        };
        refine.AcceptOnlyFromAmong("on", "off");
        var command = new Command("mask", "Make an object mask from clicks with a SAM-family model")
        {
            input, points, box, output, edit, applyTo, models, model, overwrite, refine,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(points) is null && result.GetResult(box) is null) result.AddError("give at least one --point or a --box");
            if (result.GetResult(output) is null && result.GetResult(applyTo) is null) result.AddError("nothing to write: give -o mask.png and/or --apply-to <module instance>");
        });
        command.SetAction(async (parsed, cancellation) =>
        {
            var settings = new MaskSettings
            {
                Input = parsed.GetValue(input)!,
                Points = parsed.GetValue(points) ?? [],
                Box = parsed.GetValue(box),
                Output = parsed.GetValue(output),
                EditPath = parsed.GetValue(edit),
                ApplyTo = parsed.GetValue(applyTo),
                ModelFolders = parsed.GetValue(models) ?? [],
                ModelId = parsed.GetValue(model),
                Overwrite = parsed.GetValue(overwrite),
                Refine = parsed.GetValue(refine) != "off",
            };
            try
            {
                await new MaskMaker(settings, context).RunAsync(cancellation);
                return ExitCodes.Ok;
            }
            catch (MaskCommandException e)
            {
                context.Fail(CliErrors.MessageOf(e));
                return ExitCodes.ProcessingError;
            }
        });
        return command;
    }

    private static PromptPoint ParsePoint(string text)
    {
        var parts = text.Split(',');
        if (parts.Length is < 2 or > 3 || !TryNumber(parts[0], out var x) || !TryNumber(parts[1], out var y))
            throw new UsageException($"--point {text}: expected x,y or x,y,fg or x,y,bg");
        var positive = parts.Length == 2 || parts[2].Trim().ToLowerInvariant() switch
        {
            "fg" or "+" => true,
            "bg" or "-" => false,
            _ => throw new UsageException($"--point {text}: the label '{parts[2]}' is not fg or bg"),
        };
        return new PromptPoint(x, y, positive);
    }

    private static PromptBox ParseBox(string text)
    {
        var parts = text.Split(',');
        var values = new double[4];
        if (parts.Length != 4 || Enumerable.Range(0, 4).Any(i => !TryNumber(parts[i], out values[i])))
            throw new UsageException($"--box {text}: expected x0,y0,x1,y1");
        return new PromptBox(values[0], values[1], values[2], values[3]);
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}

/// <summary>What one <c>mask</c> call asks for.</summary>
public sealed record MaskSettings
{
    public required string Input { get; init; }
    public IReadOnlyList<PromptPoint> Points { get; init; } = [];
    public PromptBox? Box { get; init; }
    public string? Output { get; init; }
    public string? EditPath { get; init; }
    public string? ApplyTo { get; init; }
    public IReadOnlyList<string> ModelFolders { get; init; } = [];
    public string? ModelId { get; init; }
    public bool Overwrite { get; init; }

    /// <summary>Refine the network's mask against the picture (<see cref="MaskRefiner"/>); false: the network's mask alone.</summary>
    public bool Refine { get; init; } = true;
}

/// <summary>A mask call that failed: the file (raw, sidecar, model, mask) and why.</summary>
public sealed class MaskCommandException(string message, Exception? inner = null) : Exception(message, inner);
