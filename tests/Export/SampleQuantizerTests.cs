using System.Runtime.InteropServices;
using RawEngine.Engine.Export;

namespace RawEngine.Tests.Export;

public class SampleQuantizerTests
{
    /// <summary>Values around every rounding edge and outside 0..1, in a length that leaves a scalar tail after the vectors.</summary>
    private static float[] Samples()
    {
        var values = new List<float>();
        for (var level = 0; level <= 255; level++)
        {
            var edge = (level + 0.5f) / 255f;
            values.AddRange([level / 255f, edge, MathF.BitDecrement(edge), MathF.BitIncrement(edge)]);
        }
        values.AddRange([-1f, -0f, 1.0001f, 7f, float.PositiveInfinity, float.NegativeInfinity, 0.25f, 0.75f, 1f]);
        var random = new Random(4);
        while (values.Count % 64 != 37) values.Add(random.NextSingle() * 1.2f - 0.1f);
        return values.ToArray();
    }

    [Fact]
    public void Eight_bit_is_clamped_scaled_and_rounded_half_up()
    {
        var source = Samples();
        var output = new byte[source.Length];
        SampleQuantizer.Quantize(source, output);
        for (var i = 0; i < source.Length; i++)
        {
            var exact = Math.Clamp((double)source[i], 0, 1) * 255;
            Assert.True(Math.Abs(output[i] - exact) <= 0.5 + 1e-4, $"sample {i}: {source[i]} -> {output[i]}, exact {exact}");
            Assert.Equal((byte)(Math.Clamp(source[i], 0f, 1f) * 255f + 0.5f), output[i]); // the vector path matches the scalar one
        }
    }

    [Fact]
    public void Sixteen_bit_is_clamped_scaled_and_rounded_half_up()
    {
        var source = Samples();
        var output = new ushort[source.Length];
        SampleQuantizer.Quantize(source, output);
        for (var i = 0; i < source.Length; i++)
        {
            var exact = Math.Clamp((double)source[i], 0, 1) * 65535;
            Assert.True(Math.Abs(output[i] - exact) <= 0.5 + 0.01, $"sample {i}: {source[i]} -> {output[i]}, exact {exact}");
            Assert.Equal((ushort)(Math.Clamp(source[i], 0f, 1f) * 65535f + 0.5f), output[i]);
        }
    }

    [Theory]
    [InlineData(29)]
    [InlineData(64)]
    [InlineData(3)]
    public void Rgba_rows_with_stride_pack_to_rgb(int width)
    {
        var pixels = ExportTestImages.Pixels(width: width, height: 70, channels: 4);
        var bytes = new byte[width * 70 * 3];
        var shorts = new ushort[width * 70 * 3];
        var floats = new float[width * 70 * 3];
        SampleQuantizer.Pack<byte>(pixels, bytes, SampleQuantizer.Quantize, CancellationToken.None);
        SampleQuantizer.Pack<ushort>(pixels, shorts, SampleQuantizer.Quantize, CancellationToken.None);
        SampleQuantizer.Pack<float>(pixels, floats, static (row, output) => row.CopyTo(output), CancellationToken.None);
        for (var y = 0; y < 70; y++)
            for (var x = 0; x < width; x++)
                for (var band = 0; band < 3; band++)
                {
                    var at = (y * width + x) * 3 + band;
                    Assert.Equal(ExportTestImages.Expected(pixels, x, y, band, 8), bytes[at]);
                    Assert.Equal(ExportTestImages.Expected(pixels, x, y, band, 16), shorts[at]);
                    Assert.Equal(ExportTestImages.Expected(pixels, x, y, band, 32), floats[at]);
                }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(32)]
    public void Encoding_streams_the_bands_in_order_and_libvips_sees_every_sample(int bits)
    {
        // Bands of 7 rows against the stream's 16-row strips: strips straddle bands.
        var source = ExportTestImages.Pixels(width: 41, height: 70, channels: 4);
        var pixels = new BandedPixels(source, bandHeight: 7);

        var samples = SampleQuantizer.Encode(pixels, bits, image =>
        {
            Assert.Equal((41, 70, 3), (image.Width, image.Height, image.Bands));
            return bits switch
            {
                8 => image.WriteToMemory<byte>(),
                16 => MemoryMarshal.AsBytes(image.WriteToMemory<ushort>().AsSpan()).ToArray(),
                _ => MemoryMarshal.AsBytes(image.WriteToMemory<float>().AsSpan()).ToArray(),
            };
        }, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 10).Select(band => band * 7), pixels.Opened);
        for (var y = 0; y < 70; y++)
            for (var x = 0; x < 41; x++)
                for (var band = 0; band < 3; band++)
                {
                    var at = (y * 41 + x) * 3 + band;
                    double actual = bits switch
                    {
                        8 => samples[at],
                        16 => BitConverter.ToUInt16(samples, 2 * at),
                        _ => BitConverter.ToSingle(samples, 4 * at),
                    };
                    Assert.Equal(ExportTestImages.Expected(source, x, y, band, bits), actual);
                }
    }

    [Fact]
    public void A_band_that_fails_stops_the_encode_with_its_own_error()
    {
        var pixels = new BandedPixels(ExportTestImages.Pixels(width: 41, height: 70), bandHeight: 7, failingBand: 28);

        var error = Assert.Throws<InvalidDataException>(() => SampleQuantizer.Encode(pixels, 8, image => image.WriteToMemory<byte>(), CancellationToken.None));

        Assert.Equal("band at row 28 failed", error.Message);
    }

    /// <summary>Pixels in bands, as a render hands them out: only the open band's rows may be read.</summary>
    private sealed class BandedPixels(FloatPixels inner, int bandHeight, int failingBand = -1) : IExportPixels
    {
        private int _open = -1;
        public List<int> Opened { get; } = [];
        public int Width => inner.Width;
        public int Height => inner.Height;
        public int Channels => inner.Channels;
        public int BandHeight => bandHeight;

        public IDisposable? OpenBand(int y, int rows, CancellationToken cancellation)
        {
            if (y == failingBand) throw new InvalidDataException($"band at row {y} failed");
            Opened.Add(y);
            _open = y;
            return null;
        }

        public ReadOnlySpan<float> Row(int y)
        {
            Assert.InRange(y, _open, _open + bandHeight - 1);
            return inner.Row(y);
        }
    }
}
