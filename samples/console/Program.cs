using RawEngine;
using RawEngine.Engine.Edits;

// dotnet run -- photo.dng out/  (writes out/photo.jpg)
var (input, output) = (args[0], Path.Combine(args[1], Path.GetFileNameWithoutExtension(args[0]) + ".jpg"));

using var processor = new RawProcessor();
using var photo = await processor.OpenAsync(input);
var edit = photo.LoadEdit();  // photo.dng.rawengine.json when there is one, else the default look

var preview = await photo.RenderPreviewAsync(edit, 1024, 1024);  // 8-bit sRGB, bytes B, G, R, A
Console.WriteLine($"preview: {preview.Width}x{preview.Height}");

var progress = new ConsoleProgress();
var settings = new ExportSettings { Quality = 92, Overwrite = true };
await photo.ExportAsync(edit.WithExposure(+1), output, settings, progress);  // +1 EV over the default look
Console.WriteLine($"{output}: {new FileInfo(output).Length} bytes");

using var cancel = new CancellationTokenSource();
var export = photo.ExportAsync(edit, output + ".cancelled.jpg", settings, cancellation: cancel.Token);
cancel.Cancel();
try { await export; }
catch (OperationCanceledException) { Console.WriteLine($"cancelled: {File.Exists(output + ".cancelled.jpg")}"); }

/// <summary>Prints each report where it is made, in order (a UI would pass a Progress&lt;T&gt; made on its UI thread).</summary>
sealed class ConsoleProgress : IProgress<RenderProgress>
{
    public void Report(RenderProgress value) => Console.WriteLine($"{value.Fraction,4:P0} {value.Stage}");
}
