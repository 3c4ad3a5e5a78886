using RawEngine.Engine.Buffers;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.DngOpcodes;

/// <summary>
/// The opcodes that change values and not positions (GainMap, FixVignetteRadial, MapTable, MapPolynomial,
/// Scale/DeltaPerRow/Column), applied in list order, in place, to a region of a CFA (plane 0) or RGBA buffer
/// (planes 0..2 = R, G, B). Positions are the stage image's (<see cref="OpcodeFrame"/>); at scales below 1
/// each pixel stands for the full-resolution pixel under its centre.
/// </summary>
public sealed class PixelOpcodes(IReadOnlyList<DngOpcode> opcodes, OpcodeFrame frame, float unit)
{
    /// <summary>
    /// The buffer value that stands for the spec's normalised 1.0: 1 in the pipe after rawprepare (1.0 = white),
    /// 65535 for list 1, whose buffer holds the stored 16-bit values themselves.
    /// </summary>
    private readonly float _unit = unit;

    public bool IsEmpty => opcodes.Count == 0;

    /// <summary>The stage image's row or column under the centre of a pipe pixel at a scale.</summary>
    private static int FrameIndex(int index, double scale, int offset) =>
        (scale == 1 ? index : (int)Math.Floor((index + 0.5) / scale)) + offset;

    public void Apply(ProcessContext context, ImageBuffer buffer, Roi roi)
    {
        if (IsEmpty) return;
        var channels = buffer.Channels;
        var planes = Math.Min(channels, 3);
        context.ForRows(roi.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var row = buffer.Row(y);
                var frameRow = FrameIndex(roi.Y + y, roi.Scale, frame.Y);
                foreach (var opcode in opcodes) ApplyRow(opcode, row, frameRow, roi, channels, planes);
            }
        });
    }

    private void ApplyRow(DngOpcode opcode, Span<float> row, int frameRow, Roi roi, int channels, int planes)
    {
        if (opcode is FixVignetteRadialOpcode vignette)
        {
            Vignette(vignette, row, frameRow, roi, channels, planes);
            return;
        }
        var area = opcode switch
        {
            GainMapOpcode g => g.Area, MapTableOpcode t => t.Area, MapPolynomialOpcode p => p.Area, PerLineOpcode l => l.Area,
            _ => throw new InvalidOperationException($"{opcode.Name} is not a pixel-value opcode"),
        };
        if (!area.HasRow(frameRow) || area.Plane >= planes) return;
        var lastPlane = Math.Min(area.Plane + area.Planes, planes);
        // A GainMap's row position is fixed for the row: bilinear weights between two map rows.
        var (mapRow0, mapRow1, rowWeight) = opcode is GainMapOpcode rowMap
            ? Bracket((frameRow + 0.5) / frame.Height, rowMap.OriginV, rowMap.SpacingV, rowMap.PointsV) : (0, 0, 0f);
        var rowValue = opcode is PerLineOpcode { PerRow: true } perRow ? perRow.Values[(frameRow - area.Top) / area.RowPitch] : 0f;
        for (var x = 0; x < roi.Width; x++)
        {
            var column = FrameIndex(roi.X + x, roi.Scale, frame.X);
            if (!area.HasColumn(column)) continue;
            for (var plane = area.Plane; plane < lastPlane; plane++)
            {
                ref var v = ref row[x * channels + plane];
                switch (opcode)
                {
                    case GainMapOpcode map:
                        v *= Gain(map, mapRow0, mapRow1, rowWeight, (column + 0.5) / frame.Width, Math.Min(plane - area.Plane, map.MapPlanes - 1));
                        break;
                    case MapTableOpcode table:
                        v = Lookup(table.Table, v / _unit * ushort.MaxValue) / ushort.MaxValue * _unit;
                        break;
                    case MapPolynomialOpcode polynomial:
                        v = Polynomial(polynomial.Coefficients, v / _unit) * _unit;
                        break;
                    case PerLineOpcode line:
                        var value = line.PerRow ? rowValue : line.Values[(column - area.Left) / area.ColPitch];
                        v = line.Scales ? v * value : v + value * _unit;
                        break;
                }
            }
        }
    }

    /// <summary>The two map points either side of a relative position and the second's weight, held at the ends.</summary>
    private static (int, int, float) Bracket(double position, double origin, double spacing, int points)
    {
        if (points == 1) return (0, 0, 0);
        var index = Math.Clamp((position - origin) / spacing, 0, points - 1);
        var first = Math.Min((int)index, points - 2);
        return (first, first + 1, (float)(index - first));
    }

    private static float Gain(GainMapOpcode map, int row0, int row1, float rowWeight, double columnPosition, int mapPlane)
    {
        var (column0, column1, columnWeight) = Bracket(columnPosition, map.OriginH, map.SpacingH, map.PointsH);
        float At(int r, int c) => map.Gains[(r * map.PointsH + c) * map.MapPlanes + mapPlane];
        var top = At(row0, column0) + columnWeight * (At(row0, column1) - At(row0, column0));
        var bottom = At(row1, column0) + columnWeight * (At(row1, column1) - At(row1, column0));
        return top + rowWeight * (bottom - top);
    }

    /// <summary>The table between its entries (pipe values are continuous), the last entry beyond it.</summary>
    private static float Lookup(ushort[] table, float value)
    {
        var index = Math.Clamp(value, 0, table.Length - 1);
        var first = Math.Min((int)index, Math.Max(0, table.Length - 2));
        var second = Math.Min(first + 1, table.Length - 1);
        return table[first] + (index - first) * (table[second] - table[first]);
    }

    private static float Polynomial(double[] coefficients, float x)
    {
        var sum = 0.0;
        for (var i = coefficients.Length - 1; i >= 0; i--) sum = sum * x + coefficients[i];
        return (float)sum;
    }

    private void Vignette(FixVignetteRadialOpcode vignette, Span<float> row, int frameRow, Roi roi, int channels, int planes)
    {
        var radial = RadialFrame.Of(frame, vignette.CenterX, vignette.CenterY);
        var dy = (frameRow + 0.5 - radial.CenterY) * radial.InverseRadius;
        var k = vignette.K;
        for (var x = 0; x < roi.Width; x++)
        {
            var dx = (FrameIndex(roi.X + x, roi.Scale, frame.X) + 0.5 - radial.CenterX) * radial.InverseRadius;
            var r2 = dx * dx + dy * dy;
            var gain = (float)(1 + r2 * (k[0] + r2 * (k[1] + r2 * (k[2] + r2 * (k[3] + r2 * k[4])))));
            for (var plane = 0; plane < planes; plane++) row[x * channels + plane] *= gain;
        }
    }
}

/// <summary>
/// The centre of a radial opcode in the stage image's continuous pixel coordinates (pixel i spans [i, i + 1])
/// and 1 / the longest distance from it to a corner, which the spec normalises radii by.
/// </summary>
public readonly record struct RadialFrame(double CenterX, double CenterY, double InverseRadius)
{
    public static RadialFrame Of(OpcodeFrame frame, double relativeX, double relativeY)
    {
        var (cx, cy) = (relativeX * frame.Width, relativeY * frame.Height);
        var (w, h) = (Math.Max(cx, frame.Width - cx), Math.Max(cy, frame.Height - cy));
        var reach = Math.Sqrt(w * w + h * h);
        return new RadialFrame(cx, cy, reach > 0 ? 1 / reach : 0);
    }
}
