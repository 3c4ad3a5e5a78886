using RawEngine.Engine.Color;
using RawEngine.Engine.Imaging;

namespace RawEngine.Engine.Synthetic;

/// <summary>
/// A scene in linear sRGB (D65) light, RGB interleaved row by row, 1.0 = diffuse white: the exact
/// ground truth a synthetic raw is made from.
/// </summary>
public sealed class LinearScene
{
    public int Width { get; }
    public int Height { get; }
    public float[] Rgb { get; }

    public LinearScene(int width, int height, float[] rgb)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"A scene needs a positive size, not {width}x{height}.");
        if (rgb.Length != width * height * 3)
            throw new ArgumentException($"A {width}x{height} RGB scene needs {width * height * 3} values, got {rgb.Length}.", nameof(rgb));
        Width = width;
        Height = height;
        Rgb = rgb;
    }

    /// <summary>Linearises 8-bit sRGB (IEC 61966-2-1 transfer curve).</summary>
    public static LinearScene FromSrgb8(Srgb8Image image)
    {
        if (image.Rgb.Length != image.Width * image.Height * 3)
            throw new ArgumentException($"A {image.Width}x{image.Height} 8-bit RGB image needs {image.Width * image.Height * 3} bytes, got {image.Rgb.Length}.", nameof(image));
        Span<float> table = stackalloc float[256];
        for (var i = 0; i < 256; i++) table[i] = (float)TransferFunction.Srgb.Decode(i / 255.0);
        var rgb = new float[image.Rgb.Length];
        for (var i = 0; i < rgb.Length; i++) rgb[i] = table[image.Rgb[i]];
        return new LinearScene(image.Width, image.Height, rgb);
    }

    /// <summary>Loads an sRGB image file (e.g. a Kodak PNG) as a linear scene.</summary>
    public static LinearScene LoadSrgb(string path) => FromSrgb8(ImageFile.LoadSrgb8(path));
}
