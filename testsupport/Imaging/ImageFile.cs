namespace RawEngine.Engine.Imaging;

/// <summary>An 8-bit sRGB picture, RGB interleaved, row by row.</summary>
public sealed record Srgb8Image(int Width, int Height, byte[] Rgb);

/// <summary>Reads ordinary (non-raw) image files through libvips.</summary>
public static class ImageFile
{
    /// <summary>
    /// Loads PNG, JPEG, TIFF, ... as 8-bit sRGB: greyscale is expanded to RGB, alpha is flattened onto
    /// black, 16-bit input is reduced to 8 bits.
    /// </summary>
    public static Srgb8Image LoadSrgb8(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such image file.", path);
        try
        {
            using var loaded = NetVips.Image.NewFromFile(path, access: NetVips.Enums.Access.Sequential);
            using var opaque = loaded.HasAlpha() ? loaded.Flatten() : loaded.Copy();
            using var srgb = opaque.Colourspace(NetVips.Enums.Interpretation.Srgb);
            using var rgb = srgb.Bands > 3 ? srgb.ExtractBand(0, 3) : srgb.Copy();
            using var bytes = rgb.Cast(NetVips.Enums.BandFormat.Uchar);
            if (bytes.Bands != 3)
                throw new InvalidDataException($"{path}: expected 3 colour bands after conversion to sRGB, got {bytes.Bands}.");
            return new Srgb8Image(bytes.Width, bytes.Height, bytes.WriteToMemory<byte>());
        }
        catch (NetVips.VipsException e)
        {
            throw new InvalidDataException($"{path}: cannot read the image: {e.Message.Trim()}", e);
        }
    }
}
