using System.Diagnostics;
using RawEngine.Engine.Color;
using RawEngine.Engine.Export;

namespace RawEngine.Bench;

/// <summary>
/// `bench export [width height]`: a 24 MP float RGBA picture (what the pipe hands over) to an 8-bit sRGB
/// JPEG at quality 90, end to end through <see cref="ImageExporter"/>, split into the float-to-byte packing
/// (against a plain scalar loop; also from RGB without alpha) and libvips' encode of the packed bytes alone.
/// </summary>
internal static class ExportBench
{
    private const int Runs = 5;

    public static int Run(MetricReport report, string[] args)
    {
        var width = args.Length > 0 ? int.Parse(args[0]) : 6000;
        var height = args.Length > 1 ? int.Parse(args[1]) : 4000;
        var pixels = Picture(width, height);
        var image = new ExportImage(pixels, RgbColorSpace.Srgb);
        var options = new ExportOptions { Format = ExportFormat.Jpeg, Quality = 90 };
        Console.Error.WriteLine($"export bench: {width}x{height} ({width * height / 1e6:F1} MP) float RGBA -> JPEG q90, {Environment.ProcessorCount} cores, median of {Runs}");

        var packed = new byte[width * height * 3];
        var scalar = Timing.MedianMilliseconds(() => ScalarPack(pixels, packed), Runs);
        var vector = Timing.MedianMilliseconds(() => SampleQuantizer.Pack<byte>(pixels, packed, SampleQuantizer.Quantize, CancellationToken.None), Runs);
        var rgbPixels = WithoutAlpha(pixels);
        var vectorRgb = Timing.MedianMilliseconds(() => SampleQuantizer.Pack<byte>(rgbPixels, packed, SampleQuantizer.Quantize, CancellationToken.None), Runs);
        using var bytes = NetVips.Image.NewFromMemory(packed, width, height, 3, NetVips.Enums.BandFormat.Uchar);
        var encodeOnly = Timing.MedianMilliseconds(() => bytes.JpegsaveBuffer(q: 90, keep: NetVips.Enums.ForeignKeep.None), Runs);
        long size = 0;
        var total = Timing.MedianMilliseconds(() => size = ImageExporter.ToBytes(image, options).Length, Runs);

        report.Add(new Metric("export_pack_rgba_to_u8", vector, "ms", scalar, "< scalar loop"));
        report.Add(new Metric("export_pack_rgb_to_u8", vectorRgb, "ms", scalar));
        report.Add(new Metric("export_vips_jpeg_encode_q90", encodeOnly, "ms"));
        report.Add(new Metric("export_jpeg_q90_24mp_total", total, "ms", encodeOnly, "pack + encode + EXIF"));
        report.Add(new Metric("export_jpeg_q90_size", size / 1e6, "MB"));
        report.PrintTable();
        return 0;
    }


    /// <summary>The obvious loop, as the baseline the vectorised packing is measured against.</summary>
    private static void ScalarPack(IExportPixels pixels, byte[] output)
    {
        var i = 0;
        for (var y = 0; y < pixels.Height; y++)
        {
            var row = pixels.Row(y);
            for (var x = 0; x < pixels.Width; x++)
                for (var c = 0; c < 3; c++)
                    output[i++] = (byte)Math.Round(Math.Clamp(row[x * 4 + c], 0f, 1f) * 255f, MidpointRounding.AwayFromZero);
        }
    }

    private static FloatPixels WithoutAlpha(IExportPixels rgba)
    {
        var data = new float[rgba.Width * rgba.Height * 3];
        for (var y = 0; y < rgba.Height; y++)
        {
            var row = rgba.Row(y);
            for (var x = 0; x < rgba.Width; x++)
                for (var c = 0; c < 3; c++)
                    data[(y * rgba.Width + x) * 3 + c] = row[x * 4 + c];
        }
        return new FloatPixels(data, rgba.Width, rgba.Height, 3);
    }

    /// <summary>Smooth gradients with fine texture and a little noise, so the JPEG has photo-like work to do.</summary>
    private static FloatPixels Picture(int width, int height)
    {
        var data = new float[width * height * 4];
        Parallel.For(0, height, y =>
        {
            var state = (uint)(y * 2654435761u + 1);
            for (var x = 0; x < width; x++)
            {
                state ^= state << 13; state ^= state >> 17; state ^= state << 5;
                var noise = (state & 0xFFFF) / 65535f * 0.02f - 0.01f;
                var at = (y * width + x) * 4;
                data[at] = (float)x / width + noise;
                data[at + 1] = (float)y / height + noise;
                data[at + 2] = 0.5f + 0.4f * MathF.Sin(x * 0.05f) * MathF.Cos(y * 0.03f) + noise;
                data[at + 3] = 1;
            }
        });
        return new FloatPixels(data, width, height, 4);
    }
}
