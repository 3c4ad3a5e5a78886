using System.Diagnostics;

namespace RawEngine.Tests.Conformance;

/// <summary>
/// LibRaw's own developer, <c>dcraw_emu</c> from Debian's libraw-bin, as the oracle for real camera files:
/// camera white balance (<c>-w</c>), no auto-brightening (<c>-W</c>), sRGB primaries (<c>-o 1</c>) with the
/// sRGB curve (<c>-g 2.4 12.92</c>), 16-bit (<c>-6</c>) TIFF (<c>-T</c>), written where we say (<c>-Z</c>).
/// </summary>
public static class DcrawEmu
{
    public const string Program = "/usr/bin/dcraw_emu";

    public static readonly string[] Arguments = ["-w", "-W", "-o", "1", "-g", "2.4", "12.92", "-6", "-T"];

    public static bool Installed => File.Exists(Program);

    public sealed record Result(int ExitCode, string Error, string? Output);

    /// <summary>
    /// Develops <paramref name="raw"/> into <paramref name="tiff"/>. <see cref="Result.Output"/> is null when no
    /// TIFF came out: dcraw_emu exits 0 even when LibRaw cannot open the file, so the file is what counts.
    /// </summary>
    public static Result Develop(string raw, string tiff, TimeSpan? limit = null)
    {
        if (!Installed)
            throw new InvalidOperationException($"{Program} is missing: the conformance oracle comes from Debian's libraw-bin (apt-get install libraw-bin; ./test installs it as root).");
        var start = new ProcessStartInfo(Program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in Arguments) start.ArgumentList.Add(argument);
        start.ArgumentList.Add("-Z");
        start.ArgumentList.Add(tiff);
        start.ArgumentList.Add(raw);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(limit ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dcraw_emu did not finish {raw} within {(limit ?? TimeSpan.FromMinutes(2)).TotalSeconds} s.");
        }
        return new Result(process.ExitCode, error.Result.Trim(), File.Exists(tiff) ? tiff : null);
    }
}
