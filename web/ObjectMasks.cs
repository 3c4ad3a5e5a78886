using RawEngine;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using RawEngine.AI.Contracts;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.AI.Segmentation;
using RawEngine.Engine.Edits;
using RawEngine.Iop.Exposure;

namespace RawEngine.Web;

/// <summary>What the object tool can do here: the mask model found, or how to install one.</summary>
public sealed record ModelStatus(string? Mask, string? Denoise, string? Demosaic)
{
    public const string InstallCommand = "rawengine models install --all";
}

/// <summary>A mask made from clicks: an overlay for the page and the numbers about it.</summary>
public sealed record ObjectMaskResult(byte[] OverlayPng, int Area, double Score, int Width, int Height);

/// <summary>
/// The object tool: clicks become a mask through the segmentation model, whose image embeddings are computed once
/// per image and edit and cached (so each click only runs the decoder); "apply" adds an <c>exposure</c> instance
/// blended through the vectorised mask, as <c>rawengine mask --apply-to</c> does. Each call replays all the
/// clicks so far, so the server keeps no per-page state.
/// </summary>
public sealed class ObjectMasks(EditorEngine engine, ILogger logger) : IDisposable
{
    /// <summary>The long side of the render the encoder sees (it resizes to 1024 itself).</summary>
    private const int EncoderSide = 1024;
    /// <summary>The long side of the overlay sent to the page.</summary>
    private const int OverlaySide = 1024;

    // A failed open is not kept: each click tries again and reports why.
    private readonly Lazy<SamSegmenter> _segmenter = new(() => Open(engine, logger), LazyThreadSafetyMode.PublicationOnly);

    /// <summary>Which model each AI task would use, found by the same search the CLI makes.</summary>
    public ModelStatus Status()
    {
        var registry = engine.Models.Registry;
        string? First(string task) => registry.ForTask(task).Select(m => m.Id).FirstOrDefault();
        return new ModelStatus(First(TaskDefaults.Mask), First(TaskDefaults.Denoise), First(TaskDefaults.Demosaic));
    }

    /// <summary>The mask for <paramref name="points"/> (in order, each refining the last) on the image as <paramref name="edit"/> shows it.</summary>
    public async Task<ObjectMaskResult> MaskAsync(string path, Edit edit, IReadOnlyList<PromptPoint> points, CancellationToken cancellation)
    {
        using var mask = await DecodeAsync(path, edit, points, cancellation);
        return new ObjectMaskResult(Overlay(mask), mask.Area, mask.Score, mask.Width, mask.Height);
    }

    /// <summary>
    /// The edit with a new <c>exposure#objectN</c> instance of <paramref name="exposure"/> EV blended through the mask of
    /// <paramref name="points"/>, and that instance's name.
    /// </summary>
    public async Task<(Edit Edit, string Instance)> ApplyAsync(string path, Edit edit, IReadOnlyList<PromptPoint> points, double exposure, CancellationToken cancellation)
    {
        using var mask = await DecodeAsync(path, edit, points, cancellation);
        var session = await engine.OpenAsync(path, cancellation);
        var instance = $"exposure#{ObjectMaskEdit.NewGroupId(edit)}";
        // A local adjustment adds to the global one: no baseline exposure a second time.
        var parameters = new ExposureParams { Exposure = exposure, CompensateBaseline = false };
        var edited = ObjectMaskEdit.WithMask(edit, engine.Engine.Modules, session, instance, mask, Path.GetFileName(path), parameters)
            ?? throw new ArgumentException("the mask is empty, so there is nothing to apply");
        return (edited, instance);
    }

    private async Task<SegmentationMask> DecodeAsync(string path, Edit edit, IReadOnlyList<PromptPoint> points, CancellationToken cancellation)
    {
        if (points.Count == 0) throw new ArgumentException("points: give at least one click");
        if (points.All(p => !p.Positive)) throw new ArgumentException("points: give at least one click on the object (positive)");
        var session = await engine.OpenAsync(path, cancellation);
        var uncropped = ObjectMaskEdit.Uncropped(edit);
        var size = session.OutputSize(uncropped);
        foreach (var point in points) point.CheckInside(size.Width, size.Height);
        var segmenter = await Task.Run(() => _segmenter.Value, cancellation);
        var encoderView = uncropped.WithoutToneMapping();
        var key = $"{session.ImageId}|{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(engine.WriteEdit(encoderView))))}";
        var target = await segmenter.EncodeAsync(key, size.Width, size.Height, ct => session.RenderPreviewAsync(encoderView, EncoderSide, ct), cancellation);
        return await Task.Run(() =>
        {
            var prompt = segmenter.StartPrompt(target);
            SegmentationMask? mask = null;
            foreach (var point in points)
            {
                mask?.Dispose();
                mask = prompt.Click(point, cancellation);
            }
            return mask!;
        }, cancellation);
    }

    /// <summary>The mask as a translucent orange RGBA PNG, long side at most <see cref="OverlaySide"/>, to lay over the preview.</summary>
    private static byte[] Overlay(SegmentationMask mask)
    {
        var scale = Math.Min(1.0, (double)OverlaySide / Math.Max(mask.Width, mask.Height));
        var width = Math.Max(1, (int)Math.Round(mask.Width * scale));
        var height = Math.Max(1, (int)Math.Round(mask.Height * scale));
        var rgba = new byte[width * height * 4];
        var coverage = mask.Coverage;
        for (var y = 0; y < height; y++)
        {
            var row = Math.Min(mask.Height - 1, (int)((y + 0.5) / scale)) * mask.Width;
            for (var x = 0; x < width; x++)
            {
                var value = coverage[row + Math.Min(mask.Width - 1, (int)((x + 0.5) / scale))];
                var o = 4 * (y * width + x);
                rgba[o] = 255;
                rgba[o + 1] = 96;
                rgba[o + 2] = 32;
                rgba[o + 3] = (byte)(Math.Clamp(value, 0f, 1f) * 140);
            }
        }
        using var image = NetVips.Image.NewFromMemory(rgba, width, height, 4, NetVips.Enums.BandFormat.Uchar);
        return image.PngsaveBuffer(compression: 1);
    }

    private static SamSegmenter Open(EditorEngine engine, ILogger logger)
    {
        var models = engine.Models;
        var package = models.Registry.Choose(TaskDefaults.Mask, active: models.Active).Package;
        return SamSegmenter.Open(models.Host, package, new SegmenterOptions { Kernels = PixelKernels.For(engine.Engine.Compute) }, logger);
    }

    public void Dispose()
    {
        if (_segmenter.IsValueCreated) _segmenter.Value.Dispose();
    }
}
