namespace RawEngine.Tests.Web;

/// <summary>
/// A fact that drives Debian's Chromium (<c>/usr/bin/chromium</c>, which ./test installs as root) through Playwright;
/// skipped, saying why, where it is not installed. Playwright never downloads a browser here.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"needs Debian's chromium at {Chromium} (as root ./test installs it; else: sudo apt-get install -y chromium)";
    }
}
