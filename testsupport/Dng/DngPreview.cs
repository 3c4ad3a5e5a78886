using System.Buffers;
using RawEngine.Engine.Color;
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

        // 1 / (white - black) of every cell of the sensor's repeating tile, so the loop only indexes.
        var black = SensorBlack.Of(image);
        var samples = image.SamplesPerPixel;
        var cellScale = new float[black.Values.Length];
        for (var cell = 0; cell < cellScale.Length; cell++) cellScale[cell] = 1 / (image.White - black.Values[cell]);

        var rgbFromCamera = image.XyzToCamera is { } xyzToCamera ? CameraToSrgb(xyzToCamera) : image.RawColorToSrgb;
        var multipliers = image.AsShotMultipliers;
        var encode = new byte[4096];
        for (var i = 0; i < encode.Length; i++) encode[i] = (byte)Math.Round(255 * TransferFunction.Srgb.Encode(i / (double)(encode.Length - 1)));
        var rgb = new byte[width * height * 3];
        Parallel.For(0, height, py =>
        {
            var blacks = black.Values;
            var colors = black.Colors;
            var sums = ArrayPool<double>.Shared.Rent(width * 3);
            var counts = ArrayPool<int>.Shared.Rent(width * 3);
            Array.Clear(sums, 0, width * 3);
            Array.Clear(counts, 0, width * 3);
            for (var y = py * block; y < py * block + block; y++)
            {
                var row = image.Data.AsSpan(((visible.Y + y) * image.SensorWidth + visible.X) * samples, width * block * samples);
                var tileRow = y % black.Height * black.Width;
                var tx = 0;
                for (var px = 0; px < width; px++)
                    for (var x = px * block; x < px * block + block; x++)
                    {
                        for (var s = 0; s < samples; s++)
                        {
                            var cell = (tileRow + tx) * samples + s;
                            var at = px * 3 + colors[cell];
                            sums[at] += (row[x * samples + s] - blacks[cell]) * cellScale[cell];
                            counts[at]++;
                        }
                        if (++tx == black.Width) tx = 0;
                    }
            }
            for (var px = 0; px < width; px++)
            {
                float Balanced(int c) => counts[px * 3 + c] > 0 ? (float)(sums[px * 3 + c] / counts[px * 3 + c]) * multipliers[c] : 0;
                var (r, g, b) = rgbFromCamera.Transform(Balanced(0), Balanced(1), Balanced(2));
                var at = (py * width + px) * 3;
                rgb[at] = encode[(int)Math.Round(Math.Clamp(r, 0, 1) * (encode.Length - 1))];
                rgb[at + 1] = encode[(int)Math.Round(Math.Clamp(g, 0, 1) * (encode.Length - 1))];
                rgb[at + 2] = encode[(int)Math.Round(Math.Clamp(b, 0, 1) * (encode.Length - 1))];
            }
            ArrayPool<double>.Shared.Return(sums);
            ArrayPool<int>.Shared.Return(counts);
        });
        return new PreviewImage(width, height, rgb);
    }

    /// <summary>Inverse of (XYZ-to-camera x sRGB-to-XYZ) with rows normalised to 1; identity when the matrix is missing or singular.</summary>
    private static Matrix3 CameraToSrgb(Matrix3 xyzToCamera)
    {
        var cameraFromSrgb = (xyzToCamera * RgbColorSpace.Srgb.ToXyz).ToArray();
        for (var r = 0; r < 3; r++)
        {
            var sum = cameraFromSrgb[r * 3] + cameraFromSrgb[r * 3 + 1] + cameraFromSrgb[r * 3 + 2];
            if (Math.Abs(sum) < 1e-6f) return Matrix3.Identity;
            for (var c = 0; c < 3; c++) cameraFromSrgb[r * 3 + c] /= sum;
        }
        try { return Matrix3.FromRows(cameraFromSrgb).Inverse(); }
        catch (InvalidOperationException) { return Matrix3.Identity; }
    }
}
