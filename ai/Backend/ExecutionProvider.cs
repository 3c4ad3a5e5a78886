namespace RawEngine.AI.Backend;

/// <summary>Where ONNX Runtime executes a model. <see cref="Auto"/> picks the first accelerated
/// provider whose native libraries load on this machine and falls back to <see cref="Cpu"/>.</summary>
public enum ExecutionProvider { Auto, Cpu, Cuda, TensorRt, MiGraphX, CoreMl, DirectMl }

public static class ExecutionProviderNames
{
    private static readonly (ExecutionProvider Provider, string Name)[] Names =
    [
        (ExecutionProvider.Auto, "auto"), (ExecutionProvider.Cpu, "cpu"), (ExecutionProvider.Cuda, "cuda"),
        (ExecutionProvider.TensorRt, "tensorrt"), (ExecutionProvider.MiGraphX, "migraphx"),
        (ExecutionProvider.CoreMl, "coreml"), (ExecutionProvider.DirectMl, "directml"),
    ];

    /// <summary>The lower-case name used on the command line and in logs ("cuda").</summary>
    public static string ToName(this ExecutionProvider provider) =>
        Array.Find(Names, n => n.Provider == provider).Name ?? provider.ToString().ToLowerInvariant();

    /// <summary>Parses "auto", "cpu", "cuda", "tensorrt", "migraphx", "coreml" or "directml" (any case).</summary>
    public static ExecutionProvider Parse(string name)
    {
        foreach (var (provider, text) in Names)
            if (string.Equals(text, name.Trim(), StringComparison.OrdinalIgnoreCase)) return provider;
        throw new ArgumentException(
            $"Unknown execution provider \"{name}\"; expected one of {string.Join(", ", Names.Select(n => n.Name))}.", nameof(name));
    }
}
