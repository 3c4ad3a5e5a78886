using RawEngine.Engine.Raw;
using RawEngine.Iop.Temperature;

namespace RawEngine.Tests.Iop;

/// <summary>--wb auto: LibRaw's grey world, over 8x8 blocks free of near-white samples, black subtracted.</summary>
public class GreyWorldTests
{
    private static RawImage GreyUnderACast(int width, int height, bool clippedBlock)
    {
        const int black = 100;
        var cfa = CfaPattern.Bayer("GRBG");
        var data = new ushort[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                // A grey scene of varying brightness (one grey per 2x2 cell) seen through a cast: red at half of green, blue at a quarter.
                var grey = 400 + (y / 2 * 37 + x / 2 * 101) % 2000;
                var gain = cfa.ColorAt(y, x) switch { 0 => 0.5, 2 => 0.25, _ => 1.0 };
                data[y * width + x] = (ushort)(black + grey * gain);
            }
        if (clippedBlock)
            for (var y = 8; y < 16; y++)
                for (var x = 8; x < 16; x++)
                    data[y * width + x] = (ushort)(cfa.ColorAt(y, x) == 0 ? 4095 : black); // a saturated red patch: must be left out
        return new RawImage
        {
            SensorWidth = width, SensorHeight = height, SamplesPerPixel = 1, Data = data,
            Visible = new PixelRect(0, 0, width, height), Cfa = cfa,
            Black = BlackLevels.Uniform(black), White = 4095, AsShotMultipliers = [1, 1, 1], XyzToCamera = null,
        };
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RecoversTheCastOfAGreyScene(bool clippedBlock)
    {
        var multipliers = GreyWorld.Multipliers(GreyUnderACast(96, 64, clippedBlock))!;
        Assert.Equal(2.0, multipliers[0], 0.005);
        Assert.Equal(1f, multipliers[1]);
        Assert.Equal(4.0, multipliers[2], 0.01);
    }

    [Fact]
    public void NothingUnclippedGivesNoEstimate()
    {
        var image = GreyUnderACast(16, 16, clippedBlock: false);
        Array.Fill(image.Data, (ushort)4095);
        Assert.Null(GreyWorld.Multipliers(image));
    }

    [Fact]
    public void AutoModeUsesIt()
    {
        var image = GreyUnderACast(96, 64, clippedBlock: false);
        var multipliers = TemperatureOperation.Multipliers(new TemperatureParams { Mode = WhiteBalanceMode.Auto }, image);
        Assert.Equal(2.0, multipliers[0], 0.005);
        Assert.Equal([1f, 1f, 1f], TemperatureOperation.Multipliers(new TemperatureParams(), image));
    }
}
