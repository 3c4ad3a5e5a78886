using RawEngine.AI.Registry;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Quality;

/// <summary>
/// The identity round trip the quality tests share: a raw from the identity camera (camera space = linear
/// sRGB) -> DNG -> `rawengine convert --tone none --profile srgb` -> 8-bit PNG, scored by CPSNR against
/// the source with a 10 px border excluded.
/// </summary>
internal static class IdentityRoundTrip
{
    public const int Border = 10;

    /// <summary>Writes <paramref name="raw"/> as a DNG in <paramref name="temp"/> and returns its path.</summary>
    public static string WriteDng(TempFolder temp, RawImage raw, string name)
    {
        var dng = temp.File(name + ".dng");
        DngWriter.Write(raw, dng);
        return dng;
    }

    /// <summary>Converts <paramref name="dng"/> with the identity settings plus <paramref name="extra"/>; the CPSNR against <paramref name="original"/>.</summary>
    public static async Task<double> ScoreAsync(string dng, Srgb8Image original, ModelEnvironment models, params string[] extra)
    {
        var png = Path.ChangeExtension(dng, $".{Guid.NewGuid():N}.png");
        var result = await CliRunner.RunAsync(models, ["convert", dng, "-o", png, "--tone", "none", "--profile", "srgb", .. extra]);
        Assert.True(result.ExitCode == 0, result.Error);
        return ImageQuality.Cpsnr(original, ImageFile.LoadSrgb8(png), Border);
    }

    /// <summary>The centred <paramref name="width"/> x <paramref name="height"/> part of <paramref name="image"/>.</summary>
    public static Srgb8Image CentreCrop(Srgb8Image image, int width, int height)
    {
        if (width > image.Width || height > image.Height)
            throw new ArgumentException($"A {width}x{height} crop does not fit a {image.Width}x{image.Height} image.");
        var left = (image.Width - width) / 2;
        var top = (image.Height - height) / 2;
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
            image.Rgb.AsSpan(((top + y) * image.Width + left) * 3, width * 3).CopyTo(rgb.AsSpan(y * width * 3));
        return new Srgb8Image(width, height, rgb);
    }
}
