using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Tests.Pipeline.TestOps;

public sealed record CfaSmoothParams : OperationParams
{
    [ParamRange(0, 8)] public float RedGain { get; init; } = 1f;
    [ParamRange(0, 8)] public float GreenGain { get; init; } = 1f;
    [ParamRange(0, 8)] public float BlueGain { get; init; } = 1f;
}

/// <summary>
/// A CFA-aware op: each sample becomes the mean of itself and its four same-colour neighbours one
/// CFA period away (the halo is one period), times its colour's gain, read from the pattern's phase.
/// </summary>
public sealed class CfaSmoothOperation : ImageOperation<CfaSmoothParams, float[]>
{
    private int _processCalls;

    public int ProcessCalls => _processCalls;

    public override OperationInfo Info { get; } = new("cfa_smooth", 1, "CFA smooth", OperationFlags.TilingAllowed,
        new FormatFilter(PixelLayout.Cfa, ColorEncoding.Any), TilingNeeds.Pointwise);

    protected override float[] Commit(CfaSmoothParams parameters, CommitContext context) =>
        [parameters.RedGain, parameters.GreenGain, parameters.BlueGain];

    protected override TilingNeeds Tiling(float[] state, CommitContext context) =>
        Info.Tiling with { Overlap = context.Input.CfaPeriod };

    protected override void Process(ProcessContext context, float[] gains, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        Interlocked.Increment(ref _processCalls);
        var cfa = context.Input.CfaAt(roiOut);
        var period = cfa.Width;
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var iy = roiOut.Y + y - roiIn.Y;
                var target = output.Row(y);
                for (var x = 0; x < roiOut.Width; x++)
                {
                    var ix = roiOut.X + x - roiIn.X;
                    var centre = input.Row(iy)[ix];
                    // A neighbour outside the input region lies past the image edge: use the centre.
                    var sum = centre
                        + (ix - period >= 0 ? input.Row(iy)[ix - period] : centre)
                        + (ix + period < roiIn.Width ? input.Row(iy)[ix + period] : centre)
                        + (iy - period >= 0 ? input.Row(iy - period)[ix] : centre)
                        + (iy + period < roiIn.Height ? input.Row(iy + period)[ix] : centre);
                    target[x] = sum / 5f * gains[cfa.ColorAt(y, x)];
                }
            }
        });
    }
}
