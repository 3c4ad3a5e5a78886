namespace RawEngine.Engine.Imaging;

/// <summary>Integer arithmetic of repeating tiles (CFA periods, black-level patterns, tile alignment).</summary>
public static class Periodic
{
    /// <summary>The position of <paramref name="value"/> within its period, also for negative values (0 .. period - 1).</summary>
    public static int Wrap(int value, int period) => ((value % period) + period) % period;

    /// <summary>The smallest period both repeat in.</summary>
    public static int Lcm(int a, int b)
    {
        int x = a, y = b;
        while (y != 0) (x, y) = (y, x % y);
        return a / x * b;
    }
}
