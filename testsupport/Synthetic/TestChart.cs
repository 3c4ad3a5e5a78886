namespace RawEngine.Engine.Synthetic;

/// <summary>
/// A procedural test chart in linear sRGB, laid out in proportion to any size: a 6x4 grid of colour
/// patches (saturated and pastel hues, a grey scale), smooth ramps (grey, R, G, B, a hue sweep), a
/// zone plate and line pairs of 1..3 px half-periods that show demosaic aliasing and resolution.
/// </summary>
public static class TestChart
{
    private const double PatchesEnd = 0.4, RampsEnd = 0.65;

    public static LinearScene Create(int width, int height)
    {
        if (width < 16 || height < 16) throw new ArgumentOutOfRangeException(nameof(width), $"A test chart needs at least 16x16 pixels, not {width}x{height}.");
        var rgb = new float[width * height * 3];
        var patchesEnd = (int)(height * PatchesEnd);
        var rampsEnd = (int)(height * RampsEnd);
        Parallel.For(0, height, y =>
        {
            var row = rgb.AsSpan(y * width * 3, width * 3);
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = y < patchesEnd ? Patch(x * 6 / width, y * 4 / patchesEnd)
                    : y < rampsEnd ? Ramp(x / (double)(width - 1), (y - patchesEnd) * 5 / (rampsEnd - patchesEnd))
                    : Detail(x, y - rampsEnd, width, height - rampsEnd);
                row[x * 3] = (float)r;
                row[x * 3 + 1] = (float)g;
                row[x * 3 + 2] = (float)b;
            }
        });
        return new LinearScene(width, height, rgb);
    }

    private static (double, double, double) Patch(int column, int row) => row switch
    {
        0 => Hue(column * 60, 1.0, 0.6),          // R, Y, G, C, B, M
        1 => Hue(column * 60 + 30, 0.8, 0.4),     // the hues between, darker
        2 => Hue(column * 60 + 15, 0.35, 0.5),    // pastels
        _ => Grey(0.9 * Math.Pow(0.45, 5 - column)), // grey scale, about 1.2 EV apart
    };

    private static (double, double, double) Ramp(double t, int band) => band switch
    {
        0 => Grey(t),
        1 => (t, 0, 0),
        2 => (0, t, 0),
        3 => (0, 0, t),
        _ => Hue(t * 360, 1.0, 0.7),
    };

    /// <summary>Left half: a circular zone plate; right half: vertical then horizontal line pairs.</summary>
    private static (double, double, double) Detail(int x, int y, int width, int height)
    {
        var half = width / 2;
        if (x < half)
        {
            double dx = x - half / 2.0, dy = y - height / 2.0;
            var maxRadius = Math.Min(half, height) / 2.0;
            // Phase k*r^2 with k chosen so the local frequency reaches Nyquist (pi per pixel) at the rim.
            var k = Math.PI / (2 * maxRadius);
            return Grey(0.05 + 0.75 * (0.5 + 0.5 * Math.Cos(k * (dx * dx + dy * dy))));
        }
        var column = x - half;
        var halfPeriod = 1 + column * 3 / (width - half); // 1, 2, 3 px wide lines
        var vertical = y < height / 2;
        var position = vertical ? column : y;
        return Grey(position / halfPeriod % 2 == 0 ? 0.8 : 0.05);
    }

    private static (double, double, double) Grey(double v) => (v, v, v);

    /// <summary>A colour of the given hue (degrees), saturation and value, in linear light.</summary>
    private static (double, double, double) Hue(double degrees, double saturation, double value)
    {
        double Channel(double offset)
        {
            var k = ((degrees / 60 + offset) % 6 + 6) % 6;
            return value * (1 - saturation * Math.Clamp(Math.Min(k, 4 - k), 0, 1));
        }
        return (Channel(5), Channel(3), Channel(1));
    }
}
