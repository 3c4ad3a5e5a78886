using RawEngine.Bench;

return args.FirstOrDefault() switch
{
    "export" => ExportBench.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench <suite>   suites: export [width height]");
    return 2;
}
