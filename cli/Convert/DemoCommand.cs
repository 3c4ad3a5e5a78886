using System.CommandLine;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;

namespace RawEngine.Cli.Convert;

/// <summary>
/// <c>rawengine demo [-o file] [--cfa bayer|xtrans]</c>: develops a raw the engine makes itself (a colour chart
/// with gradients and fine detail, mosaicked like a camera would), so the whole path runs with no input file.
/// <c>-o name.dng</c> writes that raw itself, an input for <c>convert</c> and <c>mask</c> in a clone with no raws.
/// </summary>
public static class DemoCommand
{
    public const int Width = 2400, Height = 1600;

    public static Command Create(CliContext context)
    {
        var output = new Option<string>("--output", "-o") { Description = "Where to write the picture", DefaultValueFactory = _ => "rawengine-demo.jpg" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing file" };
        var cfa = new Option<string>("--cfa") { Description = "The sensor's colour filter array", DefaultValueFactory = _ => "bayer" };
        cfa.AcceptOnlyFromAmong("bayer", "xtrans");
        var command = new Command("demo", "Render the built-in synthetic raw (no input needed); -o name.dng writes the raw itself") { output, overwrite, cfa };
        command.SetAction(async (parsed, cancellation) =>
        {
            var target = parsed.GetValue(output)!;
            var settings = new ConvertSettings { Inputs = ["demo"], Output = target, Overwrite = parsed.GetValue(overwrite) };
            var raw = SyntheticRaw.Chart(Width, Height, new SyntheticRawOptions { Cfa = parsed.GetValue(cfa) == "xtrans" ? CfaPattern.XTrans : CfaPattern.Rggb });
            try
            {
                if (Path.GetExtension(target).Equals(".dng", StringComparison.OrdinalIgnoreCase))
                {
                    DngWriter.Write(raw, target, new DngWriteOptions { Overwrite = settings.Overwrite });
                    context.Out.WriteLine($"{target}: {Width}x{Height} synthetic raw written");
                    return ExitCodes.Ok;
                }
                settings.FormatFor(target);
                using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 }, context.LoggerFactory);
                var converter = new Converter(engine, settings);
                using var photo = converter.Open(raw);
                using var stdout = target == "-" ? context.OpenStandardOutput() : null;
                await converter.DevelopAsync(photo, Edit.Empty, target, stdout, cancellation);
                if (target != "-") context.Out.WriteLine($"{target}: {Width}x{Height} synthetic raw developed");
                return ExitCodes.Ok;
            }
            catch (UsageException e)
            {
                context.Fail(e.Message);
                return ExitCodes.UsageError;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                context.Fail(CliErrors.About(e, target));
                return ExitCodes.ProcessingError;
            }
        });
        return command;
    }
}
