using System.Diagnostics;

namespace RawEngine.Bench;

/// <summary>Medians of repeated timings: steadier than means on a shared machine.</summary>
internal static class Timing
{
    /// <summary>The middle value (NaN when there are none).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), to print beside wall times on a shared machine.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>Wall and process CPU seconds (all threads) of one call of <paramref name="action"/>.</summary>
    public static (double Wall, double Cpu) WallAndCpuSeconds(Action action)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        var wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    /// <summary>Milliseconds of <paramref name="action"/>: one warm-up call, then the median of <paramref name="runs"/>.</summary>
    public static double MedianMilliseconds(Action action, int runs)
    {
        action();
        return Median(Enumerable.Range(0, runs).Select(_ =>
        {
            var clock = Stopwatch.StartNew();
            action();
            return clock.Elapsed.TotalMilliseconds;
        }).ToArray());
    }
}
