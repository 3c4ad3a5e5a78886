using RawEngine.Engine.Buffers;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.DngOpcodes;

/// <summary>
/// The part of a per-plane WarpRectilinear (lateral chromatic aberration) that moves red and blue against green, done
/// on a Bayer mosaic before demosaic. Demosaic interpolates colour differences, so planes out of register leave it
/// colour errors no warp afterwards can take out; here each red and blue site takes its colour from where its plane's
/// map puts it relative to green's (Catmull-Rom over that colour's own sites), demosaic sees the planes in register,
/// and list 3's warp then moves all three planes as green (<see cref="GreenOnly"/>). Green sites are copied.
/// </summary>
public sealed class MosaicPlaneAlignment : IPixelMover
{
    /// <summary>Fixed-point steps inverting green's map: the relative shift varies slowly, so a few leave thousandths of a pixel.</summary>
    private const int InverseSteps = 4;

    /// <summary>Points per side of the grid that bounds the shift.</summary>
    private const int Samples = 33;

    private readonly RectilinearWarp _warp;
    private readonly CfaPattern _cfa;
    private readonly ImageSize _size;
    private readonly (int X, int Y)[] _firstSite = new (int, int)[3];

    /// <summary>Pixels an output pixel's reads may lie from it: the largest shift plus the interpolation's reach on a 2-px lattice.</summary>
    public int Reach { get; }

    /// <param name="cfa">The mosaic's pattern at the stage image's origin (a Bayer 2x2 with one red and one blue site).</param>
    public MosaicPlaneAlignment(WarpRectilinearOpcode warp, OpcodeFrame frame, CfaPattern cfa, ImageSize size)
    {
        _warp = new RectilinearWarp(warp, frame, size);
        (_cfa, _size) = (cfa, size);
        for (var y = 0; y < 2; y++)
            for (var x = 0; x < 2; x++) _firstSite[cfa.ColorAt(y, x)] = (x, y);
        var shift = 0.0;
        for (var j = 0; j < Samples; j++)
            for (var i = 0; i < Samples; i++)
            {
                var (x, y) = (size.Width * (double)i / (Samples - 1), size.Height * (double)j / (Samples - 1));
                foreach (var plane in (ReadOnlySpan<int>)[0, 2])
                {
                    var (sx, sy) = Source(plane, x, y);
                    shift = Math.Max(shift, Math.Max(Math.Abs(sx - x), Math.Abs(sy - y)));
                }
            }
        // The shift is smooth and small: a pixel covers it between grid points; the cubic reads two sites (4 px) on.
        Reach = (int)Math.Ceiling(shift) + 1 + 5;
    }

    /// <summary>The per-plane warp of list 3 that this stage would realign, for a Bayer raw whose red or blue coefficients differ from green's; else null.</summary>
    public static WarpRectilinearOpcode? For(RawImage image) =>
        image.Cfa is { Kind: CfaKind.Bayer } && image.Opcodes?.List3.OfType<WarpRectilinearOpcode>().FirstOrDefault() is { Planes.Length: > 1 } warp
        && (warp.Planes[0] != warp.Planes[1] || warp.Planes[Math.Min(2, warp.Planes.Length - 1)] != warp.Planes[1])
            ? warp : null;

    /// <summary>The warp with green's coefficients for every plane: what is left to do after demosaic.</summary>
    public static WarpRectilinearOpcode GreenOnly(WarpRectilinearOpcode warp) => warp with { Planes = [warp.Planes[1]] };

    /// <summary>Where the mosaic's point (x, y) of a plane must read so that green's warp afterwards puts the plane where its own warp would.</summary>
    private (double X, double Y) Source(int plane, double x, double y)
    {
        var (px, py) = (x, y);
        for (var i = 0; i < InverseSteps; i++)
        {
            var (gx, gy) = _warp.Source(1, px, py);
            (px, py) = (px + x - gx, py + y - gy);
        }
        return _warp.Source(plane, px, py);
    }

    public Roi InputFor(Roi roiOut) => roiOut.Expand(Reach).ClampTo(_size);

    public void Process(ProcessContext context, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var row = roiOut.Y + y;
                var source = input.Row(row - roiIn.Y);
                var target = output.Row(y);
                for (var x = 0; x < roiOut.Width; x++)
                {
                    var column = roiOut.X + x;
                    var plane = _cfa.ColorAt(row, column);
                    if (plane is not (0 or 2))
                    {
                        target[x] = source[column - roiIn.X];
                        continue;
                    }
                    var (sx, sy) = Source(plane, column + 0.5, row + 0.5);
                    target[x] = Sample(input, roiIn, plane, sx, sy);
                }
            }
        });

    /// <summary>Catmull-Rom over the sites of <paramref name="plane"/> (every other row and column), held at the picture's edge.</summary>
    private float Sample(ImageBuffer input, Roi roiIn, int plane, double x, double y)
    {
        var (ox, oy) = _firstSite[plane];
        var (lastI, lastJ) = ((_size.Width - 1 - ox) / 2, (_size.Height - 1 - oy) / 2);
        var u = Math.Clamp((x - 0.5 - ox) / 2, 0, lastI);
        var v = Math.Clamp((y - 0.5 - oy) / 2, 0, lastJ);
        var (i0, j0) = ((int)Math.Floor(u), (int)Math.Floor(v));
        var (wx0, wx1, wx2, wx3) = RectilinearWarp.CatmullRom((float)(u - i0));
        var (wy0, wy1, wy2, wy3) = RectilinearWarp.CatmullRom((float)(v - j0));
        Span<int> columns = stackalloc int[4];
        for (var k = 0; k < 4; k++) columns[k] = Math.Clamp(ox + 2 * Math.Clamp(i0 - 1 + k, 0, lastI) - roiIn.X, 0, roiIn.Width - 1);
        ReadOnlySpan<float> rowWeights = [wy0, wy1, wy2, wy3];
        var sum = 0f;
        for (var k = 0; k < 4; k++)
        {
            var row = input.Row(Math.Clamp(oy + 2 * Math.Clamp(j0 - 1 + k, 0, lastJ) - roiIn.Y, 0, roiIn.Height - 1));
            sum += rowWeights[k] * (wx0 * row[columns[0]] + wx1 * row[columns[1]] + wx2 * row[columns[2]] + wx3 * row[columns[3]]);
        }
        return sum;
    }
}
