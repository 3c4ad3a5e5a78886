using System.Diagnostics;
using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Registry;

namespace RawEngine.Bench.Ai;

/// <summary>
/// Runs the real demosaicnet Bayer model on a 512x512 tile on a named execution provider and on the CPU,
/// and reports which provider ran, its speed against the CPU, and how far the outputs differ. Exits 1
/// when the provider cannot be used, so a GPU machine can check the CUDA path in one command:
/// <c>dotnet run -c Release -p:OnnxRuntimeFlavor=gpu --project bench -- nn-provider cuda</c>.
/// </summary>
internal static class ProviderCheck
{
    private const int Size = 512;
    private const int Rounds = 10;

    public static int Run(string providerName)
    {
        var provider = ExecutionProviderNames.Parse(providerName);
        var shipped = Path.Combine(RepoRoot(), "models");
        var registry = ModelRegistry.Discover(new ModelSearchOptions([shipped], UseEnvironmentVariable: false, UseUserDirectory: false));
        var package = registry.Get("demosaic-demosaicnet-bayer");
        float[] cpuOut, deviceOut;
        double cpuMs, deviceMs;
        ExecutionProvider used;
        try
        {
            (cpuOut, cpuMs, _) = RunOn(package, ExecutionProvider.Cpu);
            (deviceOut, deviceMs, used) = RunOn(package, provider);
        }
        catch (ModelLoadException e)
        {
            Console.Error.WriteLine($"bench: {providerName}: {e.Message}");
            return 1;
        }
        var maxDiff = 0f;
        for (var i = 0; i < cpuOut.Length; i++) maxDiff = MathF.Max(maxDiff, MathF.Abs(cpuOut[i] - deviceOut[i]));
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
        {
            name = $"ai.provider.{used.ToName()}.demosaicnet.{Size}",
            value = Math.Round(deviceMs, 3),
            unit = "ms",
            baseline = Math.Round(cpuMs, 3),
            ratio = Math.Round(deviceMs / cpuMs, 3),
        }));
        Console.WriteLine($"provider requested {provider.ToName()}, ran on {used.ToName()}: {deviceMs:F2} ms vs CPU {cpuMs:F2} ms per {Size}x{Size} tile; max |difference| {maxDiff:G3}");
        return used == provider || provider == ExecutionProvider.Auto ? 0 : 1;
    }

    private static (float[] Output, double MedianMs, ExecutionProvider Used) RunOn(ModelPackage package, ExecutionProvider provider)
    {
        using var host = new ModelHost(new InferenceSettings(provider));
        var loaded = host.Open(package);
        string input = loaded.Io.Inputs["image"], output = loaded.Io.Outputs["image"];
        using var binding = loaded.Network.Bind(new Dictionary<string, long[]> { [input] = [1, 3, Size, Size], [output] = [1, 3, Size, Size] });
        var mosaic = binding[input].Span;
        for (var y = 0; y < Size; y++)
            for (var x = 0; x < Size; x++)
            {
                var c = (y % 2, x % 2) switch { (0, 1) => 0, (1, 0) => 2, _ => 1 }; // GRBG, the model's phase
                mosaic[(c * Size + y) * Size + x] = 0.5f + 0.4f * MathF.Sin(x * 0.05f + c) * MathF.Cos(y * 0.03f);
            }
        binding.Run(); // warm-up: kernels, allocations, TensorRT engine build
        var times = new double[Rounds];
        for (var i = 0; i < Rounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            binding.Run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return (binding[output].Span.ToArray(), times[Rounds / 2], loaded.Provider);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawEngine.sln"))) return dir.FullName;
        throw new InvalidOperationException("RawEngine.sln not found above " + AppContext.BaseDirectory);
    }
}
