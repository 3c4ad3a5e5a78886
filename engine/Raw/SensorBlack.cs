namespace RawEngine.Engine.Raw;

/// <summary>
/// The black level of every cell of the sensor's repeating tile, from the sensor origin: the CFA period
/// combined with any black pattern period (LinearRaw: one cell, one value per sample). What a DNG's
/// BlackLevel / BlackLevelRepeatDim states and what a raw-prepare step subtracts.
/// </summary>
public sealed class SensorBlack
{
    private readonly float[] _values;

    public int Width { get; }
    public int Height { get; }
    public int Samples { get; }

    private SensorBlack(int width, int height, int samples, float[] values)
    {
        Width = width;
        Height = height;
        Samples = samples;
        _values = values;
    }

    /// <summary>Values row by row, cell by cell, sample by sample.</summary>
    public ReadOnlySpan<float> Values => _values;

    public bool IsUniform => _values.AsSpan().IndexOfAnyExcept(_values[0]) < 0;

    /// <summary>Black of a sensor sample at sensor (row, col).</summary>
    public float At(int row, int col, int sample = 0) => _values[((row % Height) * Width + col % Width) * Samples + sample];

    public static SensorBlack Of(RawImage image)
    {
        var black = image.Black;
        var patternWidth = black.Pattern is null ? 1 : Math.Max(1, black.PatternWidth);
        var patternHeight = black.Pattern is null ? 1 : Math.Max(1, black.PatternHeight);
        if (image.Cfa is not { } cfa)
        {
            var linear = new float[patternWidth * patternHeight * image.SamplesPerPixel];
            for (var y = 0; y < patternHeight; y++)
                for (var x = 0; x < patternWidth; x++)
                    for (var s = 0; s < image.SamplesPerPixel; s++)
                        linear[(y * patternWidth + x) * image.SamplesPerPixel + s] = black.At(y, x, s);
            return new SensorBlack(patternWidth, patternHeight, image.SamplesPerPixel, linear);
        }

        var width = Lcm(cfa.Width, patternWidth);
        var height = Lcm(cfa.Height, patternHeight);
        var values = new float[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                values[y * width + x] = black.At(y, x, ChannelIndex(cfa, y - image.Visible.Y, x - image.Visible.X));
        return new SensorBlack(width, height, 1, values);
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

    private static int Lcm(int a, int b) => a / Gcd(a, b) * b;
    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
