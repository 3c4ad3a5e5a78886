using RawEngine.Engine.Raw;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Raw;

public class RawDecoderTests
{
    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public void DecodesTheRealCanonLinearDng()
    {
        var image = RawDecoder.Decode(SharedData.CanonLinearDng);

        Assert.Equal(1224, image.Visible.Width);
        Assert.Equal(816, image.Visible.Height);
        Assert.Equal(3, image.SamplesPerPixel);
        Assert.False(image.IsCfa);
        Assert.Equal("Canon", image.Capture.Make);
        Assert.Contains("6D", image.Capture.Model);
        Assert.True(image.White > image.Black.Mean, $"white {image.White} should exceed black {image.Black.Mean}");
        Assert.Equal(image.SensorWidth * image.SensorHeight * 3, image.Data.Length);
        Assert.False(image.XyzToCamera!.IsZero);
        Assert.All(image.AsShotMultipliers, m => Assert.InRange(m, 0.1f, 10f));
        Assert.Equal(1f, image.AsShotMultipliers[1]);
        // A real photo (8-bit source through a linearisation table): many levels, mostly unclipped.
        var distinct = image.Data.Distinct().Count();
        Assert.True(distinct >= 128, $"only {distinct} distinct sample values");
        var clipped = image.Data.Count(v => v >= image.White);
        Assert.True(clipped < image.Data.Length / 100, $"{clipped} clipped samples");
    }

    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public void StreamAndFileDecodeTheSame()
    {
        var fromFile = RawDecoder.Decode(SharedData.CanonLinearDng);
        using var stream = File.OpenRead(SharedData.CanonLinearDng);
        var fromStream = RawDecoder.Decode(stream, "canon.dng");

        Assert.Equal(fromFile.Visible, fromStream.Visible);
        Assert.True(fromFile.Data.AsSpan().SequenceEqual(fromStream.Data));
        Assert.Equal("canon.dng", fromStream.Source);
    }

    [Fact]
    public void MissingEmptyAndNonRawFilesAreReportedByName()
    {
        using var temp = new TempFolder();
        var empty = temp.File("empty.dng");
        File.WriteAllBytes(empty, []);
        var text = temp.File("notes.txt");
        File.WriteAllText(text, "this is not a raw file at all, just some text that goes on for a while");

        foreach (var path in new[] { temp.File("missing.dng"), empty, text, temp.Path, SharedData.Kodak(1) })
        {
            var error = Assert.Throws<RawDecodeException>(() => RawDecoder.Decode(path));
            Assert.Equal(path, error.Subject);
            Assert.StartsWith(path + ": ", error.Message);
            Assert.False(string.IsNullOrWhiteSpace(error.Reason));
        }
    }

    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public void TruncatedSensorDataIsAnErrorNotAnImage()
    {
        var bytes = File.ReadAllBytes(SharedData.CanonLinearDng);
        var truncated = bytes.AsMemory(0, bytes.Length * 3 / 4);

        var error = Assert.Throws<RawDecodeException>(() => RawDecoder.Decode(truncated, "cut.dng"));
        Assert.Equal("cut.dng", error.Subject);
    }

    [SharedFact("the real Canon EOS 6D DNG (raw/canon_eos_6d_linear.dng)")]
    public void ACancelledTokenStopsTheDecode()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => RawDecoder.Decode(SharedData.CanonLinearDng, cancelled.Token));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 3)]
    [InlineData(2, 4)]
    [InlineData(4, 5)]
    [InlineData(6, 6)]
    [InlineData(7, 7)]
    [InlineData(5, 8)]
    public void LibRawFlipMapsToExifOrientation(int flip, int orientation) =>
        Assert.Equal(orientation, RawDecoder.OrientationFromFlip(flip));
}
