using System.CommandLine;

namespace RawEngine.Cli;

/// <summary>The <c>rawengine</c> command tree; each subcommand lives in its own file.</summary>
public static class RawEngineCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("RawEngine: raw photo processing engine");
        return await root.Parse(args).InvokeAsync();
    }
}
