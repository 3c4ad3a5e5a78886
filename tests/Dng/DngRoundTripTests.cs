using RawEngine.Engine.Dng;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Dng;

/// <summary>What DngWriter writes, LibRaw reads back: the same sensor values, layout and metadata.</summary>
public class DngRoundTripTests
{
    public static TheoryData<string, int> Layouts => new()
    {
        { "RGGB", 0 }, { "GRBG", 0 }, { "GBRG", 0 }, { "BGGR", 0 }, { "XTrans", 0 },
        { "RGGB", 2 }, { "BGGR", 4 }, { "XTrans", 2 }, { "XTrans", 5 }, { "Linear", 0 }, { "Linear", 3 },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void SensorValuesAndLayoutSurviveLibRaw(string layout, int margin)
    {
        var written = SyntheticRaw.Chart(70, 46, new SyntheticRawOptions
        {
            Cfa = Cfa(layout),
            Margin = margin,
            XyzToCamera = SyntheticCameras.TypicalDslr,
            Noise = SensorNoise.AtIso(1600),
            Seed = 7,
        });

        var read = RoundTrip(written, $"{layout}.dng");

        Assert.Equal(written.SamplesPerPixel, read.SamplesPerPixel);
        Assert.Equal(written.Visible, read.Visible);
        Assert.Equal(written.Cfa, read.Cfa);
        AssertSameVisibleSamples(written, read);
        AssertSameBlack(written, read);
        Assert.True(written.AsShotMultipliers[0] > 1.5f, "the typical camera should need a strong red multiplier");
        if (written.IsCfa) AssertSameLevelsAndNeutral(written, read); // LinearRaw: see LinearRawLevelsAndNeutralSurvive
    }

    [Fact]
    public void LinearRawLevelsAndNeutralSurvive()
    {
        foreach (var channelBlack in new[] { null, new float[] { 24, 0, -16, 0 } })
        {
            var written = SyntheticRaw.Chart(40, 30, new SyntheticRawOptions { Cfa = null, XyzToCamera = SyntheticCameras.TypicalDslr, ChannelBlack = channelBlack });
            var read = RoundTrip(written, "linear.dng");
            AssertSameBlack(written, read);
            AssertSameLevelsAndNeutral(written, read);
        }
    }

    [Theory]
    [InlineData("GRBG", 0)]
    [InlineData("XTrans", 3)]
    [InlineData("Linear", 2)]
    public void RawBehindAPreviewDecodesTheSameAndThePreviewShowsTheScene(string layout, int margin)
    {
        using var temp = new TempFolder();
        var path = temp.File("preview.dng");
        // Mid grey (18 %) through a camera far from sRGB: balanced and converted, the preview must be neutral sRGB 118.
        var grey = new LinearScene(120, 90, Enumerable.Repeat(0.18f, 120 * 90 * 3).ToArray());
        var written = SyntheticRaw.Create(grey, new SyntheticRawOptions { Cfa = Cfa(layout), Margin = margin, XyzToCamera = SyntheticCameras.TypicalDslr });

        DngWriter.Write(written, path, new DngWriteOptions { PreviewLongSide = 64 });
        var read = RawDecoder.Decode(path);
        var preview = RawDecoder.ExtractThumbnail(path);

        Assert.Equal(written.Visible, read.Visible);
        Assert.Equal(written.Cfa, read.Cfa);
        Assert.True(written.Data.AsSpan().SequenceEqual(read.Data));
        Assert.Equal("Synthetic", read.Capture.Model);
        Assert.Single(read.DngColorMatrices);
        Assert.Equal(ThumbnailFormat.Bitmap, preview.Format);
        Assert.InRange(preview.Width, 20, 64);
        Assert.Equal(preview.Width * preview.Height * 3, preview.Data.Length);
        Assert.All(preview.Data, v => Assert.InRange(v, 116, 120));
    }

    [Fact]
    public void WholeSensorIncludingMarginsIsKept()
    {
        var written = SyntheticRaw.Chart(40, 30, new SyntheticRawOptions { Cfa = CfaPattern.Gbrg, Margin = 4, Noise = SensorNoise.AtIso(800) });
        Assert.Throws<ArgumentException>(() => DngWriter.ToBytes(new RawImage
        {
            SensorWidth = written.SensorWidth, SensorHeight = written.SensorHeight, SamplesPerPixel = 1, Data = written.Data, Visible = written.Visible with { X = 3 },
            Cfa = written.Cfa, Black = written.Black, White = written.White, AsShotMultipliers = written.AsShotMultipliers, XyzToCamera = written.XyzToCamera,
        }));
        var read = RoundTrip(written, "margins.dng");

        Assert.Equal((written.SensorWidth, written.SensorHeight), (read.SensorWidth, read.SensorHeight));
        Assert.True(written.Data.AsSpan().SequenceEqual(read.Data));
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public void OrientationSurvives(int orientation)
    {
        var read = RoundTrip(SyntheticRaw.Chart(32, 24, new SyntheticRawOptions { Orientation = orientation }), "oriented.dng");
        Assert.Equal(orientation, read.Orientation);
    }

    /// <summary>EXIF's SubjectDistance: infinity (0xFFFFFFFF / 1) survives as infinity; a file without it says 0, unknown.</summary>
    [Fact]
    public void SubjectDistanceAtInfinityOrAbsent()
    {
        var chart = SyntheticRaw.Chart(32, 24);
        Assert.Equal(float.PositiveInfinity, RoundTrip(chart with { Capture = chart.Capture with { SubjectDistance = float.PositiveInfinity } }, "infinity.dng").Capture.SubjectDistance);
        Assert.Equal(0, RoundTrip(chart, "unknown.dng").Capture.SubjectDistance);
    }

    [Fact]
    public void CaptureMetadataSurvives()
    {
        var capture = new CaptureInfo
        {
            Make = "RawEngine",
            Model = "Test Body Mk II",
            LensMake = "Optics Inc",
            Lens = "Zoom 24-70mm F2.8",
            Iso = 3200,
            ExposureTime = 1 / 250f,
            FNumber = 2.8f,
            FocalLength = 35,
            SubjectDistance = 3.25f,
            Timestamp = new DateTime(2023, 10, 5, 17, 45, 12),
            Artist = "A. Photographer",
            Description = "Synthetic chart for the round trip",
            Gps = new GpsPosition(-33.8568, 151.2153, 42.5),
        };
        var matrices = new[]
        {
            new DngColorMatrix(Illuminant.StandardA, new Matrix3(0.7546f, -0.1435f, -0.0929f, -0.3846f, 1.1488f, 0.2692f, -0.0332f, 0.1209f, 0.6370f)),
            new DngColorMatrix(Illuminant.D65, SyntheticCameras.TypicalDslr),
        };
        var chart = SyntheticRaw.Chart(48, 32, new SyntheticRawOptions { XyzToCamera = SyntheticCameras.TypicalDslr, Capture = capture });
        var written = new RawImage
        {
            SensorWidth = chart.SensorWidth, SensorHeight = chart.SensorHeight, SamplesPerPixel = 1, Data = chart.Data,
            Visible = chart.Visible, Cfa = chart.Cfa, Black = chart.Black, White = chart.White,
            AsShotMultipliers = chart.AsShotMultipliers, XyzToCamera = chart.XyzToCamera,
            DngColorMatrices = matrices, BaselineExposure = 0.75f, Capture = capture,
        };

        var read = RoundTrip(written, "metadata.dng");

        Assert.Equal(capture.Make, read.Capture.Make);
        Assert.Equal(capture.Model, read.Capture.Model);
        Assert.Equal(capture.LensMake, read.Capture.LensMake);
        Assert.Equal(capture.Lens, read.Capture.Lens);
        Assert.Equal(capture.Iso, read.Capture.Iso);
        Assert.Equal(capture.ExposureTime, read.Capture.ExposureTime, 1e-7f);
        Assert.Equal(capture.FNumber, read.Capture.FNumber, 1e-5f);
        Assert.Equal(capture.FocalLength, read.Capture.FocalLength, 1e-5f);
        Assert.Equal(capture.SubjectDistance, read.Capture.SubjectDistance, 1e-5f);
        Assert.Equal(capture.Timestamp, read.Capture.Timestamp);
        Assert.Equal(capture.Artist, read.Capture.Artist);
        Assert.Equal(capture.Description, read.Capture.Description);
        Assert.NotNull(read.Capture.Gps);
        Assert.Equal(capture.Gps.Latitude, read.Capture.Gps.Latitude, 1e-5);
        Assert.Equal(capture.Gps.Longitude, read.Capture.Gps.Longitude, 1e-5);
        Assert.Equal(capture.Gps.Altitude!.Value, read.Capture.Gps.Altitude!.Value, 1e-5);
        Assert.Equal(0.75f, read.BaselineExposure!.Value, 1e-6f);
        Assert.Equal(matrices.Length, read.DngColorMatrices.Count);
        for (var i = 0; i < matrices.Length; i++)
        {
            Assert.Equal(matrices[i].Illuminant, read.DngColorMatrices[i].Illuminant);
            AssertClose(matrices[i].XyzToCamera.ToArray(), read.DngColorMatrices[i].XyzToCamera.ToArray(), 1e-6f);
        }
        AssertClose(written.AsShotMultipliers, read.AsShotMultipliers, 1e-5f);
    }

    [Fact]
    public void IdentityCameraStatesItsMatrixAndNeutral()
    {
        var read = RoundTrip(SyntheticRaw.Chart(32, 24), "identity.dng");

        var matrix = Assert.Single(read.DngColorMatrices);
        Assert.Equal(Illuminant.D65, matrix.Illuminant);
        AssertClose(SyntheticCameras.XyzToLinearSrgb.ToArray(), matrix.XyzToCamera.ToArray(), 1e-6f);
        Assert.Equal([1f, 1f, 1f], read.AsShotMultipliers);
        Assert.Equal(512f, read.Black.Mean);
        Assert.Equal(16383f, read.White);
        Assert.Equal("RawEngine", read.Capture.Make);
        Assert.Equal("Synthetic", read.Capture.Model);
    }

    [Fact]
    public void XyzToCameraComesFromTheDngMatrix()
    {
        var read = RoundTrip(SyntheticRaw.Chart(32, 24, new SyntheticRawOptions { XyzToCamera = SyntheticCameras.TypicalDslr }), "matrix.dng");
        AssertClose(SyntheticCameras.TypicalDslr.ToArray(), read.XyzToCamera!.ToArray(), 1e-6f);
    }

    [Theory]
    [InlineData("RGGB", 0)]
    [InlineData("GRBG", 2)]
    [InlineData("XTrans", 3)]
    [InlineData("Linear", 0)]
    public void PerChannelBlackSurvives(string layout, int margin)
    {
        var written = SyntheticRaw.Chart(40, 30, new SyntheticRawOptions { Cfa = Cfa(layout), Margin = margin, BlackLevel = 1000, ChannelBlack = [24, 0, -16, 8] });
        var read = RoundTrip(written, "black.dng");

        AssertSameBlack(written, read);
        AssertSameVisibleSamples(written, read);
        Assert.False(SensorBlack.Of(read).IsUniform);
    }

    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public void ARealCameraDngSurvivesARewrite()
    {
        var original = RawDecoder.Decode(SharedData.CanonLinearDng);
        var read = RoundTrip(original, "rewritten.dng");

        Assert.Equal(original.Visible, read.Visible);
        Assert.True(original.Data.AsSpan().SequenceEqual(read.Data));
        Assert.Equal(original.Capture.Make, read.Capture.Make);
        Assert.Equal(original.Capture.Model, read.Capture.Model);
        Assert.Equal(original.Capture.Iso, read.Capture.Iso);
        Assert.Equal(original.Capture.Timestamp, read.Capture.Timestamp);
        Assert.Equal(original.White, read.White);
        Assert.Equal(original.DngColorMatrices.Select(m => m.Illuminant), read.DngColorMatrices.Select(m => m.Illuminant));
        for (var i = 0; i < original.DngColorMatrices.Count; i++)
            AssertClose(original.DngColorMatrices[i].XyzToCamera.ToArray(), read.DngColorMatrices[i].XyzToCamera.ToArray(), 1e-6f);
        AssertClose(original.AsShotMultipliers, read.AsShotMultipliers, 1e-5f);
        Assert.Equal(original.BaselineExposure!.Value, read.BaselineExposure!.Value, 1e-6f);
    }

    [Fact]
    public void FileWriteIsAtomicAndDoesNotOverwriteByDefault()
    {
        using var temp = new TempFolder();
        var path = temp.File("chart.dng");
        var raw = SyntheticRaw.Chart(32, 24);

        DngWriter.Write(raw, path);
        Assert.True(RawDecoder.Decode(path).Data.AsSpan().SequenceEqual(raw.Data));
        Assert.Throws<RawEngine.Engine.IO.OutputExistsException>(() => DngWriter.Write(raw, path));
        DngWriter.Write(SyntheticRaw.Chart(32, 24, new SyntheticRawOptions { Cfa = CfaPattern.Bggr }), path, new DngWriteOptions { Overwrite = true });
        Assert.Equal(CfaPattern.Bggr, RawDecoder.Decode(path).Cfa);

        var broken = new RawImage
        {
            SensorWidth = 32, SensorHeight = 24, SamplesPerPixel = 1, Data = new ushort[10], Visible = new PixelRect(0, 0, 32, 24),
            Cfa = CfaPattern.Rggb, Black = BlackLevels.Uniform(0), White = 4095, AsShotMultipliers = [1, 1, 1], XyzToCamera = SyntheticCameras.XyzToLinearSrgb,
        };
        var error = Assert.Throws<ArgumentException>(() => DngWriter.Write(broken, temp.File("broken.dng")));
        Assert.Contains("10 samples", error.Message);
        Assert.Equal(["chart.dng"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    internal static CfaPattern? Cfa(string layout) => layout switch
    {
        "XTrans" => CfaPattern.XTrans,
        "Linear" => null,
        _ => CfaPattern.Bayer(layout),
    };

    internal static RawImage RoundTrip(RawImage image, string name) => RawDecoder.Decode(DngWriter.ToBytes(image), name);

    private static void AssertSameVisibleSamples(RawImage expected, RawImage actual)
    {
        var samples = expected.SamplesPerPixel;
        for (var row = 0; row < expected.Visible.Height; row++)
            for (var col = 0; col < expected.Visible.Width; col++)
                for (var s = 0; s < samples; s++)
                    if (expected.VisibleSample(row, col, s) != actual.VisibleSample(row, col, s))
                        Assert.Fail($"visible ({row}, {col}) sample {s}: wrote {expected.VisibleSample(row, col, s)}, read {actual.VisibleSample(row, col, s)}");
    }

    /// <summary>The black that applies to each sensor sample, however the reader splits it into base, channels and pattern.</summary>
    private static void AssertSameBlack(RawImage expected, RawImage actual)
    {
        var (wrote, read) = (SensorBlack.Of(expected), SensorBlack.Of(actual));
        for (var row = -6; row < 12; row++)
            for (var col = -6; col < 12; col++)
                for (var s = 0; s < expected.SamplesPerPixel; s++)
                    Assert.True(wrote.At(row, col, s) == read.At(row, col, s), $"black at visible ({row}, {col}) sample {s}: wrote {wrote.At(row, col, s)}, read {read.At(row, col, s)}");
    }

    private static void AssertSameLevelsAndNeutral(RawImage expected, RawImage actual)
    {
        Assert.Equal(expected.White, actual.White);
        AssertClose(expected.AsShotMultipliers, actual.AsShotMultipliers, 1e-5f);
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"value {i}: expected {expected[i]}, got {actual[i]}");
    }
}
