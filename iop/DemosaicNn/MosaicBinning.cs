using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.DemosaicNn;

/// <summary>
/// A CFA mosaic shrunk by a whole factor into a smaller mosaic with the same pattern, for previews: binned sample
/// (X, Y) has the colour the pattern gives (X, Y) and is the tent-weighted mean of the original samples of that
/// colour around the centre of block (X, Y). Weighting by distance to the block's centre keeps each colour where it
/// belongs (plain same-colour binning shifts red and blue against green by up to half a binned pixel); the tent's
/// half-width, the factor or one CFA period if larger, reaches samples of every colour and filters what the smaller
/// grid cannot hold.
/// </summary>
internal sealed class MosaicBinning
{
    private readonly CfaPattern _cfa;
    private readonly int _factor;
    private readonly int[] _offsets;
    private readonly float[] _weights;

    public MosaicBinning(CfaPattern cfa, int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 2);
        _cfa = cfa;
        _factor = factor;
        Radius = Math.Max(factor, Math.Max(cfa.Width, cfa.Height));
        var centre = (factor - 1) / 2.0;
        var offsets = new List<int>();
        var weights = new List<float>();
        for (var d = -Radius; d < factor + Radius; d++)
        {
            var weight = 1 - Math.Abs(d - centre) / Radius;
            if (weight <= 0) continue;
            offsets.Add(d);
            weights.Add((float)weight);
        }
        _offsets = [.. offsets];
        _weights = [.. weights];
    }

    /// <summary>How far past its block a binned sample reads, in original pixels.</summary>
    public int Radius { get; }

    /// <summary>The size of the binned image of an image of <paramref name="size"/> (partial blocks at the edges dropped).</summary>
    public ImageSize BinnedSize(ImageSize size) => new(size.Width / _factor, size.Height / _factor);

    /// <summary>The original region (scale 1) that binned region <paramref name="binned"/> reads, clamped to the image of <paramref name="size"/>.</summary>
    public Roi SourceFor(Roi binned, ImageSize size) =>
        new Roi(binned.X * _factor - Radius, binned.Y * _factor - Radius, binned.Width * _factor + 2 * Radius, binned.Height * _factor + 2 * Radius).ClampTo(size);

    /// <summary>
    /// Bins <paramref name="input"/> (covering <paramref name="inputRegion"/> of the original mosaic) into <paramref name="output"/>
    /// (covering <paramref name="binned"/> of the binned one), rows in parallel. Samples outside the input are left out of the mean.
    /// </summary>
    public void Run(ProcessContext context, ImageBuffer input, Roi inputRegion, ImageBuffer output, Roi binned)
    {
        int period = _cfa.Width, periodY = _cfa.Height;
        // Colour of each input column's and row's phase, so the inner loop does no modulo.
        var columnPhase = new int[inputRegion.Width];
        for (var x = 0; x < columnPhase.Length; x++) columnPhase[x] = ((inputRegion.X + x) % period + period) % period;
        var colours = new int[periodY * period];
        for (var y = 0; y < periodY; y++)
            for (var x = 0; x < period; x++) colours[y * period + x] = _cfa.ColorAt(y, x);
        context.ForRows(binned.Height, (r0, r1) =>
        {
            for (var row = r0; row < r1; row++)
            {
                var by = binned.Y + row;
                var target = output.Row(row);
                for (var column = 0; column < binned.Width; column++)
                {
                    var bx = binned.X + column;
                    var colour = _cfa.ColorAt(by, bx);
                    float sum = 0, total = 0;
                    for (var j = 0; j < _offsets.Length; j++)
                    {
                        var y = by * _factor + _offsets[j] - inputRegion.Y;
                        if ((uint)y >= (uint)inputRegion.Height) continue;
                        var rowColours = ((inputRegion.Y + y) % periodY + periodY) % periodY * period;
                        var source = input.Row(y);
                        var wy = _weights[j];
                        for (var i = 0; i < _offsets.Length; i++)
                        {
                            var x = bx * _factor + _offsets[i] - inputRegion.X;
                            if ((uint)x >= (uint)inputRegion.Width || colours[rowColours + columnPhase[x]] != colour) continue;
                            var w = wy * _weights[i];
                            sum += w * source[x];
                            total += w;
                        }
                    }
                    target[column] = total > 0 ? sum / total : 0;
                }
            }
        });
    }
}
