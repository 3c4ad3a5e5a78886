using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Color;

/// <summary>A CIE xy chromaticity.</summary>
public readonly record struct Chromaticity(double X, double Y)
{
    /// <summary>XYZ with Y = 1.</summary>
    public (double X, double Y, double Z) ToXyz() => (X / Y, 1, (1 - X - Y) / Y);

    public static Chromaticity D50 { get; } = new(0.3457, 0.3585);
    public static Chromaticity D65 { get; } = new(0.3127, 0.3290);

    /// <summary>Colour temperatures <see cref="FromTemperature"/> takes, in kelvin (the range of its Planckian-locus fit).</summary>
    public const double MinKelvin = 1667, MaxKelvin = 25000;

    /// <summary>One unit of tint moves the white this far in CIE 1960 uv, across the locus (the DNG SDK's scale).</summary>
    private const double UvPerTint = 1.0 / 3000;

    /// <summary>
    /// The white of a black body at <paramref name="kelvin"/> (Kim et al.'s cubic fit of the Planckian locus), moved
    /// <paramref name="tint"/> units across the locus in CIE 1960 uv: positive towards magenta, negative towards green,
    /// as raw converters' temperature/tint sliders do.
    /// </summary>
    public static Chromaticity FromTemperature(double kelvin, double tint = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kelvin, MinKelvin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(kelvin, MaxKelvin);
        var (u, v) = Planck(kelvin).ToUv();
        // Across the locus: the normal of its tangent, pointed at green (+v), then the tint taken away from it.
        var step = kelvin < MaxKelvin - 1 ? 1.0 : -1.0;
        var (u2, v2) = Planck(kelvin + step).ToUv();
        double du = (u2 - u) * step, dv = (v2 - v) * step, length = Math.Sqrt(du * du + dv * dv);
        double greenU = -dv / length, greenV = du / length;
        if (greenV < 0) (greenU, greenV) = (-greenU, -greenV);
        return FromUv(u - tint * UvPerTint * greenU, v - tint * UvPerTint * greenV);
    }

    private static Chromaticity Planck(double kelvin)
    {
        double t = kelvin, t2 = t * t, t3 = t2 * t;
        var x = t <= 4000
            ? -0.2661239e9 / t3 - 0.2343589e6 / t2 + 0.8776956e3 / t + 0.179910
            : -3.0258469e9 / t3 + 2.1070379e6 / t2 + 0.2226347e3 / t + 0.240390;
        double x2 = x * x, x3 = x2 * x;
        var y = t <= 2222 ? -1.1063814 * x3 - 1.34811020 * x2 + 2.18555832 * x - 0.20219683
            : t <= 4000 ? -0.9549476 * x3 - 1.37418593 * x2 + 2.09137015 * x - 0.16748867
            : 3.0817580 * x3 - 5.87338670 * x2 + 3.75112997 * x - 0.37001483;
        return new Chromaticity(x, y);
    }

    /// <summary>CIE 1960 uv.</summary>
    public (double U, double V) ToUv()
    {
        var d = -2 * X + 12 * Y + 3;
        return (4 * X / d, 6 * Y / d);
    }

    public static Chromaticity FromUv(double u, double v)
    {
        var d = 2 * u - 8 * v + 4;
        return new Chromaticity(3 * u / d, 2 * v / d);
    }
}

/// <summary>
/// An RGB space defined by primaries, white point and transfer curve. Matrices are derived, not
/// tabulated, so every space is consistent with its ICC profile.
/// </summary>
public sealed record RgbColorSpace(string Id, string Description, Chromaticity Red, Chromaticity Green, Chromaticity Blue, Chromaticity White, TransferFunction Transfer)
{
    public static RgbColorSpace Srgb { get; } = new("srgb", "sRGB IEC61966-2.1", new(0.64, 0.33), new(0.30, 0.60), new(0.15, 0.06), Chromaticity.D65, TransferFunction.Srgb);
    public static RgbColorSpace DisplayP3 { get; } = new("display-p3", "Display P3", new(0.680, 0.320), new(0.265, 0.690), new(0.150, 0.060), Chromaticity.D65, TransferFunction.Srgb);
    public static RgbColorSpace AdobeRgb { get; } = new("adobe-rgb", "Adobe RGB (1998) compatible", new(0.64, 0.33), new(0.21, 0.71), new(0.15, 0.06), Chromaticity.D65, TransferFunction.AdobeRgb);
    public static RgbColorSpace ProPhoto { get; } = new("prophoto", "ProPhoto RGB (ROMM)", new(0.7347, 0.2653), new(0.1596, 0.8404), new(0.0366, 0.0001), Chromaticity.D50, TransferFunction.ProPhoto);
    public static RgbColorSpace Rec2020 { get; } = new("rec2020", "ITU-R BT.2020", new(0.708, 0.292), new(0.170, 0.797), new(0.131, 0.046), Chromaticity.D65, TransferFunction.Rec709);
    /// <summary>The pipe's working space: linear Rec.2020.</summary>
    public static RgbColorSpace LinearRec2020 { get; } = Rec2020.AsLinear();

    public static IReadOnlyList<RgbColorSpace> Outputs { get; } = [Srgb, DisplayP3, AdobeRgb, ProPhoto, Rec2020];

    /// <summary>The same primaries and white with a linear curve (id gets a "-linear" suffix).</summary>
    public RgbColorSpace AsLinear() =>
        Transfer.IsLinear ? this : this with { Id = Id + "-linear", Description = Description + " (linear)", Transfer = TransferFunction.Linear };

    /// <summary>Finds an output space by id, e.g. "srgb", "prophoto-linear"; null when unknown.</summary>
    public static RgbColorSpace? Find(string id)
    {
        var key = id.Trim().ToLowerInvariant();
        foreach (var space in Outputs)
        {
            if (space.Id == key) return space;
            if (space.Id + "-linear" == key) return space.AsLinear();
        }
        return null;
    }

    /// <summary>Linear RGB to XYZ relative to this space's own white.</summary>
    public Matrix3 ToXyz
    {
        get
        {
            var (rx, ry, rz) = Red.ToXyz();
            var (gx, gy, gz) = Green.ToXyz();
            var (bx, by, bz) = Blue.ToXyz();
            var primaries = new Matrix3((float)rx, (float)gx, (float)bx, (float)ry, (float)gy, (float)by, (float)rz, (float)gz, (float)bz);
            var (wx, wy, wz) = White.ToXyz();
            var (sr, sg, sb) = primaries.Inverse().Transform((float)wx, (float)wy, (float)wz);
            return primaries * Matrix3.Diagonal(sr, sg, sb);
        }
    }

    /// <summary>Linear RGB to XYZ adapted to D50 (the ICC PCS) with Bradford.</summary>
    public Matrix3 ToXyzD50 => ChromaticAdaptation.Bradford(White, Chromaticity.D50) * ToXyz;
}

/// <summary>Von Kries-type white point adaptation in the Bradford cone space.</summary>
public static class ChromaticAdaptation
{
    private static readonly Matrix3 BradfordCone = new(0.8951f, 0.2664f, -0.1614f, -0.7502f, 1.7135f, 0.0367f, 0.0389f, -0.0685f, 1.0296f);

    public static Matrix3 Bradford(Chromaticity from, Chromaticity to)
    {
        if (from == to) return Matrix3.Identity;
        var (fx, fy, fz) = from.ToXyz();
        var (tx, ty, tz) = to.ToXyz();
        var (fr, fg, fb) = BradfordCone.Transform((float)fx, (float)fy, (float)fz);
        var (tr, tg, tb) = BradfordCone.Transform((float)tx, (float)ty, (float)tz);
        return BradfordCone.Inverse() * Matrix3.Diagonal(tr / fr, tg / fg, tb / fb) * BradfordCone;
    }
}
