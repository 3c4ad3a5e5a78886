namespace RawEngine.Tests.Support;

/// <summary>
/// A fact that needs the large shared corpora in <c>../shared</c>: it runs where they are (CI, the team's
/// machines) and is skipped, saying why, in a user's clone that has nothing beside it.
/// </summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute(string what)
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason(what);
    }
}

/// <summary>A theory over data in <c>../shared</c>; skipped, saying why, when <c>../shared</c> is absent.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute(string what)
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason(what);
    }
}
