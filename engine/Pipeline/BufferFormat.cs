using RawEngine.Engine.Color;
using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Pipeline;

/// <summary>How pixels are laid out: a one-channel CFA mosaic or interleaved RGBA.</summary>
[Flags]
public enum PixelLayout { Cfa = 1, Rgba = 2, Any = Cfa | Rgba }

/// <summary>What the numbers mean.</summary>
[Flags]
public enum ColorEncoding
{
    /// <summary>Sensor values as read: black not subtracted, white at the raw's white level.</summary>
    RawCamera = 1,
    /// <summary>Linear camera RGB (or CFA), black subtracted, scaled so <see cref="BufferFormat.White"/> is white.</summary>
    LinearCamera = 2,
    /// <summary>Linear working RGB: linear Rec.2020.</summary>
    LinearWorking = 4,
    /// <summary>Display-encoded (a transfer curve applied) in the output colour space.</summary>
    Display = 8,
    Any = RawCamera | LinearCamera | LinearWorking | Display,
}

/// <summary>
/// The format of a pipe buffer. <see cref="Cfa"/> is stated at the origin (0, 0) of the whole image
/// the buffer belongs to; <see cref="CfaAt"/> gives the phase at a region's top-left.
/// </summary>
public sealed record BufferFormat(PixelLayout Layout, ColorEncoding Encoding, float White, CfaPattern? Cfa = null)
{
    public int Channels => Layout == PixelLayout.Cfa ? 1 : 4;
    public int BytesPerPixel => Channels * sizeof(float);

    /// <summary>
    /// Where each colour channel saturated on the sensor, in this buffer's units (1, 1, 1 after
    /// rawprepare; scaled by white balance), so highlight handling knows what is clipped. Null once
    /// colours are mixed (after colorin).
    /// </summary>
    public ChannelLevels? Saturation { get; init; }

    /// <summary>The white balance multipliers (R, G, B) applied to this linear camera data, null when none
    /// was; a network trained on unbalanced data takes them off and puts them back.</summary>
    public ChannelLevels? WhiteBalance { get; init; }

    /// <summary>
    /// The RGB space the values are in, once a module has put them in a known one (the working space after the
    /// input profile, the output space after the output profile): its ICC profile is the one an export embeds.
    /// Null for camera data.
    /// </summary>
    public RgbColorSpace? ColorSpace { get; init; }

    /// <summary>
    /// The EXIF orientation (1..8) a module has turned these pixels by (1: it ran and left them as they were);
    /// null when none has, so the raw's own orientation still applies and an export writes it.
    /// </summary>
    public int? AppliedOrientation { get; init; }

    /// <summary>The CFA repeat period (2 Bayer, 6 X-Trans), 1 when not a mosaic.</summary>
    public int CfaPeriod => Cfa?.Width ?? 1;

    /// <summary>The CFA pattern as seen from the top-left of <paramref name="roi"/>.</summary>
    public CfaPattern CfaAt(Roi roi) =>
        (Cfa ?? throw new InvalidOperationException($"A {Layout} buffer has no CFA pattern.")).Shifted(roi.Y, roi.X);

    public override string ToString() => Cfa is null ? $"{Layout} {Encoding} white {White}" : $"{Layout} {Cfa} {Encoding} white {White}";
}

/// <summary>One value per colour channel (R, G, B).</summary>
public readonly record struct ChannelLevels(float R, float G, float B)
{
    public float this[int channel] => channel switch { 0 => R, 1 => G, _ => B };

    public float Min => Math.Min(R, Math.Min(G, B));

    public ChannelLevels Scaled(float r, float g, float b) => new(R * r, G * g, B * b);
}

/// <summary>The formats a module accepts as input.</summary>
public readonly record struct FormatFilter(PixelLayout Layouts, ColorEncoding Encodings)
{
    public static FormatFilter Any => new(PixelLayout.Any, ColorEncoding.Any);

    public bool Accepts(BufferFormat format) =>
        (Layouts & format.Layout) != 0 && (Encodings & format.Encoding) != 0 &&
        (format.Layout != PixelLayout.Cfa || format.Cfa is not null);

    public override string ToString() => $"{Layouts} in {Encodings}";
}
