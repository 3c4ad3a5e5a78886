using BitMiracle.LibTiff.Classic;
using LibTiff = BitMiracle.LibTiff.Classic.Tiff;
using RawEngine.Engine.Color;
using RawEngine.Engine.Export;
using GpsTags = RawEngine.Engine.Tiff.GpsTags;
using RawEngine.Tests.Support;
using static RawEngine.Tests.Export.ExportTestImages;
using VipsImage = NetVips.Image;

namespace RawEngine.Tests.Export;

/// <summary>Every format and bit depth, written and read back: pixels, ICC profile and EXIF.</summary>
public class ExportRoundTripTests
{
    public static TheoryData<ExportFormat, int> Formats => new()
    {
        { ExportFormat.Jpeg, 8 },
        { ExportFormat.Png, 8 },
        { ExportFormat.Png, 16 },
        { ExportFormat.Tiff, 8 },
        { ExportFormat.Tiff, 16 },
        { ExportFormat.Tiff, 32 },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Pixels_and_profile_read_back(ExportFormat format, int bits)
    {
        foreach (var channels in new[] { 3, 4 })
        {
            // JPEG is lossy: judge it on the smooth picture, without the clamping row's hard edges.
            var pixels = Pixels(channels: channels, outOfRange: format != ExportFormat.Jpeg);
            var space = RgbColorSpace.AdobeRgb;
            var bytes = ImageExporter.ToBytes(Image(space, pixels), new ExportOptions { Format = format, Bits = bits, Quality = 95 });

            using var loaded = VipsImage.NewFromBuffer(bytes);
            Assert.Equal((pixels.Width, pixels.Height, 3), (loaded.Width, loaded.Height, loaded.Bands));
            Assert.Equal(bits switch { 8 => NetVips.Enums.BandFormat.Uchar, 16 => NetVips.Enums.BandFormat.Ushort, _ => NetVips.Enums.BandFormat.Float }, loaded.Format);
            Assert.Equal(IccProfile.For(space), (byte[])loaded.Get("icc-profile-data"));

            var actual = loaded.Cast(NetVips.Enums.BandFormat.Double).WriteToMemory<double>();
            double worst = 0, total = 0;
            for (var y = 0; y < pixels.Height; y++)
                for (var x = 0; x < pixels.Width; x++)
                    for (var band = 0; band < 3; band++)
                    {
                        var error = Math.Abs(actual[(y * pixels.Width + x) * 3 + band] - Expected(pixels, x, y, band, bits));
                        worst = Math.Max(worst, error);
                        total += error;
                    }
            if (format == ExportFormat.Jpeg)
            {
                Assert.True(total / actual.Length < 2.0, $"JPEG mean error {total / actual.Length:F2} levels");
                Assert.True(worst <= 12, $"JPEG worst error {worst} levels");
            }
            else
                Assert.Equal(0, worst); // lossless: exactly the rounded (or float) source
        }
    }

    [Theory]
    [InlineData(ExportFormat.Jpeg)]
    [InlineData(ExportFormat.Png)]
    public void Exif_fields_read_back_through_libvips(ExportFormat format)
    {
        var bytes = ImageExporter.ToBytes(Image() with { Metadata = new ExportMetadata { Capture = Capture, Orientation = 1 } },
            new ExportOptions { Format = format });
        using var loaded = VipsImage.NewFromBuffer(bytes);
        string Field(string name) => loaded.GetTypeOf(name) != IntPtr.Zero ? (string)loaded.Get(name) : $"<{name} missing>";

        Assert.StartsWith("Canon (", Field("exif-ifd0-Make"));
        Assert.StartsWith("Canon EOS 6D (", Field("exif-ifd0-Model"));
        Assert.StartsWith("1 (", Field("exif-ifd0-Orientation"));
        Assert.StartsWith("Jane Doe (", Field("exif-ifd0-Artist"));
        Assert.StartsWith("Copyright Jane Doe ", Field("exif-ifd0-Copyright")); // libexif shows "photographer (editor)"
        Assert.StartsWith("2024:05:06 07:08:09 (", Field("exif-ifd0-DateTime"));
        Assert.StartsWith("1/250 (", Field("exif-ifd2-ExposureTime"));
        Assert.StartsWith("8/1 (", Field("exif-ifd2-FNumber"));
        Assert.StartsWith("400 (", Field("exif-ifd2-ISOSpeedRatings"));
        Assert.StartsWith("50/1 (", Field("exif-ifd2-FocalLength"));
        Assert.StartsWith("2024:05:06 07:08:09 (", Field("exif-ifd2-DateTimeOriginal"));
        Assert.StartsWith("Canon (", Field("exif-ifd2-LensMake"));
        Assert.StartsWith("EF24-105mm f/4L IS USM (", Field("exif-ifd2-LensModel"));
        Assert.StartsWith("1 (", Field("exif-ifd2-ColorSpace")); // sRGB
        Assert.StartsWith("37 (", Field("exif-ifd2-PixelXDimension"));
        Assert.StartsWith("N (", Field("exif-ifd3-GPSLatitudeRef"));
        Assert.StartsWith("48/1 30/1 0/1 (", Field("exif-ifd3-GPSLatitude"));
        Assert.StartsWith("W (", Field("exif-ifd3-GPSLongitudeRef"));
        Assert.StartsWith("2/1 15/1 0/1 (", Field("exif-ifd3-GPSLongitude"));
        Assert.StartsWith("35/1 (", Field("exif-ifd3-GPSAltitude"));
        Assert.Equal(1, (int)loaded.Get("orientation"));
    }

    [Fact]
    public void Orientation_other_than_1_is_written()
    {
        var bytes = ImageExporter.ToBytes(Image() with { Metadata = new ExportMetadata { Capture = Capture, Orientation = 6 } }, new ExportOptions());
        using var loaded = VipsImage.NewFromBuffer(bytes);
        Assert.Equal(6, (int)loaded.Get("orientation"));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Tiff_tags_read_back_through_libtiff(int bits)
    {
        var space = RgbColorSpace.ProPhoto;
        var bytes = ImageExporter.ToBytes(Image(space), new ExportOptions { Format = ExportFormat.Tiff, Bits = bits });
        using var tiff = LibTiff.ClientOpen("export.tif", "r", new MemoryStream(bytes), new TiffStream())!;

        Assert.Equal(37, tiff.GetField(TiffTag.IMAGEWIDTH)[0].ToInt());
        Assert.Equal(23, tiff.GetField(TiffTag.IMAGELENGTH)[0].ToInt());
        Assert.Equal(3, tiff.GetField(TiffTag.SAMPLESPERPIXEL)[0].ToInt());
        Assert.Equal(bits, tiff.GetField(TiffTag.BITSPERSAMPLE)[0].ToInt());
        Assert.Equal(bits == 32 ? SampleFormat.IEEEFP : SampleFormat.UINT, (SampleFormat)tiff.GetFieldDefaulted(TiffTag.SAMPLEFORMAT)[0].ToInt());
        Assert.Equal(Compression.ADOBE_DEFLATE, (Compression)tiff.GetField(TiffTag.COMPRESSION)[0].ToInt());
        Assert.Equal(IccProfile.For(space), tiff.GetField(TiffTag.ICCPROFILE)[1].GetBytes());
        Assert.Equal("Canon", tiff.GetField(TiffTag.MAKE)[0].ToString());
        Assert.Equal("Canon EOS 6D", tiff.GetField(TiffTag.MODEL)[0].ToString());
        Assert.Equal("Jane Doe", tiff.GetField(TiffTag.ARTIST)[0].ToString());
        Assert.Equal("Copyright Jane Doe", tiff.GetField(TiffTag.COPYRIGHT)[0].ToString());
        Assert.Equal("2024:05:06 07:08:09", tiff.GetField(TiffTag.DATETIME)[0].ToString());
        Assert.Equal(1, tiff.GetField(TiffTag.ORIENTATION)[0].ToInt());
        var gpsOffset = tiff.GetField(TiffTag.GPSIFD)[0].ToLong();

        Assert.True(tiff.ReadEXIFDirectory(tiff.GetField(TiffTag.EXIFIFD)[0].ToLong()));
        Assert.Equal(1 / 250f, tiff.GetField(TiffTag.EXIF_EXPOSURETIME)[0].ToFloat(), 6);
        Assert.Equal(8f, tiff.GetField(TiffTag.EXIF_FNUMBER)[0].ToFloat());
        Assert.Equal(400, tiff.GetField(TiffTag.EXIF_ISOSPEEDRATINGS)[1].ToShortArray()[0]);
        Assert.Equal(50f, tiff.GetField(TiffTag.EXIF_FOCALLENGTH)[0].ToFloat());
        Assert.Equal("2024:05:06 07:08:09", tiff.GetField(TiffTag.EXIF_DATETIMEORIGINAL)[0].ToString());
        Assert.Equal(0xFFFF, tiff.GetField(TiffTag.EXIF_COLORSPACE)[0].ToUShort()); // not sRGB: the ICC profile says what

        // The GPS IFD through the EXIF reader: LibTiff.NET registers its unknown tags as anonymous fields.
        Assert.True(tiff.ReadEXIFDirectory(gpsOffset));
        Assert.Equal("N", tiff.GetField((TiffTag)GpsTags.LatitudeRef)[1].ToString()!.TrimEnd((char)0));
        Assert.Equal("W", tiff.GetField((TiffTag)GpsTags.LongitudeRef)[1].ToString()!.TrimEnd((char)0));
        Assert.Equal([48f, 30f, 0f], tiff.GetField((TiffTag)GpsTags.Latitude)[1].ToFloatArray());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Strip_metadata_keeps_only_the_profile(ExportFormat format, int bits)
    {
        var bytes = ImageExporter.ToBytes(Image(RgbColorSpace.DisplayP3), new ExportOptions { Format = format, Bits = bits, StripMetadata = true });
        using var loaded = VipsImage.NewFromBuffer(bytes);
        Assert.Equal(IccProfile.For(RgbColorSpace.DisplayP3), (byte[])loaded.Get("icc-profile-data"));
        Assert.DoesNotContain(loaded.GetFields(), name => name.StartsWith("exif-", StringComparison.Ordinal));
        Assert.DoesNotContain(loaded.GetFields(), name => name is "xmp-data" or "iptc-data");
        Assert.Equal(-1, IndexOf(bytes, "Canon"u8));
        if (format == ExportFormat.Tiff)
        {
            using var tiff = LibTiff.ClientOpen("export.tif", "r", new MemoryStream(bytes), new TiffStream())!;
            Assert.Null(tiff.GetField(TiffTag.EXIFIFD));
            Assert.Null(tiff.GetField(TiffTag.MAKE));
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void File_and_stream_get_the_same_bytes(ExportFormat format, int bits)
    {
        using var folder = new TempFolder();
        var options = new ExportOptions { Format = format, Bits = bits };
        var path = folder.File("out" + format.Extension());
        ImageExporter.Write(Image(), path, options);
        using var stream = new MemoryStream();
        ImageExporter.Write(Image(), stream, options);
        Assert.Equal(stream.ToArray(), File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Pipe_image_buffer_view_exports_as_is()
    {
        var pool = new RawEngine.Engine.Buffers.BufferPool();
        using var buffer = RawEngine.Engine.Buffers.ImageBuffer.Rent(pool, 40, 30, 4);
        for (var y = 0; y < 30; y++)
            for (var x = 0; x < 40; x++)
                for (var c = 0; c < 4; c++)
                    buffer.At(x, y, c) = (x * 7 + y * 13 + c * 29) % 101 / 100f;
        using var view = buffer.View(3, 2, 31, 25); // offset and stride differ from a packed image
        var bytes = ImageExporter.ToBytes(new ExportImage(FloatPixels.Of(view), RgbColorSpace.Srgb), new ExportOptions { Format = ExportFormat.Png, Bits = 16 });
        using var loaded = VipsImage.NewFromBuffer(bytes);
        var actual = loaded.WriteToMemory<ushort>();
        Assert.Equal((31, 25), (loaded.Width, loaded.Height));
        for (var y = 0; y < 25; y++)
            for (var x = 0; x < 31; x++)
                for (var c = 0; c < 3; c++)
                    Assert.Equal((ushort)(view.At(x, y, c) * 65535f + 0.5f), actual[(y * 31 + x) * 3 + c]);
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
