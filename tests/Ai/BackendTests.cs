using RawEngine.AI.Backend;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Ai;

public class BackendTests
{
    private static readonly InferenceSettings Cpu = new(ExecutionProvider.Cpu, IntraOpThreads: 1);

    private static Dictionary<string, long[]> ImageShapes(int h, int w) => new()
    {
        ["input"] = [1, 3, h, w],
        ["output"] = [1, 3, h, w],
    };

    private static void FillGradient(Span<float> data, int h, int w)
    {
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                    data[(c * h + y) * w + x] = (x + 2 * y + 7 * c) % 29 / 29f;
    }

    [Fact]
    public void Float32ModelRunsOverPooledTensorsAndStaysNearIdentity()
    {
        using var model = OnnxModel.Load(AiTestFiles.TestModel("denoise-tiny"), Cpu);
        Assert.Equal(ExecutionProvider.Cpu, model.Provider);
        var input = model.Input("input");
        Assert.Equal(TensorElement.Float32, input.Element);
        Assert.Equal(4, input.Rank);
        Assert.True(input.Dims[2] < 0 && input.Dims[3] < 0, "height and width are free: " + input.Describe());

        using var binding = model.Bind(ImageShapes(24, 32));
        FillGradient(binding["input"].Span, 24, 32);
        binding.Run();
        var inp = binding["input"].Span;
        var outp = binding["output"].Span;
        double diff = 0;
        for (var i = 0; i < outp.Length; i++) diff += Math.Abs(outp[i] - inp[i]);
        diff /= outp.Length;
        Assert.InRange(diff, 1e-4, 0.2);

        // A second run over the same buffers sees the new input: the tensors are views of our memory.
        var first = outp[100];
        binding["input"].Span.Fill(0.5f);
        binding.Run();
        Assert.True(Math.Abs(binding["output"].Span[100] - 0.5f) < 0.2f);
        Assert.NotEqual(first, binding["output"].Span[100]);
    }

    [Fact]
    public void Float16ModelIsFedFromFloat32AndMatchesTheFloat32Model()
    {
        using var f32 = OnnxModel.Load(AiTestFiles.TestModel("denoise-tiny"), Cpu);
        using var f16 = OnnxModel.Load(AiTestFiles.TestModel("denoise-tiny-fp16"), Cpu);
        Assert.Equal(TensorElement.Float16, f16.Input("input").Element);
        Assert.Equal(TensorElement.Float16, f16.Output("output").Element);
        using var a = f32.Bind(ImageShapes(16, 16));
        using var b = f16.Bind(ImageShapes(16, 16));
        FillGradient(a["input"].Span, 16, 16);
        FillGradient(b["input"].Span, 16, 16);
        a.Run();
        b.Run();
        var maxDiff = 0f;
        for (var i = 0; i < a["output"].Length; i++) maxDiff = MathF.Max(maxDiff, MathF.Abs(a["output"].Span[i] - b["output"].Span[i]));
        Assert.InRange(maxDiff, 0f, 0.01f);
        Assert.NotEqual(0f, b["output"].Span[5]);
    }

    [Fact]
    public void ThreadSpinningAndMemoryReuseChangeTheSpeedNotTheResult()
    {
        using var engine = OnnxModel.Load(AiTestFiles.TestModel("denoise-tiny"), Cpu);
        using var plain = OnnxModel.Load(AiTestFiles.TestModel("denoise-tiny"), Cpu with { Spinning = true, MemoryReuse = false });
        using var a = engine.Bind(ImageShapes(24, 32));
        using var b = plain.Bind(ImageShapes(24, 32));
        FillGradient(a["input"].Span, 24, 32);
        FillGradient(b["input"].Span, 24, 32);
        a.Run();
        b.Run();
        Assert.Equal(a["output"].Span.ToArray(), b["output"].Span.ToArray());
        Assert.NotEqual(a["input"].Span.ToArray(), a["output"].Span.ToArray());
    }

    [Fact]
    public void FixedDimensionsAreEnforcedAfterLoad()
    {
        var dims = new Dictionary<string, long> { ["height"] = 16, ["width"] = 16, ["batch"] = 1 };
        using var model = OnnxModel.Load(AiTestFiles.TestModel("denoise-tiny"), Cpu, dims);
        using (var ok = model.Bind(ImageShapes(16, 16))) ok.Run();
        var e = Assert.Throws<ArgumentException>(() => model.Bind(ImageShapes(32, 16)));
        Assert.Contains("'input'", e.Message);
    }

    [Fact]
    public void BindingRejectsWrongRankUnknownTensorsAndMissingShapes()
    {
        using var model = OnnxModel.Load(AiTestFiles.TestModel("denoise-tiny"), Cpu);
        Assert.Contains("rank", Assert.Throws<ArgumentException>(() => model.Bind(new Dictionary<string, long[]> { ["input"] = [3, 8, 8], ["output"] = [1, 3, 8, 8] })).Message);
        Assert.Contains("'bogus'", Assert.Throws<ArgumentException>(() => model.Bind(new Dictionary<string, long[]> { ["bogus"] = [1] })).Message);
        Assert.Contains("'output'", Assert.Throws<ArgumentException>(() => model.Bind(new Dictionary<string, long[]> { ["input"] = [1, 3, 8, 8] })).Message);
    }

    [Fact]
    public void MissingAndCorruptFilesAreClearErrors()
    {
        using var dir = new TempFolder();
        var missing = dir.File("nothing.onnx");
        Assert.Contains("not found", Assert.Throws<ModelLoadException>(() => OnnxModel.Load(missing, Cpu)).Message);
        var corrupt = dir.File("corrupt.onnx");
        File.WriteAllBytes(corrupt, [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 37))]);
        var e = Assert.Throws<ModelLoadException>(() => OnnxModel.Load(corrupt, Cpu));
        Assert.Contains("corrupt.onnx", e.Message);
        Assert.Contains("not a loadable ONNX model", e.Message);
    }

    [Fact]
    public void AutoFallsBackToAWorkingProviderAndLogsIt()
    {
        var logger = new RecordingLogger();
        using var model = OnnxModel.Load(AiTestFiles.TestModel("denoise-tiny"), new InferenceSettings(IntraOpThreads: 1), logger: logger);
        Assert.NotEqual(ExecutionProvider.Auto, model.Provider);
        Assert.Contains(logger.Lines, l => l.Contains("execution provider " + model.Provider.ToName()));
        if (ProviderProbe.WhyUnavailable(ExecutionProvider.Cuda) is not null && ProviderProbe.WhyUnavailable(ExecutionProvider.TensorRt) is not null)
            Assert.Equal(ExecutionProvider.Cpu, model.Provider);
    }

    [Fact]
    public void AnExplicitProviderThatIsMissingIsAnErrorNotASilentFallback()
    {
        if (ProviderProbe.WhyUnavailable(ExecutionProvider.MiGraphX) is null) return; // this machine has it
        var e = Assert.Throws<ModelLoadException>(() => OnnxModel.Load(AiTestFiles.TestModel("denoise-tiny"), new InferenceSettings(ExecutionProvider.MiGraphX)));
        Assert.Contains("migraphx", e.Message);
    }

    [Theory]
    [InlineData("auto", ExecutionProvider.Auto)]
    [InlineData("CUDA", ExecutionProvider.Cuda)]
    [InlineData("tensorrt", ExecutionProvider.TensorRt)]
    [InlineData("directml", ExecutionProvider.DirectMl)]
    public void ProviderNamesParseAndRoundTrip(string text, ExecutionProvider expected)
    {
        Assert.Equal(expected, ExecutionProviderNames.Parse(text));
        Assert.Equal(text.ToLowerInvariant(), expected.ToName());
    }

    [Fact]
    public void UnknownProviderNameListsTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => ExecutionProviderNames.Parse("vulkan"));
        Assert.Contains("migraphx", e.Message);
    }

    [Fact]
    public void SessionCacheSharesPerKeyAndDisposesWithItsOwner()
    {
        var cache = new SessionCache();
        var path = AiTestFiles.TestModel("denoise-tiny");
        var a = cache.Get(path, Cpu);
        Assert.Same(a, cache.Get(path, Cpu));
        var fixedDims = cache.Get(path, Cpu, new Dictionary<string, long> { ["height"] = 8, ["width"] = 8 });
        Assert.NotSame(a, fixedDims);
        Assert.NotSame(a, cache.Get(path, Cpu with { IntraOpThreads = 2 }));
        Assert.NotSame(a, cache.Get(path, Cpu with { Spinning = true }));
        Assert.Equal(4, cache.Count);
        cache.Dispose();
        Assert.Equal(0, cache.Count);
        Assert.Throws<ObjectDisposedException>(() => cache.Get(path, Cpu));
    }

    [Fact]
    public void CancelledRunThrowsOperationCanceled()
    {
        using var model = OnnxModel.Load(AiTestFiles.TestModel("denoise-tiny"), Cpu);
        using var binding = model.Bind(ImageShapes(8, 8));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => binding.Run(cts.Token));
        binding.Run(); // the binding is still usable afterwards
    }
}
