using System.Diagnostics;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Engine.Tiff;
using RawEngine.Tests.Support;
using RawEngine.Tests.Tiff;

namespace RawEngine.Tests.Dng;

/// <summary>
/// DngFileTags on what DngWriter writes (each tag read back as written), on hand-built DNGs for the tags
/// DngWriter does not write and for shape errors, and on damaged and non-DNG input.
/// </summary>
public class DngFileTagsTests
{
    private static readonly Matrix3 IlluminantAMatrix = new(0.7546f, -0.1435f, -0.0929f, -0.3846f, 1.1488f, 0.2692f, -0.0332f, 0.1209f, 0.6370f);

    public static TheoryData<string, int, bool> Layouts => new()
    {
        { "RGGB", 0, false }, { "GBRG", 2, true }, { "XTrans", 3, false }, { "Linear", 0, false }, { "Linear", 2, true },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void WhatDngWriterWritesIsReadBack(string layout, int margin, bool preview)
    {
        var written = Profiled(layout, margin);

        var tags = DngFileTags.Read(new MemoryStream(DngWriter.ToBytes(written, new DngWriteOptions { PreviewLongSide = preview ? 32 : 0 })))!;

        Assert.Equal(new Version(1, 4, 0, 0), tags.DngVersion);
        Assert.Equal("RawEngine Synthetic", tags.UniqueCameraModel);
        Assert.Equal(written.Orientation, tags.Orientation);
        Assert.Equal(written.BaselineExposure!.Value, tags.BaselineExposure!.Value, 6);
        Assert.Equal(written.DngColorMatrices[0].XyzToCamera, tags.ColorMatrix1);
        Assert.Equal(written.DngColorMatrices[1].XyzToCamera, tags.ColorMatrix2);
        Assert.Equal((Illuminant.StandardA, Illuminant.D65), (tags.CalibrationIlluminant1, tags.CalibrationIlluminant2));
        var m = written.AsShotMultipliers;
        AssertClose([m[1] / m[0], 1, m[1] / m[2]], tags.AsShotNeutral!, 1e-6);
        Assert.All(new object?[] { tags.AnalogBalance, tags.AsShotWhiteXY, tags.CameraCalibration1, tags.CameraCalibration2, tags.ForwardMatrix1,
            tags.ForwardMatrix2, tags.ReductionMatrix1, tags.BaselineNoise, tags.BaselineSharpness }, Assert.Null);

        var raw = tags.Raw;
        Assert.Equal(preview ? "IFD0/SubIFD0" : "IFD0", raw.Directory);
        Assert.Equal((written.SensorWidth, written.SensorHeight, written.SamplesPerPixel), (raw.Width, raw.Height, raw.SamplesPerPixel));
        Assert.Equal(Enumerable.Repeat(16, written.SamplesPerPixel), raw.BitsPerSample);
        Assert.Equal(written.IsCfa ? DngTags.PhotometricCfa : DngTags.PhotometricLinearRaw, raw.Photometric);
        Assert.Equal(1, raw.Compression);
        Assert.Equal(written.Cfa is { } cfa ? (cfa.Height, cfa.Width) : null, raw.CfaRepeatPatternDim);
        Assert.Equal(written.Cfa?.Colors.ToArray(), raw.CfaPattern);
        Assert.Equal(written.IsCfa ? [0, 1, 2] : null, raw.CfaPlaneColor);
        Assert.Equal(3, raw.ColorPlanes);
        Assert.Equal(margin > 0 ? written.Visible : null, raw.ActiveArea);
        var black = SensorBlack.Of(written);
        Assert.Equal((black.Height, black.Width), raw.BlackLevelRepeatDim);
        Assert.Equal(black.Values.ToArray().Select(v => (double)v), raw.BlackLevel);
        Assert.Equal(Enumerable.Repeat((double)written.White, written.SamplesPerPixel), raw.WhiteLevel);
        Assert.All(new object?[] { raw.BlackLevelDeltaH, raw.BlackLevelDeltaV, raw.LinearizationTable, raw.DefaultScale, raw.DefaultCropOrigin,
            raw.DefaultCropSize, raw.MaskedAreas, raw.BayerGreenSplit, raw.OpcodeList1, raw.OpcodeList2, raw.OpcodeList3 }, Assert.Null);
    }

    [Fact]
    public void AFileIsReadByPathToo()
    {
        using var temp = new TempFolder();
        var path = temp.File("written.dng");
        DngWriter.Write(Profiled("RGGB", 0), path);
        Assert.Equal(-0.5, DngFileTags.Read(path)!.BaselineExposure!.Value, 6);
    }

    [Fact]
    public void OnlyTheDirectoriesAreReadNotTheImageData()
    {
        var bytes = DngWriter.ToBytes(SyntheticRaw.Chart(1200, 800), new DngWriteOptions { PreviewLongSide = 64 });
        using var stream = new CountingStream(new MemoryStream(bytes));

        Assert.NotNull(DngFileTags.Read(stream));
        Assert.InRange(stream.BytesRead, 1, 16 * 1024);
        Assert.True(bytes.Length > 1_000_000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TagsDngWriterDoesNotWriteAreReadInEitherByteOrder(bool bigEndian)
    {
        var tiff = new TiffBytes(bigEndian);
        var opcodes = new byte[] { 0, 0, 0, 1, 0, 0, 0, 7, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        tiff.SetPointer(4, tiff.AddIfd(
        [
            .. RawIfdTags(tiff, 8, 6),
            .. DngVersionTag(tiff),
            tiff.Shorts(DngTags.BlackLevelRepeatDim, 2, 2),
            new(DngTags.BlackLevel, TiffType.Rational, 4, tiff.Rationals((480, 1), (1121, 2), (520, 1), (600, 1))),
            new(DngTags.BlackLevelDeltaH, TiffType.SRational, 4, tiff.Rationals((-30, 1), (30, 1), (5, 2), (0, 1))),
            new(DngTags.BlackLevelDeltaV, TiffType.SRational, 4, tiff.Rationals((-1, 4), (7, 1), (0, 1), (0, 1))),
            tiff.Longs(DngTags.WhiteLevel, 16383),
            tiff.Shorts(DngTags.LinearizationTable, 0, 100, 65535),
            new(DngTags.DefaultScale, TiffType.Rational, 2, tiff.Rationals((1, 1), (3, 2))),
            tiff.Shorts(DngTags.DefaultCropOrigin, 1, 1),
            new(DngTags.DefaultCropSize, TiffType.Rational, 2, tiff.Rationals((4, 1), (2, 1))),
            tiff.Longs(DngTags.ActiveArea, 1, 2, 5, 6),
            tiff.Shorts(DngTags.MaskedAreas, 0, 0, 1, 8, 5, 0, 6, 2),
            tiff.Shorts(DngTags.BayerGreenSplit, 250),
            Matrix(tiff, DngTags.CameraCalibration1, 1.06, 0, 0, 0, 1, 0, 0, 0, 0.93),
            Matrix(tiff, DngTags.ReductionMatrix1, 1, 0, 0, 0, 1, 0, 0, 0, 1),
            new(DngTags.AnalogBalance, TiffType.Rational, 3, tiff.Rationals((11, 10), (1, 1), (9, 10))),
            new(DngTags.AsShotWhiteXY, TiffType.Rational, 2, tiff.Rationals((3127, 10000), (3290, 10000))),
            new(DngTags.BaselineNoise, TiffType.Rational, 1, tiff.Rationals((56, 100))),
            new(DngTags.BaselineSharpness, TiffType.Rational, 1, tiff.Rationals((5, 4))),
            Matrix(tiff, DngTags.ForwardMatrix2, 0.7464, 0.1044, 0.1135, 0.2648, 0.9173, -0.182, 0.0113, -0.2154, 1.0292),
            new(DngTags.OpcodeList2, TiffType.Undefined, (uint)opcodes.Length, opcodes),
        ]));

        var tags = DngFileTags.Read(tiff.ToStream())!;
        var raw = tags.Raw;

        Assert.Equal((2, 2), raw.BlackLevelRepeatDim);
        Assert.Equal([480, 560.5, 520, 600], raw.BlackLevel);
        Assert.Equal([-30, 30, 2.5, 0], raw.BlackLevelDeltaH!);
        Assert.Equal([-0.25, 7, 0, 0], raw.BlackLevelDeltaV!);
        Assert.Equal([16383.0], raw.WhiteLevel!);
        Assert.Equal(new ushort[] { 0, 100, 65535 }, raw.LinearizationTable);
        Assert.Equal((1.0, 1.5), raw.DefaultScale);
        Assert.Equal((1.0, 1.0), raw.DefaultCropOrigin);
        Assert.Equal((4.0, 2.0), raw.DefaultCropSize);
        Assert.Equal(new PixelRect(2, 1, 4, 4), raw.ActiveArea);
        Assert.Equal([new PixelRect(0, 0, 8, 1), new PixelRect(0, 5, 2, 1)], raw.MaskedAreas!);
        Assert.Equal(250, raw.BayerGreenSplit);
        Assert.Equal(opcodes, raw.OpcodeList2);
        Assert.Equal(Matrix3.Diagonal(1.06f, 1, 0.93f), tags.CameraCalibration1);
        Assert.Equal(Matrix3.Identity, tags.ReductionMatrix1);
        Assert.Equal(new Matrix3(0.7464f, 0.1044f, 0.1135f, 0.2648f, 0.9173f, -0.182f, 0.0113f, -0.2154f, 1.0292f), tags.ForwardMatrix2);
        Assert.Null(tags.ForwardMatrix1);
        AssertClose([1.1, 1, 0.9], tags.AnalogBalance!, 1e-12);
        Assert.Equal((0.3127, 0.329), tags.AsShotWhiteXY);
        Assert.Equal((0.56, 1.25), (tags.BaselineNoise, tags.BaselineSharpness));
        Assert.Null(tags.AsShotNeutral);
        Assert.Null(tags.BaselineExposure);
    }

    [Fact]
    public void ProfileTagsComeFromIfd0ElseFromTheRawSubIfdAndTheLargestRawWins()
    {
        var tiff = new TiffBytes(bigEndian: false);
        var reduced = tiff.AddIfd([.. RawIfdTags(tiff, 4, 2), Matrix(tiff, DngTags.ColorMatrix2, 9, 9, 9, 9, 9, 9, 9, 9, 9)]);
        var full = tiff.AddIfd(
        [
            .. RawIfdTags(tiff, 8, 6),
            Matrix(tiff, DngTags.ColorMatrix1, 1, 0, 0, 0, 1, 0, 0, 0, 1),
            new(DngTags.BaselineExposure, TiffType.SRational, 1, tiff.Rationals((1, 1))),
        ]);
        var preview = tiff.AddIfd([tiff.Longs(TiffTags.NewSubfileType, 1), tiff.Shorts(TiffTags.PhotometricInterpretation, DngTags.PhotometricCfa)]);
        tiff.SetPointer(4, tiff.AddIfd(
        [
            .. DngVersionTag(tiff),
            tiff.Longs(TiffTags.NewSubfileType, 1),
            tiff.Longs(TiffTags.SubIfds, reduced, preview, full),
            new(DngTags.BaselineExposure, TiffType.SRational, 1, tiff.Rationals((-1, 2))),
        ]));

        var tags = DngFileTags.Read(tiff.ToStream())!;

        Assert.Equal("IFD0/SubIFD2", tags.Raw.Directory);
        Assert.Equal(-0.5, tags.BaselineExposure);
        Assert.Equal(Matrix3.Identity, tags.ColorMatrix1);
        Assert.Null(tags.ColorMatrix2); // the reduced copy's tags are not the raw's
    }

    [Theory]
    [InlineData("matrix-count", "has 8 values, not 9")]
    [InlineData("matrix-zero-denominator", "not a finite number")]
    [InlineData("four-planes", "only 3-colour DNGs")]
    [InlineData("black-count", "has 3 values, not 4")]
    [InlineData("active-area-outside", "not inside the 8x6 image")]
    [InlineData("masked-areas-count", "not a multiple of 4")]
    [InlineData("delta-count", "not one per active-area line (8)")]
    [InlineData("cfa-pattern-missing", "without a CFAPattern")]
    [InlineData("cfa-pattern-huge", "outside 1..16")]
    [InlineData("no-raw-ifd", "no raw image")]
    [InlineData("no-width", "no tag 256")]
    [InlineData("dng-version-short", "has 2 values, not 4")]
    public void ABadlyShapedTagIsNamed(string damage, string expected)
    {
        var tiff = new TiffBytes(bigEndian: true);
        var rawTags = RawIfdTags(tiff, 8, 6).Where(e => damage switch
        {
            "cfa-pattern-missing" => e.Tag != TiffTags.CfaPattern,
            "no-width" => e.Tag != TiffTags.ImageWidth,
            "cfa-pattern-huge" => e.Tag != TiffTags.CfaRepeatPatternDim,
            "no-raw-ifd" => e.Tag != TiffTags.NewSubfileType,
            _ => true,
        });
        TiffBytesEntry[] extra = damage switch
        {
            "matrix-count" => [new(DngTags.ColorMatrix1, TiffType.SRational, 8, tiff.Rationals(Enumerable.Repeat((1L, 1L), 8).ToArray()))],
            "matrix-zero-denominator" => [Matrix(tiff, DngTags.ColorMatrix1, 1, 0, 0, 0, 1, 0, 0, 0, 1) with { Value = tiff.Rationals([.. Enumerable.Repeat((1L, 0L), 9)]) }],
            "four-planes" => [new(DngTags.CfaPlaneColor, TiffType.Byte, 4, [0, 1, 2, 3]), Matrix(tiff, DngTags.ColorMatrix1, 1, 0, 0, 0, 1, 0, 0, 0, 1)],
            "black-count" => [tiff.Shorts(DngTags.BlackLevelRepeatDim, 2, 2), tiff.Shorts(DngTags.BlackLevel, 1, 2, 3)],
            "active-area-outside" => [tiff.Shorts(DngTags.ActiveArea, 0, 0, 7, 8)],
            "masked-areas-count" => [tiff.Shorts(DngTags.MaskedAreas, 0, 0, 1, 8, 5)],
            "delta-count" => [tiff.Shorts(DngTags.BlackLevelDeltaH, 1, 2, 3)],
            "cfa-pattern-huge" => [tiff.Shorts(TiffTags.CfaRepeatPatternDim, 2, 1000)],
            "no-raw-ifd" => [tiff.Longs(TiffTags.NewSubfileType, 1)],
            _ => [],
        };
        var version = damage == "dng-version-short" ? [new TiffBytesEntry(DngTags.DngVersion, TiffType.Byte, 2, [1, 4])] : DngVersionTag(tiff);
        tiff.SetPointer(4, tiff.AddIfd([.. rawTags, .. version, .. extra]));

        var error = Assert.Throws<TiffFormatException>(() => DngFileTags.Read(tiff.ToStream()));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void NonDngInputsAreNull()
    {
        var plainTiff = new MemoryStream();
        var ifd = new TiffDirectory();
        ifd.SetLongs(TiffTags.ImageWidth, 1);
        TiffFileWriter.Write(plainTiff, ifd);
        var random = new byte[5000];
        new Random(3).NextBytes(random);
        foreach (var bytes in new byte[][] { [], "II"u8.ToArray(), random, File.ReadAllBytes(SharedData.RepositoryRoot + "/README.md"), plainTiff.ToArray() })
            Assert.Null(DngFileTags.Read(new MemoryStream(bytes)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(24)]
    public void DamagedDngsReadOrFailWithTiffFormatExceptionQuickly(int previewLongSide)
    {
        var valid = DngWriter.ToBytes(Profiled("RGGB", 2), new DngWriteOptions { PreviewLongSide = previewLongSide });
        var expected = DngFileTags.Read(new MemoryStream(valid))!;
        var outcomes = new Dictionary<string, int>();
        var tried = 0;
        foreach (var (name, bytes) in DngMutations.All(valid, seed: 77))
        {
            tried++;
            var clock = Stopwatch.StartNew();
            string outcome;
            try
            {
                var tags = DngFileTags.Read(new MemoryStream(bytes));
                outcome = tags is null ? "null" : "read";
                // Cut or damaged inside the image data, the directories are whole: every tag is what was written.
                if (name.StartsWith("truncated", StringComparison.Ordinal) && tags is not null)
                    Assert.Equal(expected.BaselineExposure, tags.BaselineExposure);
            }
            catch (TiffFormatException)
            {
                outcome = "rejected";
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"{name} took {clock.Elapsed.TotalSeconds:0.0} s");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        var summary = string.Join(", ", outcomes);
        Assert.InRange(tried, 300, 1000);
        Assert.True(outcomes.GetValueOrDefault("rejected") > 50, summary);
        Assert.True(outcomes.GetValueOrDefault("read") > 50, summary);
        Assert.True(outcomes.GetValueOrDefault("null") > 3, $"cuts inside the header are not TIFFs: {summary}");
    }

    /// <summary>A chart with two colour matrices, BaselineExposure -0.5, orientation 6 and, for CFA data, a 2x2 black pattern.</summary>
    private static RawImage Profiled(string layout, int margin)
    {
        var cfa = layout switch { "Linear" => null, "XTrans" => CfaPattern.XTrans, _ => CfaPattern.Bayer(layout) };
        var chart = SyntheticRaw.Chart(36, 24, new SyntheticRawOptions { Cfa = cfa, Margin = margin, XyzToCamera = SyntheticCameras.TypicalDslr, ChannelBlack = [12, 0, -8, 4] });
        return new RawImage
        {
            SensorWidth = chart.SensorWidth, SensorHeight = chart.SensorHeight, SamplesPerPixel = chart.SamplesPerPixel, Data = chart.Data,
            Visible = chart.Visible, Cfa = chart.Cfa, White = chart.White, AsShotMultipliers = chart.AsShotMultipliers, XyzToCamera = chart.XyzToCamera,
            Black = cfa is null ? chart.Black : chart.Black with { PatternWidth = 2, PatternHeight = 2, Pattern = [0, 8, 16, 24] },
            DngColorMatrices = [new DngColorMatrix(Illuminant.StandardA, IlluminantAMatrix), new DngColorMatrix(Illuminant.D65, SyntheticCameras.TypicalDslr)],
            BaselineExposure = -0.5f,
            Orientation = 6,
            Capture = chart.Capture,
        };
    }

    /// <summary>A small uncompressed RGGB raw directory: size, layout and photometry, no data.</summary>
    private static TiffBytesEntry[] RawIfdTags(TiffBytes tiff, uint width, uint height) =>
    [
        tiff.Longs(TiffTags.NewSubfileType, 0),
        tiff.Longs(TiffTags.ImageWidth, width),
        tiff.Longs(TiffTags.ImageLength, height),
        tiff.Shorts(TiffTags.BitsPerSample, 16),
        tiff.Shorts(TiffTags.PhotometricInterpretation, DngTags.PhotometricCfa),
        tiff.Shorts(TiffTags.CfaRepeatPatternDim, 2, 2),
        new(TiffTags.CfaPattern, TiffType.Byte, 4, [0, 1, 1, 2]),
    ];

    private static TiffBytesEntry[] DngVersionTag(TiffBytes tiff) => [new(DngTags.DngVersion, TiffType.Byte, 4, [1, 4, 0, 0])];

    /// <summary>A 3x3 SRATIONAL matrix in ten-thousandths, as Adobe's converter writes them.</summary>
    private static TiffBytesEntry Matrix(TiffBytes tiff, ushort tag, params double[] values) =>
        new(tag, TiffType.SRational, 9, tiff.Rationals([.. values.Select(v => ((long)(int)Math.Round(v * 10000), 10000L))]));

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"value {i}: {actual[i]} is not {expected[i]}");
    }

    /// <summary>Counts the bytes read through it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        private int Count(int read) { BytesRead += read; return read; }
    }
}
