using RawEngine.Engine.Imaging;
namespace RawEngine.Engine.Raw;

/// <summary>
/// The black level of every cell of the sensor's repeating tile, stated like the CFA at the visible
/// area's origin: the CFA period combined with any black pattern period (LinearRaw: one cell, one value
/// per sample). What a DNG's BlackLevel / BlackLevelRepeatDim states (at its ActiveArea origin) and what
/// a raw-prepare step subtracts.
/// </summary>
public sealed class SensorBlack
{
    private readonly float[] _values;
    private readonly byte[] _colors;

    public int Width { get; }
    public int Height { get; }
    public int Samples { get; }

    private SensorBlack(int width, int height, int samples, float[] values, byte[] colors)
    {
        Width = width;
        Height = height;
        Samples = samples;
        _values = values;
        _colors = colors;
    }

    /// <summary>Values row by row, cell by cell, sample by sample.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>The colour (0 R, 1 G, 2 B) each of <see cref="Values"/> belongs to: its cell's CFA colour, or its sample for LinearRaw.</summary>
    public ReadOnlySpan<byte> Colors => _colors;

    public bool IsUniform => _values.AsSpan().IndexOfAnyExcept(_values[0]) < 0;

    /// <summary>Black of a sample at (row, col) relative to the visible origin (negative inside top/left margins).</summary>
    public float At(int row, int col, int sample = 0) => _values[(Periodic.Wrap(row, Height) * Width + Periodic.Wrap(col, Width)) * Samples + sample];

    public static SensorBlack Of(RawImage image)
    {
        var black = image.Black;
        var patternWidth = black.Pattern is null ? 1 : Math.Max(1, black.PatternWidth);
        var patternHeight = black.Pattern is null ? 1 : Math.Max(1, black.PatternHeight);
        var width = Periodic.Lcm(image.Cfa?.Width ?? 1, patternWidth);
        var height = Periodic.Lcm(image.Cfa?.Height ?? 1, patternHeight);
        var samples = image.SamplesPerPixel;
        var values = new float[width * height * samples];
        var colors = new byte[values.Length];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var s = 0; s < samples; s++)
                {
                    var cell = (y * width + x) * samples + s;
                    values[cell] = black.At(y, x, image.Cfa is { } cfa ? ChannelIndex(cfa, y, x) : s);
                    colors[cell] = (byte)(image.Cfa?.ColorAt(y, x) ?? s);
                }
        return new SensorBlack(width, height, samples, values, colors);
    }

    /// <summary>
    /// LibRaw's colour index for per-channel black at a position relative to the CFA's origin:
    /// 0 R, 1 G, 2 B, and 3 for the Bayer green that shares its row with blue.
    /// </summary>
    public static int ChannelIndex(CfaPattern cfa, int row, int col)
    {
        var color = cfa.ColorAt(row, col);
        if (color != 1 || cfa.Kind != CfaKind.Bayer) return color;
        return cfa.ColorAt(row, col + 1) == 2 ? 3 : 1;
    }

}
