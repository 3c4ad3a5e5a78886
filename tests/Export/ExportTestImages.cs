using RawEngine.Engine.Color;
using RawEngine.Engine.Export;
using RawEngine.Engine.Raw;

namespace RawEngine.Tests.Export;

/// <summary>Small pictures and capture metadata shared by the export tests.</summary>
internal static class ExportTestImages
{
    public static CaptureInfo Capture { get; } = new()
    {
        Make = "Canon",
        Model = "Canon EOS 6D",
        LensMake = "Canon",
        Lens = "EF24-105mm f/4L IS USM",
        Iso = 400,
        ExposureTime = 1 / 250f,
        FNumber = 8,
        FocalLength = 50,
        Timestamp = new DateTime(2024, 5, 6, 7, 8, 9),
        Artist = "Jane Doe",
        Copyright = "Copyright Jane Doe",
        Gps = new GpsPosition(48.5, -2.25, 35),
    };

    /// <summary>
    /// Odd-sized RGB(A) floats covering 0..1 smoothly, with a band of out-of-range values (negative, above 1)
    /// in the first row that integer formats must clamp. RGBA rows carry junk after the pixels (stride).
    /// </summary>
    public static FloatPixels Pixels(int width = 37, int height = 23, int channels = 3, bool outOfRange = true)
    {
        var stride = width * channels + (channels == 4 ? 5 : 0);
        var data = new float[stride * height];
        Array.Fill(data, 7f); // junk in the alpha and padding, never written
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var at = y * stride + x * channels;
                data[at] = (float)x / (width - 1);
                data[at + 1] = (float)y / (height - 1);
                data[at + 2] = 0.5f + 0.45f * MathF.Sin(0.37f * x + 0.21f * y);
            }
        if (outOfRange)
            for (var x = 0; x < width; x++)
                data[x * channels] = (x % 3 - 1) * 1.5f; // -1.5, 0, 1.5
        return new FloatPixels(data, width, height, channels, stride);
    }

    public static ExportImage Image(RgbColorSpace? space = null, IExportPixels? pixels = null) =>
        new(pixels ?? Pixels(), space ?? RgbColorSpace.Srgb) { Metadata = new ExportMetadata { Capture = Capture } };

    /// <summary>The RGB sample the exporter should write for a source value at this bit depth (alpha dropped).</summary>
    public static double Expected(IExportPixels pixels, int x, int y, int band, int bits)
    {
        var v = pixels.Row(y)[x * pixels.Channels + band];
        return bits switch
        {
            8 => Math.Floor(Math.Clamp(v, 0f, 1f) * 255f + 0.5f),
            16 => Math.Floor(Math.Clamp(v, 0f, 1f) * 65535f + 0.5f),
            _ => v,
        };
    }
}
