namespace RawEngine.Engine.Export;

/// <summary>How <see cref="ImageExporter"/> encodes and writes a picture.</summary>
public sealed record ExportOptions
{
    public ExportFormat Format { get; init; } = ExportFormat.Jpeg;

    /// <summary>Bits per sample: 8, 16 (PNG, TIFF) or 32 (TIFF, IEEE float).</summary>
    public int Bits { get; init; } = 8;

    /// <summary>JPEG quality, 1..100.</summary>
    public int Quality { get; init; } = 90;

    /// <summary>Write no EXIF at all; the ICC profile is always embedded.</summary>
    public bool StripMetadata { get; init; }

    /// <summary>Replace an existing file (otherwise writing to an existing path fails and leaves it untouched).</summary>
    public bool Overwrite { get; init; }

    /// <exception cref="ArgumentException">A bit depth the format cannot hold, or a quality outside 1..100.</exception>
    public void Validate()
    {
        if (!Format.BitDepths().Contains(Bits))
            throw new ArgumentException(
                $"{Format.DisplayName()} cannot be written with {Bits} bits per sample (bits {Bits} with format {Format.Extension()[1..]}): {Format.DisplayName()} takes {string.Join(" or ", Format.BitDepths())}.",
                nameof(Bits));
        if (Quality is < 1 or > 100)
            throw new ArgumentException($"JPEG quality {Quality} is outside 1..100.", nameof(Quality));
    }
}
