using RawEngine.Engine.Buffers;
using RawEngine.Engine.Color;

namespace RawEngine;

/// <summary>
/// A preview a user interface can draw as it is: 8-bit sRGB, four bytes a pixel in the order B, G, R, A (alpha
/// always 255), rows top to bottom with no padding (<see cref="Stride"/> = 4 x <see cref="Width"/>). That is
/// <c>Bgra8888</c> in Avalonia and SkiaSharp, <c>PixelFormats.Bgra32</c> in WPF, and 0xAARRGGBB read as a
/// little-endian uint.
/// </summary>
public sealed class PreviewImage
{
    internal PreviewImage(int width, int height, byte[] bgra)
    {
        Width = width;
        Height = height;
        Bgra = bgra;
    }

    /// <summary>Pixels across.</summary>
    public int Width { get; }

    /// <summary>Pixels down.</summary>
    public int Height { get; }

    /// <summary>Bytes from one row's start to the next: 4 x <see cref="Width"/>.</summary>
    public int Stride => 4 * Width;

    /// <summary>B, G, R, A bytes of each pixel, row after row.</summary>
    public byte[] Bgra { get; }

    /// <summary>Encodes a display-referred RGBA float buffer (values 0..1, clamped) as BGRA bytes, rows in parallel.</summary>
    internal static PreviewImage From(ImageBuffer rgba)
    {
        int width = rgba.Width, height = rgba.Height;
        var bytes = new byte[4 * width * height];
        Parallel.For(0, height, y =>
        {
            var source = rgba.Row(y);
            var target = bytes.AsSpan(4 * width * y, 4 * width);
            for (var i = 0; i < target.Length; i += 4)
            {
                target[i] = ToByte(source[i + 2]);
                target[i + 1] = ToByte(source[i + 1]);
                target[i + 2] = ToByte(source[i]);
                target[i + 3] = 255;
            }
        });
        return new PreviewImage(width, height, bytes);
    }

    /// <summary>Rounds 0..1 to 0..255; NaN becomes 0.</summary>
    private static byte ToByte(float value) => (byte)(Math.Clamp(float.IsNaN(value) ? 0f : value, 0f, 1f) * 255f + 0.5f);
}

/// <summary>
/// A render as floats: R, G, B, A per pixel (alpha 1), rows top to bottom with no padding, encoded in
/// <see cref="ColorSpace"/> (the edit's output space, its transfer curve applied; values 0..1, or above 1 in a linear space;
/// camera RGB, with no colour space, when the edit turns the input profile off).
/// </summary>
public sealed class FloatImage
{
    internal FloatImage(int width, int height, float[] rgba, RgbColorSpace? colorSpace)
    {
        Width = width;
        Height = height;
        Rgba = rgba;
        ColorSpace = colorSpace;
    }

    /// <summary>Pixels across.</summary>
    public int Width { get; }

    /// <summary>Pixels down.</summary>
    public int Height { get; }

    /// <summary>4 x <see cref="Width"/> x <see cref="Height"/> floats.</summary>
    public float[] Rgba { get; }

    /// <summary>The RGB space of the values; null for camera RGB.</summary>
    public RgbColorSpace? ColorSpace { get; }

    internal static FloatImage From(ImageBuffer rgba, RgbColorSpace? colorSpace)
    {
        var pixels = new float[4 * rgba.Width * rgba.Height];
        for (var y = 0; y < rgba.Height; y++) rgba.Row(y)[..(4 * rgba.Width)].CopyTo(pixels.AsSpan(4 * rgba.Width * y));
        return new FloatImage(rgba.Width, rgba.Height, pixels, colorSpace);
    }
}
