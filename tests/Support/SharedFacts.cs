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

/// <summary>
/// A theory of the long suite (thousands of cases): run only when <c>RAWENGINE_LONG_TESTS=1</c>
/// (<c>RAWENGINE_LONG_TESTS=1 ./test</c>) and ../shared is there; skipped, saying how to run it, otherwise.
/// </summary>
public sealed class LongSharedTheoryAttribute : TheoryAttribute
{
    public const string Variable = "RAWENGINE_LONG_TESTS";

    public LongSharedTheoryAttribute(string what)
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason(what);
        else if (Environment.GetEnvironmentVariable(Variable) != "1") Skip = $"long test: set {Variable}=1 to run it";
    }
}
