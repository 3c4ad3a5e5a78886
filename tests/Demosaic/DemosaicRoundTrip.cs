using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop.Demosaic;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Demosaic;

/// <summary>The quality protocol: 8-bit sRGB -> linear -> CFA mosaic -> demosaic -> 8-bit sRGB -> CPSNR (10 px border out).</summary>
internal static class DemosaicRoundTrip
{
    private static readonly Dictionary<int, (Srgb8Image Original, LinearScene Scene)> Cache = [];

    public static (Srgb8Image Original, LinearScene Scene) Kodak(int index)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(index, out var entry))
            {
                var original = ImageFile.LoadSrgb8(SharedData.Kodak(index));
                Cache[index] = entry = (original, LinearScene.FromSrgb8(original));
            }
            return entry;
        }
    }

    public static double Cpsnr(int kodak, DemosaicMethod method, CfaPattern pattern)
    {
        var (original, scene) = Kodak(kodak);
        var rgba = Demosaic(method, CfaMosaic.Sample(scene, pattern), scene.Width, scene.Height, pattern);
        return ImageQuality.Cpsnr(original, ImageQuality.EncodeSrgb8(rgba, scene.Width, scene.Height, scene.Width * 4, 4), 10);
    }

    public static float[] Demosaic(DemosaicMethod method, float[] mosaic, int width, int height, CfaPattern pattern, float alpha = 0)
    {
        var (outWidth, outHeight) = DemosaicKernels.OutputSize(method, pattern, width, height);
        var rgba = new float[outWidth * outHeight * 4];
        if (alpha != 0)
            for (var i = 3; i < rgba.Length; i += 4) rgba[i] = alpha;
        DemosaicKernels.Run(method, new CfaPlane(mosaic, width, height, width, pattern), new RgbaPlane(rgba, outWidth, outHeight, outWidth * 4));
        return rgba;
    }
}
