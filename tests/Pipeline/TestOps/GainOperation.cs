using System.Text.Json.Nodes;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Tests.Pipeline.TestOps;

/// <summary>Version 2 renamed version 1's "factor" to "gain" and added "offset".</summary>
public sealed record GainParams : OperationParams
{
    [ParamRange(0, 16), ParamDescription("Multiplies every colour channel.")]
    public float Gain { get; init; } = 1f;

    [ParamRange(-1, 1)]
    public float Offset { get; init; }
}

/// <summary>A pointwise op: <c>v * gain + offset</c> on colour channels (alpha kept), CFA or RGBA.</summary>
public sealed class GainOperation(string id = "gain", bool inPlace = false) : ImageOperation<GainParams, GainParams>
{
    private int _processCalls;
    private int _inPlaceCalls;

    public int ProcessCalls => _processCalls;

    /// <summary>Calls that were handed one buffer as input and output.</summary>
    public int InPlaceCalls => _inPlaceCalls;

    public override OperationInfo Info { get; } = new(id, 2, "Gain",
        OperationFlags.TilingAllowed | OperationFlags.SupportsBlending | (inPlace ? OperationFlags.InPlace : OperationFlags.None),
        FormatFilter.Any, TilingNeeds.Pointwise);

    protected override GainParams Commit(GainParams parameters, CommitContext context) => parameters;

    protected override JsonObject UpgradeParams(int fromVersion, JsonObject parameters)
    {
        if (fromVersion != 1) return base.UpgradeParams(fromVersion, parameters);
        var upgraded = new JsonObject { ["gain"] = parameters["factor"]?.DeepClone() ?? 1f, ["offset"] = 0f };
        return upgraded;
    }

    protected override void Process(ProcessContext context, GainParams state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        Interlocked.Increment(ref _processCalls);
        if (input.SharesPixelsWith(output)) Interlocked.Increment(ref _inPlaceCalls);
        var gains = input.Channels == 4 ? Simd.RepeatRgba(state.Gain, state.Gain, state.Gain, 1f) : new System.Numerics.Vector<float>(state.Gain);
        var offsets = input.Channels == 4 ? Simd.RepeatRgba(state.Offset, state.Offset, state.Offset, 0f) : new System.Numerics.Vector<float>(state.Offset);
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++) Simd.MultiplyAddRgba(input.Row(y), output.Row(y), gains, offsets);
        });
    }
}
