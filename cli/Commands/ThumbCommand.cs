using System.CommandLine;
using RawEngine.Engine.Color;
using RawEngine.Engine.Export;
using RawEngine.Engine.IO;
using RawEngine.Engine.Raw;

namespace RawEngine.Cli.Commands;

/// <summary><c>rawengine thumb &lt;raw&gt; -o preview.jpg</c>: extracts the embedded preview without developing the raw.</summary>
public static class ThumbCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("raw") { Description = "Raw file with an embedded preview" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the preview (.jpg, .png or .tif)", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing output file" };
        var command = new Command("thumb", "Extract the embedded preview of a raw file") { file, output, overwrite };
        command.SetAction(parsed =>
        {
            var path = parsed.GetValue(file)!;
            var target = parsed.GetValue(output)!;
            // No extension means JPEG, as for convert; one that names no format is an error, not a JPEG under a wrong name.
            var format = Path.GetExtension(target).Length == 0 ? ExportFormat.Jpeg : ExportFormats.FromPath(target);
            if (format is null)
            {
                context.Fail($"-o {target}: '{Path.GetExtension(target)}' names no format this engine writes (jpg, png, tif)");
                return ExitCodes.UsageError;
            }
            try
            {
                var thumbnail = RawDecoder.ExtractThumbnail(path);
                if (thumbnail.Format == ThumbnailFormat.Jpeg && format == ExportFormat.Jpeg)
                    AtomicFile.Write(target, stream => stream.Write(thumbnail.Data), parsed.GetValue(overwrite));
                else
                    Reencode(thumbnail, target, format.Value, parsed.GetValue(overwrite));
                context.Out.WriteLine($"{target}: {thumbnail.Width}x{thumbnail.Height} preview");
                return ExitCodes.Ok;
            }
            catch (RawDecodeException e)
            {
                context.Fail(e.Message);
                return ExitCodes.ProcessingError;
            }
            catch (Exception e) when (e is OutputExistsException or IOException or UnauthorizedAccessException)
            {
                context.Fail(CliErrors.About(e, target));
                return ExitCodes.ProcessingError;
            }
        });
        return command;
    }

    /// <summary>
    /// A JPEG preview asked for as JPEG is copied byte for byte; anything else (a bitmap preview, or
    /// another output format) is decoded and written through the exporter as 8-bit sRGB.
    /// </summary>
    private static void Reencode(RawThumbnail thumbnail, string target, ExportFormat format, bool overwrite)
    {
        using var decoded = thumbnail.Format == ThumbnailFormat.Jpeg
            ? NetVips.Image.NewFromBuffer(thumbnail.Data)
            : NetVips.Image.NewFromMemory(thumbnail.Data, thumbnail.Width, thumbnail.Height, 3, NetVips.Enums.BandFormat.Uchar);
        using var rgb = decoded.Bands >= 3 ? decoded.ExtractBand(0, 3) : decoded.Bandjoin(decoded, decoded);
        var bytes = rgb.WriteToMemory<byte>();
        var pixels = new float[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) pixels[i] = bytes[i] / 255f;
        var image = new ExportImage(new FloatPixels(pixels, rgb.Width, rgb.Height, 3), RgbColorSpace.Srgb);
        ImageExporter.Write(image, target, new ExportOptions { Format = format, Overwrite = overwrite, StripMetadata = true });
    }
}
