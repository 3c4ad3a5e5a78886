using RawEngine.AI.Backend;
using RawEngine.AI.Hosting;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.AI.Tiling;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Tests.Ai;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Neural;

/// <summary>
/// The real demosaicnet models of ../shared/models behind an isolated model home, for the tiler tests: the
/// tiler for a CFA, a pool for mosaics, and one run over a whole mosaic decoded to linear planar RGB.
/// </summary>
internal sealed class DemosaicnetTilers : IDisposable
{
    /// <summary>demosaicnet's encoding: sRGB-encoded samples, no range change, no white-balance gains.</summary>
    public static readonly TileEncoding Srgb = new(Transfer.SrgbEncode, ChannelAffine.Identity, [1, 1, 1]);

    private readonly TempFolder _home = new();
    private ModelServices? _models;

    public BufferPool Pool { get; } = new();

    public TiledInference For(CfaPattern cfa) => (_models ??= new ModelServices(
            new ModelSearchOptions([AiTestFiles.ShippedModels], AiTestFiles.IsolatedEnvironment(_home.Path)),
            new InferenceSettings(ExecutionProvider.Cpu, IntraOpThreads: 2)))
        .Open("demosaic", ModelInputTraits.Mosaic(cfa)).Tiler;

    /// <summary>The network's result over the whole of <paramref name="mosaic"/>, decoded to linear planar RGB.</summary>
    public static float[] RunLinear(TiledInference tiler, TileGrid grid, CfaPattern cfa, ImageBuffer mosaic,
        IProgress<TileProgress>? progress = null, CancellationToken cancellation = default)
    {
        var whole = new Roi(0, 0, mosaic.Width, mosaic.Height);
        using var planes = tiler.Run(grid, cfa, mosaic, whole, whole, Srgb, cancellation, progress);
        var linear = planes.Planes.ToArray();
        CpuKernels.ApplyTransfer(linear, Transfer.SrgbDecode, new float[linear.Length]);
        return linear;
    }

    public void Dispose()
    {
        _models?.Dispose();
        _home.Dispose();
    }
}
