using System.Buffers.Binary;
using System.IO.Hashing;
using RawEngine.Engine.Tiff;

namespace RawEngine.Engine.Export;

/// <summary>
/// Puts our EXIF into a file libvips encoded without any. We insert it ourselves rather than hand libvips an
/// "exif-data" blob: libvips rebuilds that blob through libexif on save and drops every tag that is not also
/// set as an image field (and transliterates text to ASCII), while these few container edits keep the exact
/// bytes we wrote. Each method writes the new file to a stream: the encoder's bytes around the inserted block,
/// without a second whole-file copy.
/// </summary>
internal static class ExifEmbedding
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>An APP1 "Exif\0\0" segment right after SOI (after a JFIF APP0, which must come first).</summary>
    public static void IntoJpeg(byte[] jpeg, byte[] exif, Stream output)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
            throw new InvalidDataException("The JPEG encoder's output does not start with SOI.");
        var segmentLength = 2 + 6 + exif.Length;
        if (segmentLength > ushort.MaxValue)
            throw new InvalidOperationException($"The EXIF block is {exif.Length} bytes; a JPEG APP1 segment holds at most {ushort.MaxValue - 8}.");
        var at = 2;
        if (jpeg[at] == 0xFF && jpeg[at + 1] == 0xE0) at += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(at + 2));

        Span<byte> header = stackalloc byte[10];
        header[0] = 0xFF;
        header[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)segmentLength);
        "Exif\0\0"u8.CopyTo(header[4..]);
        output.Write(jpeg, 0, at);
        output.Write(header);
        output.Write(exif);
        output.Write(jpeg, at, jpeg.Length - at);
    }

    /// <summary>An eXIf chunk (PNG 1.5 extension) before the first IDAT.</summary>
    public static void IntoPng(byte[] png, byte[] exif, Stream output)
    {
        if (png.Length < PngSignature.Length || !png.AsSpan(0, PngSignature.Length).SequenceEqual(PngSignature))
            throw new InvalidDataException("The PNG encoder's output does not start with the PNG signature.");
        var at = PngSignature.Length;
        while (true)
        {
            if (at + 8 > png.Length) throw new InvalidDataException("The PNG encoder's output has no IDAT chunk.");
            if (png.AsSpan(at + 4, 4).SequenceEqual("IDAT"u8)) break;
            at += 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
        }

        var chunk = new byte[12 + exif.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)exif.Length);
        "eXIf"u8.CopyTo(chunk.AsSpan(4));
        exif.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + exif.Length), Crc32.HashToUInt32(chunk.AsSpan(4, 4 + exif.Length)));
        output.Write(png, 0, at);
        output.Write(chunk);
        output.Write(png, at, png.Length - at);
    }

    /// <summary>
    /// TIFF keeps EXIF in its own IFD0: a copy of the encoder's IFD0 with our tags and the EXIF/GPS pointers
    /// is appended together with those sub-IFDs, and the header is pointed at it. The encoder's directory
    /// stays in the file unreferenced (a few hundred bytes); its out-of-line values are still where the
    /// copied entries point.
    /// </summary>
    public static void IntoTiff(byte[] tiff, ExportImage image, Stream output)
    {
        var span = tiff.AsSpan();
        if (tiff.Length < 8 || span[0] != 'I' || span[1] != 'I' || BinaryPrimitives.ReadUInt16LittleEndian(span[2..]) != 42)
            throw new InvalidDataException("The TIFF encoder's output is not a little-endian classic TIFF.");
        var ifdOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(span[ifdOffset..]);
        if (BinaryPrimitives.ReadUInt32LittleEndian(span[(ifdOffset + 2 + 12 * count)..]) != 0)
            throw new InvalidDataException("The TIFF encoder wrote more than one image directory.");

        var ifd0 = new TiffDirectory();
        for (var i = 0; i < count; i++)
        {
            var entry = span.Slice(ifdOffset + 2 + 12 * i, 12);
            ifd0.SetVerbatim(BinaryPrimitives.ReadUInt16LittleEndian(entry), (TiffType)BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]),
                checked((int)BinaryPrimitives.ReadUInt32LittleEndian(entry[4..])), entry[8..]);
        }
        ExifBlock.AddTo(ifd0, image, ExportFormat.Tiff);

        var appendAt = tiff.Length + (tiff.Length & 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)appendAt);
        output.Write(tiff);
        if (appendAt != tiff.Length) output.WriteByte(0);
        TiffFileWriter.WriteTree(output, ifd0, appendAt);
    }
}
