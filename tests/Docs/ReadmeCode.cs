using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RawEngine.Tests.Docs;

/// <summary>A <c>```csharp</c> block of a Markdown file: its text, the line it starts on, and whether it is a fragment.</summary>
public sealed record CodeBlock(int Line, string Code, bool Fragment);

/// <summary>
/// Compiles the C# blocks of a Markdown file the way an application would compile them, against the assemblies this
/// test runs with (RawEngine's and the .NET runtime's), with a console project's implicit usings and nullable on.
/// The rule, also written in README.md ("README code"):
/// <list type="bullet">
/// <item><c>```csharp</c> is a whole file (top-level statements and/or types) and compiles alone;</item>
/// <item><c>```csharp fragment</c> continues the nearest whole block above it: its usings, statements and types are
/// added to that block's, so it may use that block's variables.</item>
/// </list>
/// </summary>
public static partial class ReadmeCode
{
    /// <summary>The usings a console project gets from the .NET SDK (ImplicitUsings).</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [GeneratedRegex(@"^```csharp(?<info>[^\n]*)\n(?<code>.*?)^```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    public static IReadOnlyList<CodeBlock> Blocks(string markdown)
    {
        markdown = markdown.Replace("\r\n", "\n");
        return CSharpBlock().Matches(markdown).Select(m => new CodeBlock(
            markdown[..m.Index].Count(c => c == '\n') + 1,
            m.Groups["code"].Value,
            m.Groups["info"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("fragment"))).ToList();
    }

    /// <summary>Each block's errors, naming the Markdown line they are on (a fragment's: its first line); empty when all compile.</summary>
    public static IReadOnlyList<string> Errors(string markdown)
    {
        var errors = new List<string>();
        CodeBlock? whole = null;
        foreach (var block in Blocks(markdown))
        {
            if (block.Fragment && whole is not null)
            {
                var program = Continue((CompilationUnitSyntax)Parse(whole.Code).GetRoot(), (CompilationUnitSyntax)Parse(block.Code).GetRoot());
                errors.AddRange(Compile(Parse(program.ToFullString())).Select(d =>
                    $"line {block.Line} (a fragment, compiled after the block at line {whole.Line}): {Describe(d)}"));
                continue;
            }
            if (!block.Fragment) whole = block;
            // The code starts on the line after the fence.
            errors.AddRange(Compile(Parse(block.Code)).Select(d =>
                $"line {block.Line + 1 + d.Location.GetLineSpan().StartLinePosition.Line}: {Describe(d)}"));
        }
        return errors;
    }

    private static SyntaxTree Parse(string code) =>
        CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest));

    /// <summary>The whole block with the fragment's usings, statements and other members added after its own.</summary>
    private static CompilationUnitSyntax Continue(CompilationUnitSyntax whole, CompilationUnitSyntax fragment)
    {
        var statements = whole.Members.OfType<GlobalStatementSyntax>().Concat(fragment.Members.OfType<GlobalStatementSyntax>());
        var others = whole.Members.Where(m => m is not GlobalStatementSyntax).Concat(fragment.Members.Where(m => m is not GlobalStatementSyntax));
        return whole.WithUsings(whole.Usings.AddRange(fragment.Usings))
            .WithMembers(SyntaxFactory.List<MemberDeclarationSyntax>(statements.Concat(others)));
    }

    private static IEnumerable<Diagnostic> Compile(SyntaxTree program)
    {
        var kind = program.GetCompilationUnitRoot().Members.Any(m => m is GlobalStatementSyntax) ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary;
        var compilation = CSharpCompilation.Create("ReadmeBlock", [program, Parse(ImplicitUsings)], References.Value,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);
    }

    private static string Describe(Diagnostic diagnostic) =>
        $"{diagnostic.Id}: {diagnostic.GetMessage()}" +
        (diagnostic.Location.SourceTree is { } tree ? $" at `{tree.GetText().ToString(diagnostic.Location.SourceSpan)}`" : "");

    /// <summary>What this test process runs with: the .NET runtime and every assembly of the test's output, RawEngine's among them.</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());
}
