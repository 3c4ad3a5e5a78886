namespace RawEngine.Tests.Conformance;

/// <summary>
/// An RGB picture as stored in a file, each sample scaled to [0, 1] (65535 = 1 for 16-bit), no colour
/// conversion applied: the conformance measures compare encoded values exactly as the developers wrote them.
/// </summary>
public sealed record RgbImage(int Width, int Height, float[] Rgb, int Orientation)
{
    public float this[int x, int y, int c] => Rgb[(y * Width + x) * 3 + c];

    /// <summary>
    /// Loads an 8-bit, 16-bit or float TIFF/PNG through libvips at full precision (the engine's
    /// <c>ImageFile.LoadSrgb8</c> reduces to 8 bits, too coarse for linear-light statistics in the shadows).
    /// </summary>
    public static RgbImage Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such image file.", path);
        using var loaded = NetVips.Image.NewFromFile(path);
        if (loaded.Bands < 3)
            throw new InvalidDataException($"{path}: {loaded.Bands} band(s); the conformance measures need RGB.");
        // The TIFF Orientation tag, when the writer set one: reported, never applied, so a mismatch shows.
        var orientation = loaded.GetTypeOf("orientation") != 0 ? (int)loaded.Get("orientation") : 1;
        using var rgb = loaded.Bands > 3 ? loaded.ExtractBand(0, 3) : loaded.Copy();
        var width = rgb.Width;
        var height = rgb.Height;
        var samples = new float[width * height * 3];
        switch (rgb.Format)
        {
            case NetVips.Enums.BandFormat.Ushort:
                Scale(rgb.WriteToMemory<ushort>(), samples, static v => v / 65535f);
                break;
            case NetVips.Enums.BandFormat.Uchar:
                Scale(rgb.WriteToMemory<byte>(), samples, static v => v / 255f);
                break;
            case NetVips.Enums.BandFormat.Float:
                rgb.WriteToMemory<float>().CopyTo(samples, 0);
                break;
            default:
                throw new InvalidDataException($"{path}: samples of type {rgb.Format} are not read by the conformance measures.");
        }
        return new RgbImage(width, height, samples, orientation);
    }

    private static void Scale<T>(T[] source, float[] target, Func<T, float> scale)
    {
        for (var i = 0; i < source.Length; i++) target[i] = scale(source[i]);
    }
}
