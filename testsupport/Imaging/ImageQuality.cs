using RawEngine.Engine.Color;

namespace RawEngine.Engine.Imaging;

/// <summary>Image fidelity measures as demosaic papers and the project's quality bars use them.</summary>
public static class ImageQuality
{
    /// <summary>
    /// Colour PSNR in dB between two 8-bit RGB images: one MSE over all three channels of the pixels
    /// at least <paramref name="border"/> px from every edge. Identical images give +infinity.
    /// </summary>
    public static double Cpsnr(Srgb8Image reference, Srgb8Image test, int border)
    {
        if (reference.Width != test.Width || reference.Height != test.Height)
            throw new ArgumentException($"Cannot compare a {reference.Width}x{reference.Height} image with a {test.Width}x{test.Height} one.", nameof(test));
        if (2 * border >= reference.Width || 2 * border >= reference.Height)
            throw new ArgumentOutOfRangeException(nameof(border), border, $"A {border} px border leaves nothing of a {reference.Width}x{reference.Height} image.");
        double squares = 0;
        long count = 0;
        for (var y = border; y < reference.Height - border; y++)
        {
            var start = (y * reference.Width + border) * 3;
            var end = (y * reference.Width + reference.Width - border) * 3;
            for (var i = start; i < end; i++)
            {
                double error = reference.Rgb[i] - test.Rgb[i];
                squares += error * error;
            }
            count += end - start;
        }
        return squares == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 * count / squares);
    }

    /// <summary>Encodes linear float RGB(A) pixels (stride in floats, channels 3 or 4) to 8-bit sRGB, clipping to [0, 1].</summary>
    public static Srgb8Image EncodeSrgb8(ReadOnlySpan<float> pixels, int width, int height, int stride, int channels)
    {
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < 3; c++)
                {
                    var linear = Math.Clamp(pixels[y * stride + x * channels + c], 0f, 1f);
                    rgb[(y * width + x) * 3 + c] = (byte)Math.Round(TransferFunction.Srgb.Encode(linear) * 255);
                }
        return new Srgb8Image(width, height, rgb);
    }

    /// <summary>Intersection over union of two binary masks, nonzero inside (1 when both are empty).</summary>
    public static double IoU(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Masks of {a.Length} and {b.Length} pixels cannot be compared.", nameof(b));
        long both = 0, either = 0;
        for (var i = 0; i < a.Length; i++)
        {
            bool x = a[i] != 0, y = b[i] != 0;
            if (x && y) both++;
            if (x || y) either++;
        }
        return either == 0 ? 1.0 : (double)both / either;
    }

    /// <summary>Intersection over union of two coverage masks, inside where at least <paramref name="threshold"/> (1 when both are empty).</summary>
    public static double IoU(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float threshold = 0.5f)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Masks of {a.Length} and {b.Length} pixels cannot be compared.", nameof(b));
        long both = 0, either = 0;
        for (var i = 0; i < a.Length; i++)
        {
            bool x = a[i] >= threshold, y = b[i] >= threshold;
            if (x && y) both++;
            if (x || y) either++;
        }
        return either == 0 ? 1.0 : (double)both / either;
    }
}
