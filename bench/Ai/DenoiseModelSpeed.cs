using RawEngine.AI.Backend;

namespace RawEngine.Bench.Ai;

/// <summary>
/// Candidate denoise networks (<c>bench -- nn-denoise-models A.onnx B.onnx ...</c>) through ONNX Runtime on the CPU,
/// one 512x512 planar-RGB tensor (the NAFNet packages' largest tile) per run, the models taking turns round by round;
/// prints the median MP per wall second and per CPU second of each, the first model as the baseline. For choosing an
/// architecture before training it: weights do not change the time.
/// </summary>
internal static class DenoiseModelSpeed
{
    private const int Side = 512;
    private const int Rounds = 5;

    public static int Run(MetricReport report, string[] paths)
    {
        if (paths.Length == 0)
        {
            Console.Error.WriteLine("usage: bench nn-denoise-models MODEL.onnx [MODEL.onnx ...]");
            return 2;
        }
        var models = paths.Select(p => OnnxModel.Load(p, InferenceSettings.Cpu)).ToArray();
        try
        {
            var shape = new long[] { 1, 3, Side, Side };
            var bindings = models.Select(m => m.Bind(new Dictionary<string, long[]> { ["input"] = shape, ["output"] = shape })).ToArray();
            var random = new Random(17);
            foreach (var binding in bindings)
            {
                var input = binding["input"].Span;
                for (var i = 0; i < input.Length; i++) input[i] = random.NextSingle();
                binding.Run();
            }
            var wall = paths.Select(_ => new List<double>()).ToArray();
            var cpu = paths.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round < Rounds; round++)
                for (var m = 0; m < bindings.Length; m++)
                {
                    var binding = bindings[m];
                    var (w, c) = Timing.WallAndCpuSeconds(() => binding.Run());
                    wall[m].Add(w);
                    cpu[m].Add(c);
                }
            var megapixels = Side * Side / 1e6;
            var baseline = megapixels / Timing.Median(cpu[0]);
            for (var m = 0; m < paths.Length; m++)
            {
                var name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(paths[m]))) + "/" + Path.GetFileNameWithoutExtension(paths[m]);
                report.Add(new Metric($"nn.denoise_model.{name}.cpu", megapixels / Timing.Median(cpu[m]), "MP/cpu-s", baseline));
                report.Add(new Metric($"nn.denoise_model.{name}.wall", megapixels / Timing.Median(wall[m]), "MP/s"));
            }
            foreach (var binding in bindings) binding.Dispose();
        }
        finally
        {
            foreach (var model in models) model.Dispose();
        }
        Console.Error.WriteLine($"load average {Timing.LoadAverage()}");
        return 0;
    }
}
