using RawEngine.Tests.Support;

namespace RawEngine.Tests.Api;

/// <summary>The README's Embedding section shows the console sample's code, which CI builds and runs: they must not drift apart.</summary>
public sealed class EmbeddingReadmeTests
{
    [Fact]
    public void TheEmbeddingSectionIsTheConsoleSample()
    {
        var readme = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "README.md"));
        var section = readme.IndexOf("\n## Embedding\n", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## Embedding' section");
        var start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        var sample = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "samples", "console", "Program.cs"));
        Assert.Equal(sample, readme[start..end]);
    }
}
