using System.Diagnostics;
using RawEngine.Engine.Tiff;

namespace RawEngine.Tests.Tiff;

/// <summary>TiffReader on hand-built TIFFs: every value type in both byte orders, the directory tree, and damage of every kind.</summary>
public class TiffReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryValueTypeReadsInEitherByteOrder(bool bigEndian)
    {
        var tiff = new TiffBytes(bigEndian);
        tiff.SetPointer(4, tiff.AddIfd(
        [
            new(1, TiffType.Byte, 2, [1, 255]),
            new(2, TiffType.Ascii, 7, "Canon\0\0"u8.ToArray()),
            tiff.Shorts(3, 1, 65535, 300),
            tiff.Longs(4, 4_000_000_000, 7),
            new(5, TiffType.Rational, 2, tiff.Rationals((1, 3), (5, 0))),
            new(6, TiffType.SByte, 2, [0xFF, 0x7F]),
            new(7, TiffType.Undefined, 5, [0, 200, 7, 9, 11]),
            new(8, TiffType.SShort, 2, tiff.U16(unchecked((ushort)-2), 300)),
            new(9, TiffType.SLong, 1, tiff.U32(unchecked((uint)-70000))),
            new(10, TiffType.SRational, 1, tiff.Rationals((-3, 4))),
            new(11, TiffType.Float, 2, tiff.U32(BitConverter.SingleToUInt32Bits(1.5f), BitConverter.SingleToUInt32Bits(-0.25f))),
            new(12, TiffType.Double, 1, tiff.U64(BitConverter.DoubleToUInt64Bits(Math.PI))),
            new(13, TiffType.Ifd, 0, []),
        ]));

        var reader = TiffReader.Open(tiff.ToStream());
        var ifd = reader.Ifd0;

        Assert.Equal(bigEndian, reader.IsBigEndian);
        Assert.Equal([1L, 255], ifd[1]!.ReadIntegers());
        Assert.Equal("Canon", ifd[2]!.ReadString());
        Assert.Equal([1L, 65535, 300], ifd[3]!.ReadIntegers());
        Assert.Equal([4_000_000_000.0, 7], ifd[4]!.ReadDoubles());
        var rationals = ifd[5]!.ReadDoubles();
        Assert.Equal(1 / 3.0, rationals[0]);
        Assert.True(double.IsNaN(rationals[1]), "a zero denominator is an unknown value, NaN");
        Assert.Equal([-1L, 127], ifd[6]!.ReadIntegers());
        Assert.Equal(new byte[] { 0, 200, 7, 9, 11 }, ifd[7]!.ReadBytes());
        Assert.Equal([-2.0, 300], ifd[8]!.ReadDoubles());
        Assert.Equal([-70000L], ifd[9]!.ReadIntegers());
        Assert.Equal([-0.75], ifd[10]!.ReadDoubles());
        Assert.Equal([1.5, -0.25], ifd[11]!.ReadDoubles());
        Assert.Equal([Math.PI], ifd[12]!.ReadDoubles());
        Assert.Empty(ifd[13]!.ReadIntegers());
        Assert.Null(ifd[14]);
        Assert.Contains("tag 5 in IFD0", Assert.Throws<TiffFormatException>(() => ifd[5]!.ReadIntegers()).Message);
        Assert.Throws<TiffFormatException>(() => ifd[2]!.ReadDoubles());
        Assert.Throws<TiffFormatException>(() => ifd[3]!.ReadString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheTreeIsTheChainWithItsSubIfdsAndExifIfd(bool bigEndian)
    {
        var tiff = new TiffBytes(bigEndian);
        var nested = tiff.AddIfd([tiff.Shorts(1, 4)]);
        var sub0 = tiff.AddIfd([tiff.Shorts(1, 2), tiff.Longs(TiffTags.SubIfds, nested)]);
        var sub1 = tiff.AddIfd([tiff.Shorts(1, 3)], next: nested); // a SubIFD's next pointer is not followed
        var exif = tiff.AddIfd([tiff.Shorts(1, 5)]);
        var ifd1 = tiff.AddIfd([tiff.Shorts(1, 6)]);
        tiff.SetPointer(4, tiff.AddIfd(
        [
            tiff.Shorts(1, 1),
            new(TiffTags.SubIfds, TiffType.Ifd, 2, tiff.U32(sub0, sub1)),
            tiff.Longs(TiffTags.ExifIfd, exif),
        ], next: ifd1));

        var reader = TiffReader.Open(tiff.ToStream());
        var all = reader.AllDirectories().ToList();

        Assert.Equal(["IFD0", "IFD0/EXIF", "IFD0/SubIFD0", "IFD0/SubIFD0/SubIFD0", "IFD0/SubIFD1", "IFD1"], all.Select(d => d.Name));
        Assert.Equal([1L, 5, 2, 4, 3, 6], all.Select(d => d[1]!.ReadIntegers()[0]));
        Assert.Equal(nested, all[3].Offset);
        Assert.Null(reader.Ifd0.SubIfds[1].Next);
        Assert.Null(reader.Ifd0.Exif!.Next);
        Assert.Null(all[^1].Next);
    }

    [Fact]
    public void OnlyTiffHeadersAreTiff()
    {
        Assert.True(TiffReader.HasTiffHeader(new MemoryStream("II*\0\b\0\0\0"u8.ToArray())));
        Assert.True(TiffReader.HasTiffHeader(new MemoryStream("MM\0*\0\0\0\b"u8.ToArray())));
        foreach (var bytes in new[] { ""u8.ToArray(), "II*"u8.ToArray(), "MM*\0"u8.ToArray(), "\x89PNG\r\n\x1a\n"u8.ToArray(), "IIRS"u8.ToArray() })
        {
            using var stream = new MemoryStream(bytes);
            Assert.False(TiffReader.HasTiffHeader(stream));
            Assert.Throws<TiffFormatException>(() => TiffReader.Open(stream));
        }
    }

    [Theory]
    [InlineData("bigtiff", "BigTIFF")]
    [InlineData("header-only", "header")]
    [InlineData("no-ifd0", "no IFD0")]
    [InlineData("ifd0-in-header", "outside")]
    [InlineData("ifd0-past-end", "outside")]
    [InlineData("entries-past-end", "runs past the end")]
    [InlineData("too-many-entries", "more than 4096")]
    public void ABrokenHeaderOrIfd0IsNamed(string damage, string expected)
    {
        var tiff = new TiffBytes(bigEndian: false);
        var ifd0 = tiff.AddIfd([tiff.Shorts(1, 1)]);
        tiff.SetPointer(4, ifd0);
        var bytes = tiff.ToArray();
        switch (damage)
        {
            case "bigtiff": bytes[2] = 43; break;
            case "header-only": bytes = bytes[..6]; break;
            case "no-ifd0": Array.Clear(bytes, 4, 4); break;
            case "ifd0-in-header": bytes[4] = 2; break;
            case "ifd0-past-end": bytes[4] = 200; break;
            case "entries-past-end": bytes[ifd0] = 2; break;
            case "too-many-entries": bytes[ifd0 + 1] = 0x20; break;
        }
        var error = Assert.Throws<TiffFormatException>(() => TiffReader.Open(new MemoryStream(bytes)));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("chain-to-itself")]
    [InlineData("chain-back-to-ifd0")]
    [InlineData("subifd-to-ifd0")]
    [InlineData("exif-to-parent")]
    public void LoopsBetweenDirectoriesAreErrors(string loop)
    {
        var tiff = new TiffBytes(bigEndian: true);
        var ifd0 = (uint)tiff.Length;
        var pointer = loop switch
        {
            "subifd-to-ifd0" => tiff.Longs(TiffTags.SubIfds, ifd0),
            "exif-to-parent" => tiff.Longs(TiffTags.ExifIfd, ifd0),
            _ => tiff.Shorts(1, 1),
        };
        var ifd1 = ifd0 + 18;
        Assert.Equal(ifd0, tiff.AddIfd([pointer], next: loop switch { "chain-to-itself" => ifd0, "chain-back-to-ifd0" => ifd1, _ => 0 }));
        Assert.Equal(ifd1, tiff.AddIfd([tiff.Shorts(1, 2)], next: ifd0));
        tiff.SetPointer(4, ifd0);

        var reader = TiffReader.Open(tiff.ToStream());
        var error = Assert.Throws<TiffFormatException>(() => reader.AllDirectories().ToList());
        Assert.Contains("loop", error.Message);
    }

    [Fact]
    public void DirectoryCountAndNestingAreCapped()
    {
        var chain = new TiffBytes(bigEndian: false);
        uint next = 0;
        for (var i = 0; i <= TiffReader.MaxDirectories; i++) next = chain.AddIfd([], next);
        chain.SetPointer(4, next);
        var error = Assert.Throws<TiffFormatException>(() => TiffReader.Open(chain.ToStream()).AllDirectories().Count());
        Assert.Contains($"more than {TiffReader.MaxDirectories} directories", error.Message);

        var nested = new TiffBytes(bigEndian: false);
        var child = nested.AddIfd([]);
        for (var depth = 0; depth <= TiffReader.MaxSubIfdDepth; depth++) child = nested.AddIfd([nested.Longs(TiffTags.SubIfds, child)]);
        nested.SetPointer(4, child);
        error = Assert.Throws<TiffFormatException>(() => TiffReader.Open(nested.ToStream()).AllDirectories().Count());
        Assert.Contains("SubIFDs deep", error.Message);
    }

    [Fact]
    public void AFieldThatDoesNotFitTheFileFailsOnlyWhenRead()
    {
        var tiff = new TiffBytes(bigEndian: false);
        tiff.SetPointer(4, tiff.AddIfd(
        [
            new(1, TiffType.Long, uint.MaxValue, null, ValueField: 8),
            new(2, TiffType.Short, 40, null, ValueField: 1_000_000),
            new(3, TiffType.Short, 4, null, ValueField: uint.MaxValue),
            new(4, (TiffType)16, 1, null, ValueField: 0),
            tiff.Shorts(5, 7),
            new(6, TiffType.Long, 1, null, ValueField: 1_000_000),
            new(TiffTags.SubIfds, TiffType.Long, 2, null, ValueField: 1_000_000),
        ]));

        var ifd = TiffReader.Open(tiff.ToStream()).Ifd0;

        Assert.Equal([7L], ifd[5]!.ReadIntegers());
        Assert.Equal([1_000_000L], ifd[6]!.ReadIntegers()); // a pointer-sized value held in the entry is just a number
        Assert.Contains($"more than {TiffReader.MaxValueBytes} bytes", Assert.Throws<TiffFormatException>(() => ifd[1]!.ReadBytes()).Message);
        Assert.Contains("run past the end", Assert.Throws<TiffFormatException>(() => ifd[2]!.ReadDoubles()).Message);
        Assert.Contains("run past the end", Assert.Throws<TiffFormatException>(() => ifd[3]!.ReadDoubles()).Message);
        Assert.Contains("not a TIFF field type", Assert.Throws<TiffFormatException>(() => ifd[4]!.ReadDoubles()).Message);
        Assert.Contains("tag 330 in IFD0", Assert.Throws<TiffFormatException>(() => ifd.SubIfds).Message);
    }

    [Fact]
    public void RandomBytesAfterATiffHeaderFailCleanlyAndFast()
    {
        var random = new Random(5);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 400; i++)
        {
            var bytes = new byte[random.Next(8, 600)];
            random.NextBytes(bytes);
            var bigEndian = i % 2 == 1;
            (bigEndian ? "MM\0*"u8 : "II*\0"u8).CopyTo(bytes);
            // IFD0 within the first 256 bytes (sometimes past the end) with a few random entries, so that the
            // entries and the directories they point at are met, not just the directory count refused.
            var ifd0 = random.Next(8, 256);
            Array.Clear(bytes, 4, 4);
            bytes[bigEndian ? 7 : 4] = (byte)ifd0;
            var entries = random.Next(16);
            if (ifd0 + 1 < bytes.Length) (bytes[ifd0], bytes[ifd0 + 1]) = bigEndian ? ((byte)0, (byte)entries) : ((byte)entries, (byte)0);
            var next = ifd0 + 2 + 12 * entries;
            if (i % 4 < 2 && next + 4 <= bytes.Length) Array.Clear(bytes, next, 4); // else a random next pointer, mostly outside
            var clock = Stopwatch.StartNew();
            var outcome = ReadEverything(bytes);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"random file {i} took {clock.Elapsed.TotalSeconds:0.0} s");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        Assert.True(outcomes.GetValueOrDefault("read") > 20, $"some random directories should read: {string.Join(", ", outcomes)}");
        Assert.True(outcomes.GetValueOrDefault("rejected") > 20, $"most random files should be rejected: {string.Join(", ", outcomes)}");
    }

    /// <summary>
    /// Walks every directory and reads every field as bytes, numbers and text; "read" when the structure
    /// holds (fields may still fail one by one), "rejected" on a TiffFormatException; anything else propagates.
    /// </summary>
    internal static string ReadEverything(byte[] bytes)
    {
        try
        {
            foreach (var ifd in TiffReader.Open(new MemoryStream(bytes)).AllDirectories())
                foreach (var field in ifd.Fields)
                    foreach (var read in new Action[] { () => field.ReadBytes(), () => field.ReadDoubles(), () => field.ReadString() })
                        try { read(); } catch (TiffFormatException) { }
            return "read";
        }
        catch (TiffFormatException)
        {
            return "rejected";
        }
    }
}
