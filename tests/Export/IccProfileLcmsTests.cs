using RawEngine.Engine.Color;
using VipsImage = NetVips.Image;

namespace RawEngine.Tests.Export;

/// <summary>
/// Our ICC profiles as a real CMS (lcms, inside libvips' icc_transform / icc_import) reads them: colours
/// converted from each of our profiles land where our own matrix and curve maths put them.
/// </summary>
public class IccProfileLcmsTests
{
    /// <summary>
    /// sRGB colours inside every output gamut and away from sRGB's own boundary: lcms runs a 16-bit
    /// RGB-to-RGB transform through an interpolated grid, and grid nodes just outside the target gamut are
    /// clipped, which bends colours next to the boundary by several levels whatever the profiles.
    /// </summary>
    private static readonly double[][] InnerSrgbColours =
    [
        [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.5, 0.5, 0.5], [0.18, 0.18, 0.18], [0.03, 0.03, 0.03], [0.9, 0.3, 0.25],
        [0.25, 0.8, 0.3], [0.25, 0.3, 0.85], [0.95, 0.9, 0.35], [0.6, 0.3, 0.7], [0.3, 0.7, 0.75], [0.8, 0.55, 0.45],
    ];

    /// <summary>Saturated and dark colours too, for the Lab comparison, which has no grid in the way.</summary>
    private static readonly double[][] AllSrgbColours =
    [
        .. InnerSrgbColours, [0.9, 0.2, 0.1], [0.1, 0.8, 0.2], [0.15, 0.25, 0.85], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.03, 0.02, 0.05],
    ];

    [Fact]
    public void Our_srgb_profile_matches_the_builtin_srgb()
    {
        var converted = ToBuiltinSrgb(RgbColorSpace.Srgb, AllSrgbColours);
        for (var i = 0; i < AllSrgbColours.Length; i++)
            AssertClose(AllSrgbColours[i], converted[i], 1.0 / 255, $"sRGB colour {i}");
    }

    [Theory]
    [InlineData("adobe-rgb", 1.5)]
    [InlineData("prophoto", 2.5)] // the widest gamut: lcms's grid is coarsest in sRGB terms (worst seen 2.24 levels)
    [InlineData("display-p3", 1.5)]
    [InlineData("rec2020", 1.5)]
    [InlineData("srgb-linear", 1.5)]
    [InlineData("prophoto-linear", 2.5)]
    public void Lcms_brings_our_encoding_back_to_the_builtin_srgb(string spaceId, double tolerance255)
    {
        var space = RgbColorSpace.Find(spaceId)!;
        // Encode each sRGB colour in the source space with our maths; lcms must bring it back to sRGB.
        var encoded = InnerSrgbColours.Select(c => FromSrgb(space, c)).ToArray();
        var converted = ToBuiltinSrgb(space, encoded);
        for (var i = 0; i < InnerSrgbColours.Length; i++)
            AssertClose(InnerSrgbColours[i], converted[i], tolerance255 / 255, $"{spaceId} colour {i}");
    }

    [Theory]
    [InlineData("srgb")]
    [InlineData("adobe-rgb")]
    [InlineData("prophoto")]
    [InlineData("display-p3")]
    [InlineData("rec2020")]
    [InlineData("rec2020-linear")]
    public void Lcms_reads_our_profiles_to_the_same_lab_as_our_maths(string spaceId)
    {
        var space = RgbColorSpace.Find(spaceId)!;
        var encoded = AllSrgbColours.Select(c => FromSrgb(space, c)).ToArray();
        var lab = ToLab(space, encoded);
        for (var i = 0; i < encoded.Length; i++)
        {
            var expected = OurLab(space, encoded[i]);
            var deltaE = Math.Sqrt(Enumerable.Range(0, 3).Sum(c => Math.Pow(expected[c] - lab[i][c], 2)));
            // Within 0.05 for ordinary colours; lcms's own precision costs up to ~0.5 next to black and ~0.2 at primaries.
            Assert.True(deltaE < (expected[0] < 5 ? 0.6 : 0.25), $"{spaceId} colour {i}: lcms Lab ({string.Join(", ", lab[i].Select(v => v.ToString("F3")))}) vs ours ({string.Join(", ", expected.Select(v => v.ToString("F3")))}), dE {deltaE:F3}");
        }
    }

    /// <summary>Our maths: sRGB encoded -> linear -> XYZ (D50, Bradford) -> the space's linear RGB -> its curve.</summary>
    private static double[] FromSrgb(RgbColorSpace space, double[] srgb)
    {
        var (x, y, z) = RgbColorSpace.Srgb.ToXyzD50.Transform(
            (float)TransferFunction.Srgb.Decode(srgb[0]), (float)TransferFunction.Srgb.Decode(srgb[1]), (float)TransferFunction.Srgb.Decode(srgb[2]));
        var (r, g, b) = space.ToXyzD50.Inverse().Transform(x, y, z);
        return [Math.Max(0, space.Transfer.Encode(r)), Math.Max(0, space.Transfer.Encode(g)), Math.Max(0, space.Transfer.Encode(b))];
    }

    /// <summary>CIE Lab (D50 white, the ICC PCS) of an encoded colour in <paramref name="space"/>, by our maths.</summary>
    private static double[] OurLab(RgbColorSpace space, double[] encoded)
    {
        var (x, y, z) = space.ToXyzD50.Transform((float)space.Transfer.Decode(encoded[0]), (float)space.Transfer.Decode(encoded[1]), (float)space.Transfer.Decode(encoded[2]));
        static double F(double t) => t > 216.0 / 24389 ? Math.Cbrt(t) : (24389.0 / 27 * t + 16) / 116;
        double fx = F(x / 0.9642), fy = F(y), fz = F(z / 0.8249);
        return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
    }

    /// <summary>
    /// Colours (0..1) as a 16-bit image tagged with our profile (float input would be cut to 8 bits first,
    /// too coarse for dark linear values).
    /// </summary>
    private static VipsImage Tagged(RgbColorSpace space, double[][] colours)
    {
        var input = colours.SelectMany(c => c.Select(v => (ushort)Math.Round(Math.Clamp(v, 0, 1) * 65535))).ToArray();
        using var raw = VipsImage.NewFromMemoryCopy<ushort>(input, colours.Length, 1, 3, NetVips.Enums.BandFormat.Ushort);
        using var image = raw.Copy(interpretation: NetVips.Enums.Interpretation.Rgb16);
        return image.Mutate(m => m.Set(NetVips.GValue.BlobType, "icc-profile-data", IccProfile.For(space)));
    }

    private static double[][] ToBuiltinSrgb(RgbColorSpace space, double[][] colours)
    {
        using var tagged = Tagged(space, colours);
        using var srgb = tagged.IccTransform("srgb", embedded: true, intent: NetVips.Enums.Intent.Relative, depth: 16);
        Assert.Equal(NetVips.Enums.BandFormat.Ushort, srgb.Format);
        var output = srgb.WriteToMemory<ushort>();
        return colours.Select((_, i) => new[] { output[3 * i] / 65535.0, output[3 * i + 1] / 65535.0, output[3 * i + 2] / 65535.0 }).ToArray();
    }

    private static double[][] ToLab(RgbColorSpace space, double[][] colours)
    {
        using var tagged = Tagged(space, colours);
        using var lab = tagged.IccImport(pcs: NetVips.Enums.PCS.Lab, embedded: true, intent: NetVips.Enums.Intent.Relative);
        var output = lab.Cast(NetVips.Enums.BandFormat.Double).WriteToMemory<double>();
        return colours.Select((_, i) => new[] { output[3 * i], output[3 * i + 1], output[3 * i + 2] }).ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        for (var c = 0; c < 3; c++)
            Assert.True(Math.Abs(expected[c] - actual[c]) <= tolerance,
                $"{what}: expected ({string.Join(", ", expected.Select(v => (v * 255).ToString("F2")))}) got ({string.Join(", ", actual.Select(v => (v * 255).ToString("F2")))}) /255");
    }
}
