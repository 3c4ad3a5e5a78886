namespace RawEngine.Engine.Synthetic;

/// <summary>
/// Poisson-Gaussian sensor noise in its usual heteroscedastic form: variance = Shot * x + Read, where x is
/// the clean signal in units where 1.0 = white level above black.
/// </summary>
public sealed record SensorNoise(double Shot, double Read)
{
    /// <summary>
    /// Noise of a typical full-frame sensor at an ISO-like gain: about 30000 electrons full well and
    /// 3 electrons read noise at ISO 100, both scaling with the gain (ISO / 100).
    /// </summary>
    public static SensorNoise AtIso(double iso)
    {
        if (!(iso > 0)) throw new ArgumentOutOfRangeException(nameof(iso), iso, "ISO must be positive.");
        var gain = iso / 100 / 30000;
        return new SensorNoise(gain, Math.Pow(3 * gain, 2));
    }
}

/// <summary>
/// SplitMix64: tiny, fast, and the same on every platform and runtime, so a seed always gives the same
/// raw; one generator per row keeps parallel generation deterministic.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public static SplitMix64 ForRow(ulong seed, int row)
    {
        var mixer = new SplitMix64(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(row + 1)));
        return new SplitMix64(mixer.Next());
    }

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in (0, 1].</summary>
    public double NextUnit() => ((Next() >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (Box-Muller).</summary>
    public double NextGaussian() => Math.Sqrt(-2 * Math.Log(NextUnit())) * Math.Cos(2 * Math.PI * NextUnit());
}
