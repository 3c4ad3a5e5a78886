using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Synthetic;

/// <summary>Samples a linear scene through a colour filter array: the ideal, noiseless mosaic a demosaic should invert.</summary>
public static class CfaMosaic
{
    /// <summary>One float per pixel, row by row (stride = width): the scene's channel that <paramref name="pattern"/> names there.</summary>
    public static float[] Sample(LinearScene scene, CfaPattern pattern)
    {
        var mosaic = new float[scene.Width * scene.Height];
        for (var y = 0; y < scene.Height; y++)
            for (var x = 0; x < scene.Width; x++)
            {
                var i = y * scene.Width + x;
                mosaic[i] = scene.Rgb[i * 3 + pattern.ColorAt(y, x)];
            }
        return mosaic;
    }
}
