using RawEngine.Iop.Lens;

namespace RawEngine.Tests.Support;

/// <summary>A fact that needs lensfun and its database (Debian liblensfun1 + liblensfun-data-v1, which ./test installs as root); skipped, saying why, without them.</summary>
public sealed class LensfunFactAttribute : FactAttribute
{
    public LensfunFactAttribute()
    {
        if (LensDatabase.System is null) Skip = $"needs lensfun: {LensDatabase.UnavailableReason}";
    }
}

/// <summary>A theory that needs lensfun and its database; skipped, saying why, without them.</summary>
public sealed class LensfunTheoryAttribute : TheoryAttribute
{
    public LensfunTheoryAttribute()
    {
        if (LensDatabase.System is null) Skip = $"needs lensfun: {LensDatabase.UnavailableReason}";
    }
}
