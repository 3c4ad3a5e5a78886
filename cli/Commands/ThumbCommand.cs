using System.CommandLine;
using RawEngine.Engine.IO;
using RawEngine.Engine.Raw;

namespace RawEngine.Cli.Commands;

/// <summary><c>rawengine thumb &lt;raw&gt; -o preview.jpg</c>: extracts the embedded preview without developing the raw.</summary>
public static class ThumbCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("raw") { Description = "Raw file with an embedded preview" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the preview (JPEG previews as .jpg, bitmap previews as .ppm)", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing output file" };
        var command = new Command("thumb", "Extract the embedded preview of a raw file") { file, output, overwrite };
        command.SetAction(parsed =>
        {
            var path = parsed.GetValue(file)!;
            var target = parsed.GetValue(output)!;
            try
            {
                var thumbnail = RawDecoder.ExtractThumbnail(path);
                AtomicFile.Write(target, stream => WritePreview(thumbnail, stream), parsed.GetValue(overwrite));
                context.Out.WriteLine($"{target}: {thumbnail.Width}x{thumbnail.Height} {(thumbnail.Format == ThumbnailFormat.Jpeg ? "JPEG" : "PPM")}");
                return ExitCodes.Ok;
            }
            catch (RawDecodeException e)
            {
                context.Fail(e.Message);
                return ExitCodes.ProcessingError;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                context.Fail(e.Message.StartsWith(target, StringComparison.Ordinal) ? e.Message : $"{target}: {e.Message}");
                return ExitCodes.ProcessingError;
            }
        });
        return command;
    }

    /// <summary>JPEG previews are written unchanged; 8-bit RGB bitmaps as binary PPM.</summary>
    private static void WritePreview(RawThumbnail thumbnail, Stream stream)
    {
        if (thumbnail.Format == ThumbnailFormat.Bitmap)
            stream.Write(System.Text.Encoding.ASCII.GetBytes($"P6\n{thumbnail.Width} {thumbnail.Height}\n255\n"));
        stream.Write(thumbnail.Data);
    }
}
