namespace RawEngine.Engine.Export;

/// <summary>The file formats the exporter writes.</summary>
public enum ExportFormat
{
    Jpeg,
    Png,
    Tiff,
}

public static class ExportFormats
{
    /// <summary>Parses a format name as the CLI spells it: jpg, jpeg, png, tif, tiff (any case).</summary>
    /// <exception cref="ArgumentException">The name is not one of those.</exception>
    public static ExportFormat Parse(string name) =>
        TryParse(name) ?? throw new ArgumentException($"Unknown export format '{name}': use jpg, png or tif.", nameof(name));

    /// <summary>The format a file name's extension names, or null when it names none.</summary>
    public static ExportFormat? FromPath(string path)
    {
        var extension = Path.GetExtension(path);
        return extension.Length > 1 ? TryParse(extension[1..]) : null;
    }

    /// <summary>The usual file extension, with the dot.</summary>
    public static string Extension(this ExportFormat format) => format switch
    {
        ExportFormat.Jpeg => ".jpg",
        ExportFormat.Png => ".png",
        _ => ".tif",
    };

    /// <summary>Bits per sample each format can hold: JPEG 8; PNG 8, 16; TIFF 8, 16, 32 (float).</summary>
    public static IReadOnlyList<int> BitDepths(this ExportFormat format) => format switch
    {
        ExportFormat.Jpeg => [8],
        ExportFormat.Png => [8, 16],
        _ => [8, 16, 32],
    };

    public static string DisplayName(this ExportFormat format) => format switch
    {
        ExportFormat.Jpeg => "JPEG",
        ExportFormat.Png => "PNG",
        _ => "TIFF",
    };

    private static ExportFormat? TryParse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "jpg" or "jpeg" => ExportFormat.Jpeg,
        "png" => ExportFormat.Png,
        "tif" or "tiff" => ExportFormat.Tiff,
        _ => null,
    };
}
