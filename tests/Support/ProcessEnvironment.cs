namespace RawEngine.Tests.Support;

/// <summary>
/// Sets process environment variables for one test and puts the old values back when disposed. Only for
/// tests in the <see cref="ProcessEnvironmentCollection"/>, which xunit runs alone, after the parallel ones.
/// </summary>
public sealed class ProcessEnvironment : IDisposable
{
    private readonly List<(string Name, string? Value)> _saved = [];

    public ProcessEnvironment(params (string Name, string? Value)[] variables)
    {
        foreach (var (name, value) in variables)
        {
            _saved.Add((name, Environment.GetEnvironmentVariable(name)));
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
    }
}

/// <summary>Tests that change process-wide state (environment variables) and so must not overlap any other test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}
