using RawEngine.Engine.Raw;

namespace RawEngine.Tests.Pipeline.TestOps;

/// <summary>Raw images made in memory: random sensor values with a margin around the visible area.</summary>
public static class SyntheticRaw
{
    public static RawImage Rgb(int width, int height, int seed = 1) => Make(width, height, 3, null, seed);

    public static RawImage Mosaic(int width, int height, CfaPattern cfa, int seed = 1) => Make(width, height, 1, cfa, seed);

    private static RawImage Make(int width, int height, int samples, CfaPattern? cfa, int seed)
    {
        const int margin = 3;
        var sensorWidth = width + 2 * margin;
        var sensorHeight = height + 2 * margin;
        var random = new Random(seed);
        var data = new ushort[sensorWidth * sensorHeight * samples];
        for (var i = 0; i < data.Length; i++) data[i] = (ushort)random.Next(0, 16384);
        return new RawImage
        {
            SensorWidth = sensorWidth,
            SensorHeight = sensorHeight,
            SamplesPerPixel = samples,
            Data = data,
            Visible = new PixelRect(margin, margin, width, height),
            Cfa = cfa,
            Black = BlackLevels.Uniform(512),
            White = 16383,
            AsShotMultipliers = [2f, 1f, 1.5f],
            XyzToCamera = new Matrix3(1, 0, 0, 0, 1, 0, 0, 0, 1),
        };
    }
}
