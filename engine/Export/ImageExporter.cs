using RawEngine.Engine.Color;
using RawEngine.Engine.IO;
using NetVips;

namespace RawEngine.Engine.Export;

/// <summary>
/// Encodes a finished picture as JPEG, PNG (8/16-bit) or TIFF (8/16-bit, 32-bit float; deflate) through
/// libvips, with the output space's ICC profile embedded and the capture's EXIF (unless stripped), and
/// writes it to a file (atomically) or a stream.
/// </summary>
public static class ImageExporter
{
    private const string IccField = "icc-profile-data";

    /// <summary>
    /// Writes to a temporary file in the target folder, then renames it into place: no partial file is ever
    /// left at <paramref name="path"/>, and an existing file is only replaced with <see cref="ExportOptions.Overwrite"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Bad options (e.g. 32 bits with JPEG) or pixels.</exception>
    /// <exception cref="OutputExistsException">The file exists (without Overwrite).</exception>
    /// <exception cref="IOException">The folder is missing or not writable.</exception>
    public static void Write(ExportImage image, string path, ExportOptions options, CancellationToken ct = default)
    {
        options.Validate();
        // Checked before the render, which the encoder drives, rather than after it.
        var (_, folder) = AtomicFile.CheckTarget(path, options.Overwrite);
        var writeFile = Encode(image, options, ct);
        try
        {
            AtomicFile.Write(path, writeFile, options.Overwrite);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"{path}: cannot write to the folder {folder}: permission denied", e);
        }
    }

    /// <summary><see cref="Write(ExportImage, string, ExportOptions, CancellationToken)"/> on the thread pool (rendering, encoding and writing are CPU work).</summary>
    public static Task WriteAsync(ExportImage image, string path, ExportOptions options, CancellationToken ct = default) =>
        Task.Run(() => Write(image, path, options, ct), ct);

    /// <summary><see cref="Write(ExportImage, Stream, ExportOptions, CancellationToken)"/> on the thread pool.</summary>
    public static Task WriteAsync(ExportImage image, Stream stream, ExportOptions options, CancellationToken ct = default) =>
        Task.Run(() => Write(image, stream, options, ct), ct);

    /// <summary>Writes the encoded file to <paramref name="stream"/> (e.g. standard output).</summary>
    public static void Write(ExportImage image, Stream stream, ExportOptions options, CancellationToken ct = default) =>
        Encode(image, options, ct)(stream);

    /// <summary>The whole encoded file in memory.</summary>
    public static byte[] ToBytes(ExportImage image, ExportOptions options, CancellationToken ct = default)
    {
        using var stream = new MemoryStream();
        Write(image, stream, options, ct);
        return stream.ToArray();
    }

    /// <summary>Encodes the picture; the result writes the file, with its EXIF unless metadata is stripped.</summary>
    private static Action<Stream> Encode(ExportImage image, ExportOptions options, CancellationToken ct)
    {
        options.Validate();
        var pixels = image.Pixels;
        if (pixels.Width < 1 || pixels.Height < 1)
            throw new ArgumentException($"The image size {pixels.Width}x{pixels.Height} is empty.", nameof(image));
        if (pixels.Channels is not (3 or 4))
            throw new ArgumentException($"Export pixels have 3 or 4 channels, not {pixels.Channels}.", nameof(image));
        if (image.Metadata.Orientation is < 1 or > 8)
            throw new ArgumentException($"Orientation {image.Metadata.Orientation} is not an EXIF orientation 1..8.", nameof(image));

        var profile = IccProfile.For(image.ColorSpace);
        var encoded = SampleQuantizer.Encode(pixels, options.Bits, vips =>
        {
            using var tagged = vips.Mutate(m => m.Set(GValue.BlobType, IccField, profile));
            return Save(tagged, options);
        }, ct);
        if (options.StripMetadata) return stream => stream.Write(encoded);
        return options.Format switch
        {
            ExportFormat.Jpeg => stream => ExifEmbedding.IntoJpeg(encoded, ExifBlock.Build(image, ExportFormat.Jpeg), stream),
            ExportFormat.Png => stream => ExifEmbedding.IntoPng(encoded, ExifBlock.Build(image, ExportFormat.Png), stream),
            _ => stream => ExifEmbedding.IntoTiff(encoded, image, stream),
        };
    }

    /// <summary>libvips writes the pixels and the ICC profile only; our EXIF goes in afterwards.</summary>
    private static byte[] Save(Image image, ExportOptions options)
    {
        try
        {
            return options.Format switch
            {
                ExportFormat.Jpeg => image.JpegsaveBuffer(q: options.Quality, keep: Enums.ForeignKeep.Icc),
                ExportFormat.Png => image.PngsaveBuffer(bitdepth: options.Bits, keep: Enums.ForeignKeep.Icc),
                _ => image.TiffsaveBuffer(compression: Enums.ForeignTiffCompression.Deflate,
                    predictor: options.Bits == 32 ? Enums.ForeignTiffPredictor.Float : Enums.ForeignTiffPredictor.Horizontal,
                    keep: Enums.ForeignKeep.Icc),
            };
        }
        catch (VipsException e)
        {
            throw new InvalidOperationException($"libvips could not encode the {options.Format.DisplayName()}: {e.Message.Trim()}", e);
        }
    }
}
