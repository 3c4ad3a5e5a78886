using RawEngine.Bench;
using RawEngine.Bench.Pipe;

// Suites: pipe | export | convert | nn | mask. Each prints one JSON object per metric per line, then a table.
var suite = args.Length > 0 ? args[0] : "";
switch (suite)
{
    case "pipe":
        return PipeBench.Run(new MetricReport(Console.Out));
    case "export":
        return ExportBench.Run(new MetricReport(Console.Out), args[1..]);
    case "convert" or "nn" or "mask":
        Console.Error.WriteLine($"bench: suite '{suite}' not implemented yet");
        return 2;
    default:
        Console.Error.WriteLine("usage: bench <pipe|export|convert|nn|mask>");
        return 2;
}
