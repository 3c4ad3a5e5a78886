using RawEngine.Engine.Edits;
using RawEngine.Engine.Export;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Iop;
using RawEngine.Iop.Sharpen;

namespace RawEngine;

/// <summary>How <see cref="RawPhoto.ExportAsync(Engine.Edits.Edit, string, ExportSettings?, IProgress{RenderProgress}?, CancellationToken)"/> sizes, encodes and writes a picture.</summary>
public sealed record ExportSettings
{
    /// <summary>JPEG, PNG or TIFF; null takes it from the file name's extension (.jpg, .jpeg, .png, .tif, .tiff), JPEG for a stream.</summary>
    public ExportFormat? Format { get; init; }

    /// <summary>Bits per sample: 8; 16 (PNG, TIFF); 32 (TIFF, float).</summary>
    public int Bits { get; init; } = 8;

    /// <summary>JPEG quality, 1..100.</summary>
    public int Quality { get; init; } = 90;

    /// <summary>A scale for the picture (1: full size); the result still fits <see cref="MaxWidth"/> and <see cref="MaxHeight"/>.</summary>
    public double Scale { get; init; } = 1;

    /// <summary>The picture fits inside this width (in pixels), scaled down whole; null: no limit.</summary>
    public int? MaxWidth { get; init; }

    /// <summary>The picture fits inside this height (in pixels), scaled down whole; null: no limit.</summary>
    public int? MaxHeight { get; init; }

    /// <summary>Only this rectangle, in pixels of the finished (oriented, cropped) image at full size; null: all of it.</summary>
    public PixelRect? Region { get; init; }

    /// <summary>A downscaled picture gets the output sharpening the edit asks for, else <c>sharpen_output</c>'s defaults (as <c>rawengine convert</c>); false adds none.</summary>
    public bool SharpenWhenDownscaled { get; init; } = true;

    /// <summary>Write no EXIF (the ICC profile is always embedded).</summary>
    public bool StripMetadata { get; init; }

    /// <summary>Replace an existing file; without it an existing file is an error and is left as it was.</summary>
    public bool Overwrite { get; init; }

    /// <summary><paramref name="edit"/> as exported at <paramref name="scale"/>: with <c>sharpen_output</c> (its defaults) when it downscales
    /// and <see cref="SharpenWhenDownscaled"/> is on, unless the edit already says what it wants.</summary>
    public Edit EditFor(Edit edit, double scale) =>
        scale < 1 && SharpenWhenDownscaled && edit.IndexOf(ModuleIds.SharpenOutput) < 0 ? edit.With(ModuleIds.SharpenOutput, new OutputSharpenParams()) : edit;

    /// <summary>The format a file at <paramref name="path"/> gets (null: a stream).</summary>
    /// <exception cref="ArgumentException">No <see cref="Format"/> and the extension names none.</exception>
    public ExportFormat FormatFor(string? path) => Format ?? (path is null ? ExportFormat.Jpeg : ExportFormats.FromPath(path) ?? throw new ArgumentException(
        $"{path}: the extension names no format this engine writes (.jpg, .png, .tif); set ExportSettings.Format", nameof(path)));

    /// <summary>The encoder's options for a file at <paramref name="path"/> (null: a stream).</summary>
    public ExportOptions OptionsFor(string? path) => new()
    {
        Format = FormatFor(path),
        Bits = Bits,
        Quality = Quality,
        StripMetadata = StripMetadata,
        Overwrite = Overwrite,
    };

    /// <summary>The scale that makes <paramref name="size"/> (the part exported, at full size) fit the limits.</summary>
    public double ScaleFor(ImageSize size)
    {
        var scale = Scale;
        if (MaxWidth is { } width) scale = Math.Min(scale, (double)width / size.Width);
        if (MaxHeight is { } height) scale = Math.Min(scale, (double)height / size.Height);
        return scale;
    }

    /// <summary>The region of the finished image (of <paramref name="size"/> at scale 1) to render, at the scale these settings give it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The region reaches outside the image, or the scale is not positive.</exception>
    public Roi RegionToRender(ImageSize size)
    {
        if (Region is not { } region)
            return Roi.Full(size, CheckedScale(size));
        if (region.Width < 1 || region.Height < 1 || region.X < 0 || region.Y < 0 || region.Right > size.Width || region.Bottom > size.Height)
            throw new ArgumentOutOfRangeException(nameof(Region), $"The region {region.X},{region.Y},{region.Width},{region.Height} reaches outside the {size.Width}x{size.Height} image.");
        var scale = CheckedScale(new ImageSize(region.Width, region.Height));
        var full = size.Scaled(scale);
        var x = Math.Min((int)Math.Floor(region.X * scale), full.Width - 1);
        var y = Math.Min((int)Math.Floor(region.Y * scale), full.Height - 1);
        var width = Math.Clamp((int)Math.Round(region.Width * scale), 1, full.Width - x);
        var height = Math.Clamp((int)Math.Round(region.Height * scale), 1, full.Height - y);
        return new Roi(x, y, width, height, scale);
    }

    private double CheckedScale(ImageSize size)
    {
        var scale = ScaleFor(size);
        if (!(scale > 0) || !double.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(Scale), $"The export scale must be a positive number, not {scale} (scale {Scale}, max {MaxWidth}x{MaxHeight}).");
        return scale;
    }
}
