namespace RawEngine.Engine.Synthetic;

/// <summary>The random draws the scene generators share (the segmentation training scenes and the held-out ones).</summary>
public static class SceneRandom
{
    public static double Uniform(Random random, double low, double high) => low + random.NextDouble() * (high - low);

    /// <summary>A standard normal draw (Box-Muller, two uniform draws).</summary>
    public static double Gaussian(Random random)
    {
        var u = 1.0 - random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}

/// <summary>
/// Smooth value noise: uniform -1..1 values on a square lattice of <paramref name="latticeSide"/> points every
/// <paramref name="cell"/> pixels (drawn row by row from <paramref name="random"/>), smoothstep-interpolated.
/// </summary>
public sealed class ValueNoise(Random random, double cell, int latticeSide)
{
    private readonly double[] _lattice = Enumerable.Range(0, latticeSide * latticeSide).Select(_ => SceneRandom.Uniform(random, -1, 1)).ToArray();

    /// <summary>The noise at canvas point (x, y), in -1..1.</summary>
    public double At(double x, double y)
    {
        var n = latticeSide;
        double gx = x / cell, gy = y / cell;
        int ix = Math.Min((int)gx, n - 2), iy = Math.Min((int)gy, n - 2);
        double fx = Smooth(gx - ix), fy = Smooth(gy - iy);
        double top = _lattice[iy * n + ix] + fx * (_lattice[iy * n + ix + 1] - _lattice[iy * n + ix]);
        double bottom = _lattice[(iy + 1) * n + ix] + fx * (_lattice[(iy + 1) * n + ix + 1] - _lattice[(iy + 1) * n + ix]);
        return top + fy * (bottom - top);
    }

    private static double Smooth(double t) => t * t * (3 - 2 * t);
}
