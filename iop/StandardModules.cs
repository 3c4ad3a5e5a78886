using RawEngine.AI.Hosting;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.ColorIn;
using RawEngine.Iop.ColorOut;
using RawEngine.Iop.Crop;
using RawEngine.Iop.Demosaic;
using RawEngine.Iop.Denoise;
using RawEngine.Iop.DemosaicNn;
using RawEngine.Iop.DngOpcodes;
using RawEngine.Iop.DenoiseNn;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.FinalScale;
using RawEngine.Iop.Flip;
using RawEngine.Iop.Highlights;
using RawEngine.Iop.Lens;
using RawEngine.Iop.PixelAspect;
using RawEngine.Iop.RawPrepare;
using RawEngine.Iop.Sharpen;
using RawEngine.Iop.Sigmoid;
using RawEngine.Iop.Temperature;

namespace RawEngine.Iop;

/// <summary>The engine's modules, registered in the default iop order (<see cref="IopOrder"/>, ids in <see cref="ModuleIds"/>).</summary>
public static class StandardModules
{
    /// <param name="models">What the neural modules (demosaic_nn, denoise_nn) find and run models with; without
    /// it they are registered but fail at commit with a message saying so.</param>
    public static IReadOnlyList<IImageOperation> All(ModelServices? models = null) =>
    [
        new DngOpcodesOperation(1),
        new RawPrepareOperation(),
        new DngOpcodesOperation(2),
        new TemperatureOperation(),
        new HighlightsOperation(),
        new DemosaicOperation(),
        new DemosaicNnOperation(models),
        new DenoiseOperation(),
        new DenoiseNnOperation(models),
        new DngOpcodesOperation(3),
        new SharpenOperation(),
        new PixelAspectOperation(),
        new LensOperation(),
        new FlipOperation(),
        new ColorInOperation(),
        new ExposureOperation(),
        new CropOperation(),
        new SigmoidOperation(),
        new FinalScaleOperation(),
        new ColorOutOperation(),
        new OutputSharpenOperation(),
    ];

    public static ModuleRegistry CreateRegistry(ModelServices? models = null) => new(All(models), IopOrder.Default);
}
