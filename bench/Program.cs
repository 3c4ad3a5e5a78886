switch (args.FirstOrDefault())
{
    case "nn":
        RawEngine.Bench.Ai.BackendOverhead.Run();
        return 0;
    default:
        Console.Error.WriteLine("usage: bench <suite>   (suites: nn)");
        return 2;
}
