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

    /// <summary>
    /// The same with <c>-a</c> (grey-world automatic white balance) for <c>-w</c>. Where a file carries no
    /// as-shot white balance, LibRaw 0.20's <c>-w</c> falls back to exactly this (QuickTake 100, Kodak DC120 and
    /// C330 come out byte for byte the same), not to its daylight multipliers: comparing the two tells which.
    /// </summary>
    public static readonly string[] AutoWhiteBalanceArguments = ["-a", .. Arguments[1..]];

    /// <summary>The same without <c>-w</c>: LibRaw's daylight multipliers (its <c>pre_mul</c>).</summary>
    public static readonly string[] DaylightArguments = Arguments[1..];

    public static bool Installed => File.Exists(Program);

    public sealed record Result(int ExitCode, string Error, string? Output);

    /// <summary>
    /// Develops <paramref name="raw"/> into <paramref name="tiff"/>. <see cref="Result.Output"/> is null when no
    /// TIFF came out: dcraw_emu exits 0 even when LibRaw cannot open the file, so the file is what counts.
    /// </summary>
    public static Result Develop(string raw, string tiff, TimeSpan? limit = null, string[]? arguments = null)
    {
        if (!Installed)
            throw new InvalidOperationException($"{Program} is missing: the conformance oracle comes from Debian's libraw-bin (apt-get install libraw-bin; ./test installs it as root).");
        var run = ChildProcess.Run(Program, [.. arguments ?? Arguments, "-Z", tiff, raw], limit ?? TimeSpan.FromMinutes(2));
        return new Result(run.ExitCode, run.Error.Trim(), File.Exists(tiff) ? tiff : null);
    }

    /// <summary>
    /// Whether <paramref name="rendered"/>, LibRaw's <see cref="Arguments"/> rendering of <paramref name="raw"/>, is
    /// its automatic white balance (the file has no as-shot white balance): it is the <c>-a</c> rendering byte for byte.
    /// </summary>
    public static bool FellBackToAutoWhiteBalance(string raw, string rendered)
    {
        var auto = Path.ChangeExtension(rendered, ".auto-wb.tiff");
        try
        {
            return Develop(raw, auto, arguments: AutoWhiteBalanceArguments).Output is not null
                   && File.ReadAllBytes(auto).AsSpan().SequenceEqual(File.ReadAllBytes(rendered));
        }
        finally
        {
            File.Delete(auto);
        }
    }
}
