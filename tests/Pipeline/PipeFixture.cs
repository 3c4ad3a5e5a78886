using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Tests.Pipeline.TestOps;

namespace RawEngine.Tests.Pipeline;

/// <summary>An engine over the test modules, with counters on each module and pixel comparisons.</summary>
public sealed class PipeFixture : IDisposable
{
    public PipeFixture(EngineOptions? options = null)
    {
        Registry = new ModuleRegistry([Gain, Blur, Cfa, Gain2], ["cfa_smooth", "gain", "box_blur", "late_gain"]);
        Engine = new RenderEngine(Registry, options ?? new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = 0 });
    }

    public GainOperation Gain { get; } = new();
    public BoxBlurOperation Blur { get; } = new();
    public CfaSmoothOperation Cfa { get; } = new();
    public GainOperation Gain2 { get; } = new("late_gain");
    public ModuleRegistry Registry { get; }
    public RenderEngine Engine { get; }

    public void Dispose() => Engine.Dispose();

    public static float[] Pixels(ImageBuffer buffer)
    {
        var pixels = new float[buffer.Width * buffer.Height * buffer.Channels];
        for (var y = 0; y < buffer.Height; y++) buffer.Row(y).CopyTo(pixels.AsSpan(y * buffer.Width * buffer.Channels));
        return pixels;
    }

    /// <summary>The pixels of (x, y, width, height) within a buffer.</summary>
    public static float[] Crop(ImageBuffer buffer, int x, int y, int width, int height)
    {
        using var view = buffer.View(x, y, width, height);
        return Pixels(view);
    }
}
