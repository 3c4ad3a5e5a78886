using System.CommandLine;
using System.Diagnostics;
using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;
using RawEngine.Cli.Batch;
using RawEngine.Engine.Color;
using RawEngine.Engine.Export;
using RawEngine.Engine.Sessions;
using RawEngine.Iop;
using RawEngine.Iop.Exposure;
using Microsoft.Extensions.Logging;

namespace RawEngine.Cli.Convert;

/// <summary><c>rawengine convert &lt;inputs or folders&gt;... -o &lt;file or folder&gt;</c>.</summary>
public static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Raw files or folders of raw files", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Output file, folder, or - for standard output", Required = true };
        var edit = new Option<string?>("--edit") { Description = "Edit sidecar to apply (default: <input>.rawengine.json when present)" };
        var format = CliOptions.Parsed("--format", "Output format (default: from the output name, else jpg)", "jpg|png|tif", ParseFormat);
        var bits = CliOptions.OneOf("--bits", "Bits per sample: 8, 16 (png, tif) or 32 (tif float)", 8, [8, 16, 32]);
        var quality = CliOptions.Whole("--quality", "JPEG quality", "Q", 90, 1, 100);
        var width = CliOptions.Whole("--width", "Fit inside this width", "PIXELS", 1);
        var height = CliOptions.Whole("--height", "Fit inside this height", "PIXELS", 1);
        var profile = CliOptions.Choice("--profile", "Output colour space; -linear after a name for its linear-light form",
            ConvertSettings.Profiles, $"{string.Join('|', RgbColorSpace.Outputs.Select(s => s.Id))}[-linear]");
        var demosaic = CliOptions.Parsed("--demosaic", "Demosaic method; nn:VIEWS sets the neural one's ensemble (1, 2, 4 or 8 views)",
            $"{string.Join('|', ConvertSettings.DemosaicMethods)}[:VIEWS]", text => ((string Method, int? Ensemble)?)ConvertSettings.ParseDemosaic(text));
        var denoise = CliOptions.Parsed("--denoise", "Denoise after demosaic: neural or wavelets, strength 1 by default",
            $"nn[:{ConvertSettings.NeuralDenoiseStrength.Text()}]|classic[:{ConvertSettings.ClassicDenoiseStrength.Text()}]", text => (DenoiseChoice?)ConvertSettings.ParseDenoise(text));
        var sharpen = CliOptions.Parsed("--sharpen", "auto (default: output sharpening when downscaling), off, or the capture sharpening's amount",
            $"auto|off|{SharpenChoice.AmountRange.Text()}", SharpenChoice.Parse);
        var models = new Option<string[]>("--models") { Description = "Model folder to search first (repeatable)", HelpName = "DIR" };
        // Absent is Auto (the enum's default); the help names it as it is typed, not as the enum member prints.
        var provider = CliOptions.Parsed("--provider", $"Where neural modules run [default: {ExecutionProvider.Auto.ToName()}]", string.Join('|', Enum.GetValues<ExecutionProvider>().Select(e => e.ToName())), ParseProvider);
        var wb = CliOptions.Parsed("--wb", "White balance: as-shot (daylight when the file has none), daylight, auto (grey world), or R,G,B multipliers",
            $"as-shot|daylight|auto|R,G,B ({WhiteBalanceChoice.MultiplierRange.Text()})", WhiteBalanceChoice.Parse);
        var exposure = CliOptions.Number("--exposure", "Exposure in EV (default +0.7 plus the raw's baseline exposure)", CliOptions.RangeOf<ExposureParams>(nameof(ExposureParams.Exposure)));
        var tone = CliOptions.Choice("--tone", "Tone mapper: sigmoid, or none (linear)", ConvertSettings.Tones);
        var lens = CliOptions.Choice("--lens", "Lens correction from lensfun's profiles: auto (default: when one matches the camera and lens) or off", ConvertSettings.LensModes);
        var roi = CliOptions.Parsed("--roi", "Render only this region (pixels of the oriented image at scale 1)", "x,y,w,h", text => (PixelRegion?)PixelRegion.Parse(text));
        var scale = CliOptions.Positive("--scale", "Render scale, e.g. 0.5", "FACTOR");
        var budget = CliOptions.Whole("--memory-budget", "Working memory per module in MB; larger needs are tiled", "MB", (int)(new EngineOptions().MemoryBudgetBytes >> 20), 1);
        var jobs = CliOptions.Whole("--jobs", "Files converted at once", "N", 1, 1);
        jobs.Aliases.Add("-j");
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace existing output files" };
        var strip = new Option<bool>("--strip-metadata") { Description = "Write no EXIF (the ICC profile stays)" };
        var shard = new Option<string?>("--shard")
        {
            Description = "Convert only shard I of N (I from 0) of the sorted inputs, or auto: from Slurm's SLURM_ARRAY_TASK_* or Kubernetes' JOB_COMPLETION_INDEX",
            HelpName = "I/N|auto",
        };
        var shardCount = CliOptions.Whole("--shard-count", "With --shard auto: the number of shards (a Kubernetes Indexed Job's completions; else RAWENGINE_SHARD_COUNT)", "N", 1);
        var resume = new Option<bool>("--resume") { Description = "Skip files the output folder's journals record as done from the same input and settings" };
        var command = new Command("convert", "Develop raw files into JPEG, PNG or TIFF")
        {
            inputs, output, edit, format, bits, quality, width, height, profile, demosaic, denoise, sharpen, models, provider, wb, exposure, tone, lens, roi, scale, budget, jobs,
            overwrite, strip, shard, shardCount, resume,
        };
        command.SetAction(async (parsed, cancellation) =>
        {
            ConvertSettings settings;
            try
            {
                var demosaicChoice = parsed.GetValue(demosaic);
                settings = new ConvertSettings
                {
                    Inputs = parsed.GetValue(inputs)!,
                    Output = parsed.GetValue(output)!,
                    EditPath = parsed.GetValue(edit),
                    Format = parsed.GetValue(format),
                    Bits = parsed.GetValue(bits),
                    Quality = parsed.GetValue(quality),
                    MaxWidth = parsed.GetValue(width),
                    MaxHeight = parsed.GetValue(height),
                    Scale = parsed.GetValue(scale),
                    Region = parsed.GetValue(roi),
                    Profile = parsed.GetValue(profile),
                    Demosaic = demosaicChoice?.Method,
                    DemosaicEnsemble = demosaicChoice?.Ensemble,
                    WhiteBalance = parsed.GetValue(wb),
                    Exposure = parsed.GetValue(exposure),
                    Tone = parsed.GetValue(tone),
                    Lens = parsed.GetValue(lens),
                    Denoise = parsed.GetValue(denoise),
                    Sharpen = parsed.GetValue(sharpen) ?? SharpenChoice.Auto,
                    ModelDirectories = parsed.GetValue(models) ?? [],
                    Provider = parsed.GetValue(provider),
                    MemoryBudgetBytes = parsed.GetValue(budget) * (1L << 20),
                    Jobs = parsed.GetValue(jobs),
                    Overwrite = parsed.GetValue(overwrite),
                    StripMetadata = parsed.GetValue(strip),
                    Shard = ParseShard(parsed.GetValue(shard), parsed.GetValue(shardCount), context),
                    Resume = parsed.GetValue(resume),
                };
                var (fmt, b) = (settings.FormatFor(settings.Output), settings.Bits);
                if (!fmt.BitDepths().Contains(b))
                    throw new UsageException($"--bits {b} cannot be written as {fmt.DisplayName()} (it takes {string.Join(" or ", fmt.BitDepths())})");
            }
            catch (UsageException e)
            {
                context.Fail(e.Message);
                return ExitCodes.UsageError;
            }
            return await BatchConverter.RunAsync(settings, context, cancellation);
        });
        return command;
    }

    private static Shard? ParseShard(string? text, int? count, CliContext context)
    {
        if (text is null or not "auto" && count is not null) throw new UsageException("--shard-count goes with --shard auto");
        return text switch
        {
            null => null,
            "auto" => Batch.Shard.FromScheduler(context.Environment, count),
            _ => Batch.Shard.Parse(text),
        };
    }

    private static ExecutionProvider ParseProvider(string name)
    {
        try { return ExecutionProviderNames.Parse(name); }
        catch (ArgumentException e) { throw new UsageException($"--provider: {e.Message.Replace(" (Parameter 'name')", "")}"); }
    }

    private static ExportFormat? ParseFormat(string name)
    {
        try { return ExportFormats.Parse(name); }
        catch (ArgumentException) { throw new UsageException($"--format: '{name}' is not one of jpg, png, tif"); }
    }
}

/// <summary>
/// Converts a batch: keeps going past bad files, reports progress, and sums up the failures. A shard or a resume
/// (<see cref="ConvertSettings.IsJournaled"/>) converts its share of the inputs and journals each file as it finishes.
/// </summary>
public static class BatchConverter
{
    public static async Task<int> RunAsync(ConvertSettings settings, CliContext context, CancellationToken cancellation)
    {
        var logger = context.LoggerFactory.CreateLogger(nameof(BatchConverter));
        logger.LogDebug("Command line parsed.");
        IReadOnlyList<PlannedFile> files;
        try
        {
            var inputs = OutputPlan.ExpandInputs(settings.Inputs);
            if (inputs.Count == 0) throw new UsageException("no raw files found in the given inputs");
            // Paired before sharding, so every shard agrees on the outputs and sees the clashes of the whole batch.
            files = OutputPlan.Pair(inputs, settings.Output, settings.Format, intoFolder: settings.IsJournaled);
        }
        catch (UsageException e)
        {
            context.Fail(e.Message);
            return ExitCodes.UsageError;
        }

        // The first raw decodes (LibRaw, one thread) while the engine is made and warms up on the other core. A journaled
        // batch may have done it already, so it waits for its to-do list.
        var firstDecode = settings.IsJournaled ? null : Converter.Decode(files[0].Input, logger, cancellation);
        using var models = new ModelServices(new ModelSearchOptions(settings.ModelDirectories, context.ModelEnvironment),
            new InferenceSettings(settings.Provider), loggerFactory: context.LoggerFactory);
        using var engine = new RenderEngine(StandardModules.CreateRegistry(models), new EngineOptions
        {
            MemoryBudgetBytes = settings.MemoryBudgetBytes,
            CacheBytes = 0, // each file is rendered once: keeping stages would only cost memory
            MaxThreads = Math.Max(1, Environment.ProcessorCount / settings.Jobs),
        }, context.LoggerFactory);
        var converter = new Converter(engine, settings);
        using var batch = settings.IsJournaled ? StartBatch(settings, files, converter, context, cancellation) : null;
        if (batch is not null) files = batch.ToDo;
        // A resumed batch replaces the outputs its own journals say it wrote; any other existing file needs --overwrite.
        var replacing = settings.Overwrite ? converter : new Converter(engine, settings with { Overwrite = true });
        var failures = new List<string>();
        var done = 0;
        var progress = new BatchProgress(context, files.Count, quiet: settings.ToStandardOutput);
        using var warmUpStop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var warmUp = files.Count == 0 ? Task.CompletedTask : Task.Run(() =>
        {
            converter.WarmUp(warmUpStop.Token);
            logger.LogDebug("Warm-up finished.");
        }, warmUpStop.Token);
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = settings.Jobs, CancellationToken = cancellation }, async (file, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var stamp = batch is null ? null : InputStamp.Of(file.Input);
            string? settingsHash = null;
            string? error = null;
            try
            {
                settingsHash = batch is null ? null : converter.SettingsHash(file.Input, file.Output);
                using var stdout = file.Output == "-" ? context.OpenStandardOutput() : null;
                await (batch?.MayReplace(file) == true ? replacing : converter).ConvertAsync(file.Input, file.Output, stdout, ct,
                    ReferenceEquals(file, files[0]) ? firstDecode : null);
                logger.LogDebug("Converted {Input} to {Output}.", file.Input, file.Output);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Keep going past a bad file; every message names the file it is about.
                error = CliErrors.About(e, file.Input, file.Output);
            }
            batch?.Finished(file, stamp, settingsHash, clock.Elapsed, error);
            lock (failures)
            {
                done++;
                if (error is not null)
                {
                    failures.Add(error);
                    context.Fail(error);
                }
                progress.Report(done, file.Input, file.Output, error is null, clock.Elapsed);
            }
        });
        // A batch that ended first (e.g. every input failed at once) does not wait for the warm-up to finish.
        await warmUpStop.CancelAsync();
        await WarmedUp(warmUp, context);
        progress.Finish(failures.Count);
        logger.LogDebug("Compiled {Methods} methods in {Milliseconds:0} ms (JIT, all threads); {Collections} garbage collections (gen 2: {Full}) paused {Pause:0} ms.",
            System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds,
            GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalMilliseconds);
        return failures.Count == 0 ? ExitCodes.Ok : ExitCodes.ProcessingError;
    }

    private static BatchRun StartBatch(ConvertSettings settings, IReadOnlyList<PlannedFile> files, Converter converter, CliContext context, CancellationToken cancellation)
    {
        var shard = settings.Shard ?? Shard.Whole;
        var clock = Stopwatch.StartNew();
        var run = BatchRun.Start(settings.Output, shard, shard.Select(files, f => f.Key), settings.Resume, file =>
        {
            try
            {
                return converter.SettingsHash(file.Input, file.Output);
            }
            catch (Exception e) when (e is ConvertException or UsageException)
            {
                return null; // its sidecar does not load: converting it again reports why
            }
        }, cancellation);
        context.LoggerFactory.CreateLogger(nameof(BatchConverter)).LogInformation(
            "Shard {Shard}: {Files} files to convert, {Skipped} already done; journal {Journal}.", shard, run.ToDo.Count, run.Skipped, BatchJournal.FolderOf(settings.Output));
        if (run.Skipped > 0)
            context.Error.WriteLine($"rawengine: shard {shard}: {run.Skipped} of {run.Skipped + run.ToDo.Count} files already done, skipped (checked in {clock.Elapsed.TotalMilliseconds:0} ms)");
        return run;
    }

    /// <summary>A warm-up that failed or was stopped only cost time: the real conversions report their own errors.</summary>
    private static async Task WarmedUp(Task warmUp, CliContext context)
    {
        try
        {
            await warmUp;
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            context.LoggerFactory.CreateLogger(nameof(BatchConverter)).LogDebug(e, "Warm-up failed.");
        }
    }
}

/// <summary>
/// Progress on standard error for a batch: a redrawn line on a terminal, plain lines otherwise. Silent when the
/// picture goes to stdout, and for a single input, whose only stderr line is its error (if it fails).
/// </summary>
public sealed class BatchProgress(CliContext context, int total, bool quiet)
{
    private readonly bool _quiet = quiet || total == 1;
    private readonly bool _terminal = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;

    public void Report(int done, string input, string output, bool ok, TimeSpan elapsed)
    {
        if (_quiet) return;
        var line = $"[{done}/{total}] {(ok ? "ok  " : "FAIL")} {input}{(ok ? $" -> {output}" : "")} ({elapsed.TotalSeconds:0.00} s)";
        if (_terminal)
        {
            var width = Math.Max(20, Console.WindowWidth - 1);
            var bar = new string('#', done * 20 / total).PadRight(20, '.');
            var text = $"[{bar}] {line}";
            context.Error.Write("\r" + (text.Length > width ? text[..width] : text.PadRight(width)));
            if (!ok || done == total) context.Error.WriteLine();
        }
        else
            context.Error.WriteLine(line);
    }

    public void Finish(int failed)
    {
        if ((quiet && failed == 0) || total == 1) return;
        if (failed > 0) context.Error.WriteLine($"rawengine: {failed} of {total} files failed (listed above)");
        else if (total > 1) context.Error.WriteLine($"rawengine: {total} files converted");
    }
}
