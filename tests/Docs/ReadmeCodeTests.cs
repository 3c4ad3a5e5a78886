using RawEngine.Tests.Support;

namespace RawEngine.Tests.Docs;

/// <summary>Every <c>```csharp</c> block of README.md compiles against RawEngine as built (the rule: <see cref="ReadmeCode"/>).</summary>
public sealed class ReadmeCodeTests
{
    [Fact]
    public void Every_csharp_block_of_the_readme_compiles()
    {
        var readme = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "README.md"));

        Assert.NotEmpty(ReadmeCode.Blocks(readme));
        Assert.Empty(ReadmeCode.Errors(readme));
    }

    [Fact]
    public void A_block_that_does_not_compile_is_reported_at_its_line()
    {
        const string markdown = "# Title\n\n```csharp\nusing RawEngine.Engine.Raw;\n\nvar raw = RawDecoder.Decode(args[0]);\nConsole.WriteLine(raw.NoSuchMember);\n```\n";

        var error = Assert.Single(ReadmeCode.Errors(markdown));

        Assert.StartsWith("line 7: CS1061:", error);
        Assert.Contains("NoSuchMember", error);
    }

    [Fact]
    public void A_fragment_uses_the_variables_of_the_block_above_it_and_only_there()
    {
        const string whole = "```csharp\nusing RawEngine.Engine.Raw;\n\nvar raw = RawDecoder.Decode(args[0]);\n```\n";
        const string fragment = "```csharp fragment\nConsole.WriteLine(raw.SensorWidth);\n```\n";

        Assert.Equal([false, true], ReadmeCode.Blocks(whole + "\nText.\n\n" + fragment).Select(b => b.Fragment));
        Assert.Empty(ReadmeCode.Errors(whole + "\nText.\n\n" + fragment));
        Assert.Contains(ReadmeCode.Errors(fragment), e => e.Contains("CS0103") && e.Contains("raw"));
    }
}
