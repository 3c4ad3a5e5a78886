using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Tests.Pipeline.TestOps;

public sealed record BoxBlurParams : OperationParams
{
    [ParamRange(0, 1)]
    public float Strength { get; init; } = 1f;
}

/// <summary>A 3x3 neighbourhood op on RGBA with a 1 px halo: <c>mix(v, mean of 3x3, strength)</c>, edges clamped.</summary>
public sealed class BoxBlurOperation : ImageOperation<BoxBlurParams, BoxBlurParams>
{
    private int _processCalls;

    public int ProcessCalls => _processCalls;

    public override OperationInfo Info { get; } = new("box_blur", 1, "Box blur", OperationFlags.TilingAllowed | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.Any), new TilingNeeds(MemoryFactor: 2, Overlap: 1));

    protected override BoxBlurParams Commit(BoxBlurParams parameters, CommitContext context) => parameters;

    protected override void Process(ProcessContext context, BoxBlurParams state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        Interlocked.Increment(ref _processCalls);
        var strength = state.Strength;
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                // Neighbours outside the input region exist only past the image edge: clamp to it.
                var iy = roiOut.Y + y - roiIn.Y;
                var above = input.Row(Math.Max(iy - 1, 0));
                var centreRow = input.Row(iy);
                var below = input.Row(Math.Min(iy + 1, roiIn.Height - 1));
                var target = output.Row(y);
                for (var x = 0; x < roiOut.Width; x++)
                {
                    var ix = roiOut.X + x - roiIn.X;
                    int left = Math.Max(ix - 1, 0), right = Math.Min(ix + 1, roiIn.Width - 1);
                    for (var c = 0; c < 3; c++)
                    {
                        var sum = Sum3(above, left, ix, right, c) + Sum3(centreRow, left, ix, right, c) + Sum3(below, left, ix, right, c);
                        var centre = centreRow[ix * 4 + c];
                        target[x * 4 + c] = centre + strength * (sum / 9f - centre);
                    }
                    target[x * 4 + 3] = centreRow[ix * 4 + 3];
                }
            }
        });
    }

    private static float Sum3(ReadOnlySpan<float> row, int left, int centre, int right, int channel) =>
        row[left * 4 + channel] + row[centre * 4 + channel] + row[right * 4 + channel];
}
