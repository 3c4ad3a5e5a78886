using RawEngine.Engine.Pipeline;
using RawEngine.Iop.ColorIn;
using RawEngine.Iop.ColorOut;
using RawEngine.Iop.Crop;
using RawEngine.Iop.Demosaic;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.FinalScale;
using RawEngine.Iop.Flip;
using RawEngine.Iop.Highlights;
using RawEngine.Iop.RawPrepare;
using RawEngine.Iop.Sigmoid;
using RawEngine.Iop.Temperature;

namespace RawEngine.Iop;

/// <summary>The engine's modules, registered in the default iop order.</summary>
public static class StandardModules
{
    public static IReadOnlyList<IImageOperation> All() =>
    [
        new RawPrepareOperation(),
        new TemperatureOperation(),
        new HighlightsOperation(),
        new DemosaicOperation(),
        new FlipOperation(),
        new ColorInOperation(),
        new ExposureOperation(),
        new CropOperation(),
        new SigmoidOperation(),
        new ColorOutOperation(),
        new FinalScaleOperation(),
    ];

    public static ModuleRegistry CreateRegistry() => new(All(), IopOrder.Default);
}
