using RawEngine.Engine;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Tests.Pipeline.TestOps;

namespace RawEngine.Tests.Pipeline;

public class RoiTests
{
    private static readonly Edit RgbEdit = Edit.Empty
        .With("gain", new GainParams { Gain = 1.5f, Offset = 0.1f })
        .With("box_blur", new BoxBlurParams { Strength = 0.8f })
        .With("box_blur#2", new BoxBlurParams { Strength = 1f })
        .With("late_gain", new GainParams { Gain = 0.5f });

    [Fact]
    public async Task RegionRendersEqualTheSameCropOfAFullRenderAtRandomScales()
    {
        using var fixture = new PipeFixture();
        using var session = fixture.Engine.Open(TestRaws.Rgb(97, 61));
        var random = new Random(5);
        foreach (var scale in new[] { 1.0, 0.5, 0.37, 0.8, 1.6 })
        {
            using var full = await session.RenderAsync(RgbEdit, Roi.Full(new ImageSize(97, 61), scale));
            for (var i = 0; i < 6; i++)
            {
                var x = random.Next(full.Width);
                var y = random.Next(full.Height);
                var roi = new Roi(x, y, random.Next(1, full.Width - x + 1), random.Next(1, full.Height - y + 1), scale);
                using var part = await session.RenderAsync(RgbEdit, roi);
                Assert.Equal((roi.Width, roi.Height, 4), (part.Width, part.Height, part.Channels));
                Assert.Equal(PipeFixture.Crop(full, x, y, roi.Width, roi.Height), PipeFixture.Pixels(part));
            }
        }
    }

    [Theory]
    [InlineData("RGGB")]
    [InlineData("XTRANS")]
    public async Task CfaRegionRendersEqualTheSameCrop(string pattern)
    {
        using var fixture = new PipeFixture();
        var cfa = pattern == "XTRANS" ? CfaPattern.XTrans : CfaPattern.Bayer(pattern);
        using var session = fixture.Engine.Open(TestRaws.Mosaic(83, 71, cfa));
        var edit = Edit.Empty.With("cfa_smooth", new CfaSmoothParams { RedGain = 2, BlueGain = 0.5f }).With("gain", new GainParams { Gain = 2 });
        using var full = await session.RenderAsync(edit, Roi.Full(new ImageSize(83, 71)));
        var random = new Random(9);
        for (var i = 0; i < 8; i++)
        {
            var x = random.Next(83);
            var y = random.Next(71);
            var roi = new Roi(x, y, random.Next(1, 84 - x), random.Next(1, 72 - y));
            using var part = await session.RenderAsync(edit, roi);
            Assert.Equal(PipeFixture.Crop(full, x, y, roi.Width, roi.Height), PipeFixture.Pixels(part));
        }
    }

    [Fact]
    public async Task TheSourceHandsRawValuesOfTheVisibleArea()
    {
        using var fixture = new PipeFixture();
        var raw = TestRaws.Mosaic(20, 16, CfaPattern.Rggb);
        using var session = fixture.Engine.Open(raw);
        using var buffer = await session.RenderAsync(Edit.Empty, new Roi(3, 2, 5, 4));
        Assert.Equal(1, buffer.Channels);
        Assert.Equal(raw.VisibleSample(2 + 1, 3 + 4), buffer.At(4, 1));
    }

    [Fact]
    public async Task BadRegionsAndScalesAreRefusedByName()
    {
        using var fixture = new PipeFixture();
        using var session = fixture.Engine.Open(TestRaws.Rgb(40, 30));
        var outside = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => session.RenderAsync(RgbEdit, new Roi(30, 0, 20, 10)));
        Assert.Contains("outside the 40x30 image", outside.Message);
        var halfOutside = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => session.RenderAsync(RgbEdit, new Roi(0, 0, 30, 20, 0.5)));
        Assert.Contains("outside the 20x15 image at scale 0.5", halfOutside.Message);
        var zero = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => session.RenderAsync(RgbEdit, new Roi(0, 0, 10, 10, 0)));
        Assert.Contains("scale must be a positive number", zero.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => session.RenderAsync(RgbEdit, new Roi(0, 0, 10, 10, -1)));
        var empty = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => session.RenderAsync(RgbEdit, new Roi(0, 0, 0, 10)));
        Assert.Contains("empty", empty.Message);
    }

    [Fact]
    public async Task ModulesThatDoNotAcceptTheFormatAreNamed()
    {
        using var fixture = new PipeFixture();
        using var session = fixture.Engine.Open(TestRaws.Mosaic(16, 16, CfaPattern.Rggb));
        var error = await Assert.ThrowsAsync<PipeException>(() => session.RenderAsync(Edit.Empty.With("box_blur", new BoxBlurParams()), new Roi(0, 0, 4, 4)));
        Assert.Equal((ErrorSubjectKind.Module, "box_blur"), (error.SubjectKind, error.Subject));
        Assert.StartsWith("module 'box_blur': accepts Rgba", error.Message);
        Assert.Contains("from the raw source", error.Message);
    }
}
