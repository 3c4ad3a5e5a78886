using RawEngine.Bench;
using RawEngine.Bench.Pipe;

// Suites: pipe | convert | nn | mask. Each prints one JSON object per metric per line, then a table.
switch (args.FirstOrDefault())
{
    case "pipe":
        return PipeBench.Run(new MetricReport(Console.Out));
    case "nn":
        RawEngine.Bench.Ai.BackendOverhead.Run();
        RawEngine.Bench.Ai.KernelThroughput.Run();
        return 0;
    case "nn-provider" when args.Length == 2:
        return RawEngine.Bench.Ai.ProviderCheck.Run(args[1]);
    case "convert" or "mask":
        Console.Error.WriteLine($"bench: suite '{args[0]}' not implemented yet");
        return 2;
    default:
        Console.Error.WriteLine("usage: bench <pipe|convert|nn|mask>   (also: nn-provider auto|cpu|cuda|tensorrt|migraphx|coreml|directml)");
        return 2;
}
