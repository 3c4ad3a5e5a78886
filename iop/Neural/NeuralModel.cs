using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.AI.Tiling;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Iop.Neural;

/// <summary>
/// What the neural modules share: choosing and loading a module's model when it commits (so a missing
/// or unfit model fails before any pixel is computed, naming module, model and reason) and the encoding
/// between the pipe's linear values and the model's <c>io</c> convention.
/// </summary>
internal static class NeuralModel
{
    /// <summary>The model for <paramref name="task"/> that takes <paramref name="input"/>, loaded, with its tiler.</summary>
    public static ChosenModel Open(ModelServices? services, CommitContext context, string task, ModelInputTraits input, string requestedId)
    {
        if (services is null)
            throw new PipeException(context.Instance, $"this engine was made without model services, so it has no {task} model (pass ModelServices to StandardModules)");
        try
        {
            return services.Open(task, input, requestedId);
        }
        catch (Exception e) when (e is ModelNotFoundException or ModelContractException or ModelLoadException or ModelManifestException)
        {
            throw new PipeException(context.Instance, e.Message, e);
        }
    }

    /// <summary>The tile grid for an image of <paramref name="size"/> at the budget the pipe grants, with <paramref name="ensemble"/>
    /// views per tile; a CFA the model cannot take fails here.</summary>
    public static TileGrid Plan(ChosenModel model, CommitContext context, ImageSize size, Engine.Raw.CfaPattern? cfa, int ensemble = 1)
    {
        try
        {
            return model.Tiler.Plan(size, cfa, context.MemoryBudgetBytes, ensemble: ensemble);
        }
        catch (Exception e) when (e is ModelContractException or ArgumentException)
        {
            throw new PipeException(context.Instance, e.Message, e);
        }
    }

    /// <summary>Pipe values to the network's: white balance taken off when the model was trained without it, the transfer curve, the range.</summary>
    public static TileEncoding EncodingFor(ModelIo io, BufferFormat format) =>
        new(io.Encoding == "srgb" ? Transfer.SrgbEncode : Transfer.None, RangeOf(io), WhiteBalanceGains(io, format));

    /// <summary>The transfer curve from the network's values back to linear.</summary>
    public static Transfer DecodeFor(ModelIo io) => io.Encoding == "srgb" ? Transfer.SrgbDecode : Transfer.None;

    public static ChannelAffine RangeOf(ModelIo io) =>
        new(io.RangeMax - io.RangeMin, io.RangeMax - io.RangeMin, io.RangeMax - io.RangeMin, io.RangeMin, io.RangeMin, io.RangeMin);

    private static float[] WhiteBalanceGains(ModelIo io, BufferFormat format) =>
        io.WhiteBalance == "none" && format.WhiteBalance is { } wb ? [1f / wb.R, 1f / wb.G, 1f / wb.B] : [1f, 1f, 1f];
}

/// <summary>Passes a tiler's per-tile progress on to the pipe.</summary>
internal sealed class TileWorkProgress(ProcessContext context) : IProgress<TileProgress>
{
    public void Report(TileProgress value) => context.ReportWork(value.Done, value.Total);
}
