using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Dng;

/// <summary>An 8-bit sRGB picture, RGB interleaved.</summary>
internal sealed record PreviewImage(int Width, int Height, byte[] Rgb);

/// <summary>
/// A small sRGB rendering of a raw for the DNG's IFD0 preview: each block of whole CFA periods is averaged
/// per colour (a box demosaic), black-subtracted, white-balanced with the as-shot multipliers and taken
/// to sRGB through the camera matrix normalised so that camera white stays white (dcraw's rgb_cam).
/// </summary>
internal static class DngPreview
{
    public static PreviewImage Render(RawImage image, int longSide)
    {
        var visible = image.Visible;
        var period = image.Cfa?.Width ?? 1;
        var block = Math.Max(1, (int)Math.Ceiling(Math.Max(visible.Width, visible.Height) / (double)longSide));
        block = (block + period - 1) / period * period;
        var width = Math.Max(1, visible.Width / block);
        var height = Math.Max(1, visible.Height / block);
        block = Math.Min(block, Math.Min(visible.Width, visible.Height));

        var black = SensorBlack.Of(image);
        var rgbFromCamera = CameraToSrgb(image.XyzToCamera);
        var multipliers = image.AsShotMultipliers;
        var encode = new byte[4096];
        for (var i = 0; i < encode.Length; i++) encode[i] = (byte)Math.Round(255 * SrgbEncode(i / (double)(encode.Length - 1)));
        var rgb = new byte[width * height * 3];
        Parallel.For(0, height, py =>
        {
            Span<double> sums = stackalloc double[3];
            Span<int> counts = stackalloc int[3];
            Span<double> camera = stackalloc double[3];
            for (var px = 0; px < width; px++)
            {
                sums.Clear();
                counts.Clear();
                for (var y = py * block; y < py * block + block; y++)
                    for (var x = px * block; x < px * block + block; x++)
                        for (var s = 0; s < image.SamplesPerPixel; s++)
                        {
                            var color = image.Cfa?.ColorAt(y, x) ?? s;
                            var level = black.At(y, x, s);
                            sums[color] += (image.VisibleSample(y, x, s) - level) / (image.White - level);
                            counts[color]++;
                        }
                for (var c = 0; c < 3; c++) camera[c] = counts[c] > 0 ? sums[c] / counts[c] * multipliers[c] : 0;
                for (var c = 0; c < 3; c++)
                {
                    var value = rgbFromCamera[c * 3] * camera[0] + rgbFromCamera[c * 3 + 1] * camera[1] + rgbFromCamera[c * 3 + 2] * camera[2];
                    rgb[(py * width + px) * 3 + c] = encode[(int)Math.Round(Math.Clamp(value, 0, 1) * (encode.Length - 1))];
                }
            }
        });
        return new PreviewImage(width, height, rgb);
    }

    /// <summary>Inverse of (XYZ-to-camera x sRGB-to-XYZ) with rows normalised to 1; identity when the matrix is missing or singular.</summary>
    private static double[] CameraToSrgb(Matrix3 xyzToCamera)
    {
        double[] srgbToXyz = [0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.0721750, 0.0193339, 0.1191920, 0.9503041];
        var m = xyzToCamera.ToArray();
        var cameraFromSrgb = new double[9];
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++)
                cameraFromSrgb[r * 3 + c] = m[r * 3] * srgbToXyz[c] + m[r * 3 + 1] * srgbToXyz[3 + c] + m[r * 3 + 2] * srgbToXyz[6 + c];
            var sum = cameraFromSrgb[r * 3] + cameraFromSrgb[r * 3 + 1] + cameraFromSrgb[r * 3 + 2];
            if (Math.Abs(sum) < 1e-9) return Identity;
            for (var c = 0; c < 3; c++) cameraFromSrgb[r * 3 + c] /= sum;
        }
        return Invert(cameraFromSrgb) ?? Identity;
    }

    private static readonly double[] Identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];

    private static double[]? Invert(double[] a)
    {
        var det = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
        if (Math.Abs(det) < 1e-12) return null;
        return
        [
            (a[4] * a[8] - a[5] * a[7]) / det, (a[2] * a[7] - a[1] * a[8]) / det, (a[1] * a[5] - a[2] * a[4]) / det,
            (a[5] * a[6] - a[3] * a[8]) / det, (a[0] * a[8] - a[2] * a[6]) / det, (a[2] * a[3] - a[0] * a[5]) / det,
            (a[3] * a[7] - a[4] * a[6]) / det, (a[1] * a[6] - a[0] * a[7]) / det, (a[0] * a[4] - a[1] * a[3]) / det,
        ];
    }

    private static double SrgbEncode(double linear) =>
        linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.Pow(linear, 1 / 2.4) - 0.055;
}
