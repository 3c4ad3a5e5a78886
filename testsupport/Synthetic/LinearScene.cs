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

    /// <summary>The scene seen through a Gaussian optical blur of <paramref name="sigma"/> pixels (to 3 σ; edges repeat).</summary>
    public LinearScene GaussianBlurred(double sigma)
    {
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "A blur needs a positive sigma.");
        var reach = (int)Math.Ceiling(3 * sigma);
        var weights = new double[2 * reach + 1];
        for (var k = -reach; k <= reach; k++) weights[k + reach] = Math.Exp(-k * k / (2 * sigma * sigma));
        var total = weights.Sum();
        for (var k = 0; k < weights.Length; k++) weights[k] /= total;
        var rows = Blur(Rgb, Width, Height, weights, 3, 3 * Width);
        return new LinearScene(Width, Height, Blur(rows, Height, Width, weights, 3 * Width, 3));
    }

    /// <summary>One pass of <paramref name="weights"/> along lines <paramref name="lineStep"/> apart whose pixels are <paramref name="pixelStep"/> apart.</summary>
    private static float[] Blur(float[] source, int length, int lines, double[] weights, int pixelStep, int lineStep)
    {
        var reach = weights.Length / 2;
        var result = new float[source.Length];
        for (var line = 0; line < lines; line++)
            for (var i = 0; i < length; i++)
                for (var c = 0; c < 3; c++)
                {
                    double sum = 0;
                    for (var k = -reach; k <= reach; k++) sum += weights[k + reach] * source[line * lineStep + Math.Clamp(i + k, 0, length - 1) * pixelStep + c];
                    result[line * lineStep + i * pixelStep + c] = (float)sum;
                }
        return result;
    }
}
