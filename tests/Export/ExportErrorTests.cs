using RawEngine.Engine;
using RawEngine.Engine.Export;
using RawEngine.Engine.IO;
using RawEngine.Tests.Support;
using static RawEngine.Tests.Export.ExportTestImages;

namespace RawEngine.Tests.Export;

/// <summary>Bad options and bad destinations: a clear error, and nothing left behind or overwritten.</summary>
public class ExportErrorTests
{
    [Theory]
    [InlineData(ExportFormat.Jpeg, 32)]
    [InlineData(ExportFormat.Jpeg, 16)]
    [InlineData(ExportFormat.Png, 32)]
    [InlineData(ExportFormat.Tiff, 12)]
    public void Bit_depth_the_format_cannot_hold_is_an_error_naming_both(ExportFormat format, int bits)
    {
        using var folder = new TempFolder();
        var path = folder.File("out" + format.Extension());
        var error = Assert.Throws<ArgumentException>(() => ImageExporter.Write(Image(), path, new ExportOptions { Format = format, Bits = bits }));
        Assert.Contains(format.DisplayName(), error.Message);
        Assert.Contains($"bits {bits}", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void Jpeg_quality_outside_1_to_100_is_an_error(int quality)
    {
        var error = Assert.Throws<ArgumentException>(() => ImageExporter.ToBytes(Image(), new ExportOptions { Quality = quality }));
        Assert.Contains($"quality {quality}", error.Message);
    }

    [Fact]
    public void Existing_file_is_left_untouched_without_overwrite()
    {
        using var folder = new TempFolder();
        var path = folder.File("out.jpg");
        File.WriteAllText(path, "keep me");
        var error = Assert.Throws<OutputExistsException>(() => ImageExporter.Write(Image(), path, new ExportOptions()));
        Assert.Equal((ErrorSubjectKind.File, path, "already exists"), (error.SubjectKind, error.Subject, error.Reason));
        Assert.Equal($"{path}: already exists", error.Message); // no front end's advice: the CLI adds its own
        Assert.Equal("keep me", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void Existing_file_is_replaced_with_overwrite()
    {
        using var folder = new TempFolder();
        var path = folder.File("out.png");
        File.WriteAllText(path, "old");
        var options = new ExportOptions { Format = ExportFormat.Png, Overwrite = true };
        ImageExporter.Write(Image(), path, options);
        Assert.Equal(ImageExporter.ToBytes(Image(), options), File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void Missing_folder_is_an_error_naming_it()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "no-such-folder", "out.jpg");
        var error = Assert.Throws<IOException>(() => ImageExporter.Write(Image(), path, new ExportOptions()));
        Assert.Contains("no-such-folder", error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Unwritable_folder_is_an_error_and_leaves_nothing()
    {
        // Root ignores permission bits, so as root use a folder the kernel keeps read-only (sysfs).
        using var folder = new TempFolder();
        var target = folder.Path;
        if (Environment.IsPrivilegedProcess)
            target = "/sys";
        else
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var before = Directory.GetFileSystemEntries(target);
            var path = Path.Combine(target, "rawengine-export-test.jpg");
            var error = Assert.Throws<IOException>(() => ImageExporter.Write(Image(), path, new ExportOptions()));
            Assert.Contains(path, error.Message);
            Assert.Contains("permission denied", error.Message);
            Assert.Equal(before, Directory.GetFileSystemEntries(target));
        }
        finally
        {
            if (!Environment.IsPrivilegedProcess) File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void Failure_while_writing_leaves_no_partial_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("out.tif");
        var pixels = new ThrowingPixels(Pixels(), failAtRow: 17);
        var error = Assert.Throws<InvalidDataException>(() => ImageExporter.Write(Image(pixels: pixels), path, new ExportOptions { Format = ExportFormat.Tiff }));
        Assert.Equal("row 17 failed", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void Cancellation_stops_the_export()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ImageExporter.ToBytes(Image(), new ExportOptions(), cancelled.Token));
    }

    [Fact]
    public void Orientation_outside_1_to_8_is_an_error()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageExporter.ToBytes(Image() with { Metadata = new ExportMetadata { Orientation = 9 } }, new ExportOptions()));
        Assert.Contains("Orientation 9", error.Message);
    }

    [Theory]
    [InlineData("jpg", ExportFormat.Jpeg)]
    [InlineData("JPEG", ExportFormat.Jpeg)]
    [InlineData("png", ExportFormat.Png)]
    [InlineData("tif", ExportFormat.Tiff)]
    [InlineData("tiff", ExportFormat.Tiff)]
    public void Format_names_parse(string name, ExportFormat expected)
    {
        Assert.Equal(expected, ExportFormats.Parse(name));
        Assert.Equal(expected, ExportFormats.FromPath("picture." + name));
    }

    [Fact]
    public void Unknown_format_is_an_error_naming_it()
    {
        Assert.Contains("'webp'", Assert.Throws<ArgumentException>(() => ExportFormats.Parse("webp")).Message);
        Assert.Null(ExportFormats.FromPath("picture.webp"));
    }

    /// <summary>Pixels whose source fails part-way, as a broken pipe would.</summary>
    private sealed class ThrowingPixels(IExportPixels inner, int failAtRow) : IExportPixels
    {
        public int Width => inner.Width;
        public int Height => inner.Height;
        public int Channels => inner.Channels;

        public ReadOnlySpan<float> Row(int y) => y == failAtRow ? throw new InvalidDataException($"row {y} failed") : inner.Row(y);
    }
}
