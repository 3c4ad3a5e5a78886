switch (args.FirstOrDefault())
{
    case "nn":
        RawEngine.Bench.Ai.BackendOverhead.Run();
        RawEngine.Bench.Ai.KernelThroughput.Run();
        return 0;
    case "nn-provider" when args.Length == 2:
        return RawEngine.Bench.Ai.ProviderCheck.Run(args[1]);
    default:
        Console.Error.WriteLine("usage: bench <suite>   (suites: nn, nn-provider auto|cpu|cuda|tensorrt|migraphx|coreml|directml)");
        return 2;
}
