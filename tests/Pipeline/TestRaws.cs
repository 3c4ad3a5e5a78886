using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;

namespace RawEngine.Tests.Pipeline;

/// <summary>Small synthetic raws for pipe tests: the engine's test chart with noise, a margin around the visible area.</summary>
public static class TestRaws
{
    public static RawImage Rgb(int width, int height) =>
        SyntheticRaw.Chart(width, height, new SyntheticRawOptions { Cfa = null, Margin = 3, Noise = SensorNoise.AtIso(3200) });

    /// <summary>Bayer margins are even (as LibRaw reads them); X-Trans ones odd, to move the phase.</summary>
    public static RawImage Mosaic(int width, int height, CfaPattern cfa) =>
        SyntheticRaw.Chart(width, height, new SyntheticRawOptions { Cfa = cfa, Margin = cfa.Kind == CfaKind.Bayer ? 4 : 3, Noise = SensorNoise.AtIso(3200) });
}
