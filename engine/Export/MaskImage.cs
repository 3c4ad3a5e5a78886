using NetVips;
using RawEngine.Engine.IO;

namespace RawEngine.Engine.Export;

/// <summary>
/// A mask as an 8-bit single-channel PNG: coverage 0..1 per pixel becomes 0..255 (255 inside, 0 outside,
/// values between at a soft edge), written atomically like every export.
/// </summary>
public static class MaskImage
{
    /// <exception cref="IOException">The file exists (without <paramref name="overwrite"/>) or the folder is missing or not writable.</exception>
    public static void WritePng(ReadOnlySpan<float> coverage, int width, int height, string path, bool overwrite)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"The mask size {width}x{height} is empty.", nameof(width));
        if (coverage.Length < (long)width * height)
            throw new ArgumentException($"A {width}x{height} mask needs {(long)width * height} values; {coverage.Length} were given.", nameof(coverage));
        var bytes = new byte[width * height];
        SampleQuantizer.Quantize(coverage[..bytes.Length], bytes);
        byte[] encoded;
        try
        {
            using var image = Image.NewFromMemory(bytes, width, height, 1, Enums.BandFormat.Uchar);
            encoded = image.PngsaveBuffer(bitdepth: 8);
        }
        catch (VipsException e)
        {
            throw new InvalidOperationException($"libvips could not encode the mask PNG: {e.Message.Trim()}", e);
        }
        try
        {
            AtomicFile.Write(path, stream => stream.Write(encoded), overwrite);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"{path}: cannot write the mask: permission denied", e);
        }
    }
}
