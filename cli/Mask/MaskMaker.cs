using RawEngine;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.AI.Segmentation;
using RawEngine.Engine;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Export;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Iop;

namespace RawEngine.Cli.Mask;

/// <summary>
/// One <c>mask</c> call: renders the edited image (display-referred, long side 1024, before any crop) through
/// the engine, encodes it once, decodes the prompts in order (a box first, then each click with the previous
/// mask), writes the mask PNG at image size and/or vectorises it into a mask group of the sidecar that the
/// named module instance blends through. Everything is checked before anything is written; the sidecar is
/// written last, atomically, and only when all went well.
/// </summary>
internal sealed class MaskMaker(MaskSettings settings, CliContext context)
{
    private const int RenderSide = 1024;
    private readonly ILogger _logger = context.LoggerFactory.CreateLogger("mask");

    public async Task RunAsync(CancellationToken cancellation)
    {
        var input = settings.Input;
        if (!File.Exists(input)) throw new MaskCommandException($"{input}: no such file");
        using var engine = new RenderEngine(StandardModules.CreateRegistry(), new EngineOptions { CacheBytes = 0 }, context.LoggerFactory);
        var sidecar = settings.EditPath ?? EditSerializer.SidecarPathFor(input);
        var edit = LoadEdit(engine, sidecar);
        if (settings.ApplyTo is { } toCheck) CheckInstance(engine.Modules, toCheck, sidecar);

        using var session = Guard(input, () => engine.Open(input, cancellation));
        // Prompts are in pixels of the image before the user's crop: the encoder sees it uncropped too.
        var uncropped = ObjectMaskEdit.Uncropped(edit);
        var size = session.OutputSize(uncropped);
        Guard(input, () =>
        {
            foreach (var point in settings.Points) point.CheckInside(size.Width, size.Height);
            settings.Box?.CheckInside(size.Width, size.Height);
            return 0;
        });

        var registry = ModelRegistry.Discover(new ModelSearchOptions(settings.ModelFolders, context.ModelEnvironment), _logger);
        var package = Guard(input, () => registry.Choose(TaskDefaults.Mask, requestedId: settings.ModelId,
            active: ActiveModelConfig.Load(environment: context.ModelEnvironment)).Package);
        using var host = new ModelHost(InferenceSettings.Default, _logger);
        using var segmenter = Guard(package.Id, () => SamSegmenter.Open(host, package, new SegmenterOptions { Refine = settings.Refine, Kernels = PixelKernels.For(engine.Compute) }, _logger));

        var encoderView = uncropped.WithoutToneMapping();
        var key = $"{session.ImageId}|{Hash(engine.Edits.Write(encoderView))}";
        var target = await segmenter.EncodeAsync(key, size.Width, size.Height,
            ct => session.RenderPreviewAsync(encoderView, RenderSide, ct), cancellation);
        var prompt = segmenter.StartPrompt(target);
        SegmentationMask? mask = null;
        try
        {
            if (settings.Box is { } box) mask = prompt.SetBox(box, cancellation);
            foreach (var point in settings.Points)
            {
                mask?.Dispose();
                mask = prompt.Click(point, cancellation);
            }
            _logger.LogInformation("Mask of {Input}: {Area} pixels of {Width}x{Height} (predicted IoU {Score:0.00}) with {Model}",
                input, mask!.Area, mask.Width, mask.Height, mask.Score, package.Id);
            var edited = settings.ApplyTo is { } instance
                ? ObjectMaskEdit.WithMask(edit, engine.Modules, session, instance, mask, Path.GetFileName(input))
                  ?? throw new MaskCommandException($"{input}: the mask is empty, so there is nothing to add to the edit")
                : null;
            if (settings.Output is { } output)
                Guard(output, () =>
                {
                    MaskImage.WritePng(mask.Coverage, mask.Width, mask.Height, output, settings.Overwrite);
                    return 0;
                });
            if (edited is not null)
                Guard(sidecar, () =>
                {
                    engine.Edits.Save(edited, sidecar);
                    return 0;
                });
        }
        finally
        {
            mask?.Dispose();
        }
    }

    private Edit LoadEdit(RenderEngine engine, string sidecar)
    {
        if (settings.EditPath is null && !File.Exists(sidecar)) return Edit.Empty;
        return Guard(sidecar, () => engine.Edits.Load(sidecar));
    }

    /// <summary>The instance must name a module that blends: checked before any work is done.</summary>
    private static void CheckInstance(ModuleRegistry modules, string instance, string sidecar)
    {
        if (!ModuleEntry.IsValidInstanceName(instance))
            throw new MaskCommandException($"--apply-to {instance}: not a module instance name (a module id such as exposure, or id#name)");
        var id = ModuleEntry.ModuleIdOf(instance);
        if (!modules.Contains(id)) throw new MaskCommandException($"--apply-to {instance}: {modules.UnknownModule(id)}");
        if (!modules.Get(id).Info.Has(OperationFlags.SupportsBlending))
            throw new MaskCommandException($"--apply-to {instance}: module '{id}' does not blend, so a mask cannot limit it (sidecar {sidecar} left as it was)");
    }

    private static string Hash(string text) => System.Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Runs <paramref name="action"/>; a failure of the input becomes one message naming <paramref name="subject"/>.</summary>
    private static T Guard<T>(string subject, Func<T> action)
    {
        try { return action(); }
        catch (Exception e) when (e is RawEngineException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            var message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;
            throw new MaskCommandException(message.StartsWith(subject, StringComparison.Ordinal) ? message : $"{subject}: {message}", e);
        }
    }
}
