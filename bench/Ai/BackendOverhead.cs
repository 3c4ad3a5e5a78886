using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using RawEngine.AI.Backend;

namespace RawEngine.Bench.Ai;

/// <summary>
/// Per-call cost of RawEngine's ONNX backend against ONNX Runtime used directly at its best (OrtValues
/// built once over pinned arrays, the OrtValue Run overload), on a 1024x1024 RGB tile through the tiny
/// denoise test model. Also times the float16 path, whose conversion is the backend's real extra work,
/// and the fixed per-call cost on a 16x16 tile, where the network's own work is negligible.
/// </summary>
internal static class BackendOverhead
{
    private const int Warmup = 3;
    private const int Rounds = 15;

    public static void Run()
    {
        var (raw1024, ours1024, half1024) = Measure(1024, Warmup, Rounds);
        var (raw16, ours16, _) = Measure(16, 50, 2000);
        Report("ai.backend.f32.1024", ours1024, "ms", raw1024);
        Report("ai.backend.f16.1024", half1024, "ms", raw1024);
        Report("ai.backend.call.16", ours16 * 1000, "us", raw16 * 1000);
        Console.WriteLine();
        Console.WriteLine($"{"denoise-tiny on CPU, median",-44} {"1024x1024 ms",14} {"16x16 us",10}");
        Console.WriteLine($"{"raw ONNX Runtime (OrtValue Run)",-44} {raw1024,14:F2} {raw16 * 1000,10:F1}");
        Console.WriteLine($"{"RawEngine backend float32",-44} {ours1024,14:F2} {ours16 * 1000,10:F1}");
        Console.WriteLine($"{"RawEngine backend float16 (converting)",-44} {half1024,14:F2} {"",10}");
    }

    private static (double Raw, double Ours, double Half) Measure(int size, int warmup, int rounds)
    {
        var models = Path.Combine(RepoRoot(), "testdata", "models");
        var f32 = Path.Combine(models, "denoise-tiny", "model.onnx");
        var f16 = Path.Combine(models, "denoise-tiny-fp16", "model.onnx");
        var settings = new InferenceSettings(ExecutionProvider.Cpu);

        using var model = OnnxModel.Load(f32, settings);
        using var binding = model.Bind(Shapes(size));
        Fill(binding["input"].Span);
        using var model16 = OnnxModel.Load(f16, settings);
        using var binding16 = model16.Bind(Shapes(size));
        Fill(binding16["input"].Span);

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var raw = new InferenceSession(f32, options);
        var input = new float[3 * size * size];
        var output = new float[3 * size * size];
        Fill(input);
        long[] shape = [1, 3, size, size];
        using var inValue = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var outValue = OrtValue.CreateTensorValueFromMemory(output, shape);
        using var runOptions = new RunOptions();
        string[] inNames = ["input"], outNames = ["output"];
        OrtValue[] inValues = [inValue], outValues = [outValue];

        // Interleave the contenders, alternating their order, so drift in machine load hits them alike.
        var timesRaw = new List<double>();
        var timesOurs = new List<double>();
        var timesHalf = new List<double>();
        for (var round = 0; round < warmup + rounds; round++)
        {
            double rawMs, oursMs, halfMs;
            if (round % 2 == 0)
            {
                rawMs = Time(() => raw.Run(runOptions, inNames, inValues, outNames, outValues));
                oursMs = Time(() => binding.Run());
                halfMs = Time(() => binding16.Run());
            }
            else
            {
                halfMs = Time(() => binding16.Run());
                oursMs = Time(() => binding.Run());
                rawMs = Time(() => raw.Run(runOptions, inNames, inValues, outNames, outValues));
            }
            if (round < warmup) continue;
            timesRaw.Add(rawMs);
            timesOurs.Add(oursMs);
            timesHalf.Add(halfMs);
        }
        return (Timing.Median(timesRaw), Timing.Median(timesOurs), Timing.Median(timesHalf));
    }

    private static Dictionary<string, long[]> Shapes(int size) => new() { ["input"] = [1, 3, size, size], ["output"] = [1, 3, size, size] };

    private static void Fill(Span<float> data)
    {
        for (var i = 0; i < data.Length; i++) data[i] = i % 251 / 251f;
    }

    private static double Time(Action action)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }


    private static void Report(string name, double value, string unit, double? baseline) =>
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
        {
            name,
            value = Math.Round(value, 3),
            unit,
            baseline = baseline is null ? (double?)null : Math.Round(baseline.Value, 3),
            ratio = baseline is null ? (double?)null : Math.Round(value / baseline.Value, 3),
        }));

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawEngine.sln"))) return dir.FullName;
        throw new InvalidOperationException("RawEngine.sln not found above " + AppContext.BaseDirectory);
    }
}
