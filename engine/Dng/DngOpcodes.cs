using System.Buffers.Binary;
using RawEngine.Engine.Tiff;

namespace RawEngine.Engine.Dng;

/// <summary>
/// The pixels an opcode touches (DNG 1.4, "area" parameters): rows Top..Bottom and columns Left..Right
/// (exclusive ends) of the stage's image, every RowPitch-th row and ColPitch-th column from the corner,
/// planes Plane..Plane+Planes-1. Phones write one GainMap per CFA cell with Top/Left on the cell and pitch 2.
/// </summary>
public readonly record struct OpcodeArea(int Top, int Left, int Bottom, int Right, int Plane, int Planes, int RowPitch, int ColPitch)
{
    public bool HasRow(int row) => row >= Top && row < Bottom && (row - Top) % RowPitch == 0;
    public bool HasColumn(int column) => column >= Left && column < Right && (column - Left) % ColPitch == 0;
}

/// <summary>One opcode of a DNG opcode list; <see cref="Optional"/> is the spec's flag bit 0.</summary>
public abstract record DngOpcode(bool Optional)
{
    /// <summary>The spec's name of each opcode id (1..14).</summary>
    public static string NameOf(uint id) => id switch
    {
        1 => "WarpRectilinear", 2 => "WarpFisheye", 3 => "FixVignetteRadial", 4 => "FixBadPixelsConstant",
        5 => "FixBadPixelsList", 6 => "TrimBounds", 7 => "MapTable", 8 => "MapPolynomial", 9 => "GainMap",
        10 => "DeltaPerRow", 11 => "DeltaPerColumn", 12 => "ScalePerRow", 13 => "ScalePerColumn", 14 => "WarpRectilinear2",
        _ => $"opcode {id}",
    };

    public abstract uint Id { get; }
    public string Name => NameOf(Id);
}

/// <summary>
/// Per-plane lens distortion (radial kr0..kr3, tangential kt0..kt1) about a centre given relative to the
/// image (0..1). One coefficient set for all planes, or one per plane (lateral chromatic aberration).
/// </summary>
public sealed record WarpRectilinearOpcode(bool Optional, RectilinearCoefficients[] Planes, double CenterX, double CenterY) : DngOpcode(Optional)
{
    public override uint Id => 1;
}

/// <summary>x_src = c + (kr0 + kr1 r^2 + kr2 r^4 + kr3 r^6) d + tangential terms, d normalised by the longest centre-corner distance.</summary>
public readonly record struct RectilinearCoefficients(double Kr0, double Kr1, double Kr2, double Kr3, double Kt0, double Kt1);

/// <summary>Gain 1 + k0 r^2 + k1 r^4 + ... + k4 r^10 about a relative centre, r normalised as for the warp.</summary>
public sealed record FixVignetteRadialOpcode(bool Optional, double[] K, double CenterX, double CenterY) : DngOpcode(Optional)
{
    public override uint Id => 3;
}

/// <summary>Trims the stage's image to Top..Bottom, Left..Right.</summary>
public sealed record TrimBoundsOpcode(bool Optional, int Top, int Left, int Bottom, int Right) : DngOpcode(Optional)
{
    public override uint Id => 6;
}

/// <summary>A value-to-value table over the 16-bit range (the last entry holds beyond the table).</summary>
public sealed record MapTableOpcode(bool Optional, OpcodeArea Area, ushort[] Table) : DngOpcode(Optional)
{
    public override uint Id => 7;
}

/// <summary>value' = sum c_i value^i, values normalised to 0..1.</summary>
public sealed record MapPolynomialOpcode(bool Optional, OpcodeArea Area, double[] Coefficients) : DngOpcode(Optional)
{
    public override uint Id => 8;
}

/// <summary>
/// A grid of gains (MapPointsV x MapPointsH x MapPlanes, row-major) spaced MapSpacing apart from MapOrigin,
/// both relative to the image; bilinear between points, held beyond the outer ones.
/// </summary>
public sealed record GainMapOpcode(bool Optional, OpcodeArea Area, int PointsV, int PointsH, double SpacingV, double SpacingH,
    double OriginV, double OriginH, int MapPlanes, float[] Gains) : DngOpcode(Optional)
{
    public override uint Id => 9;
}

/// <summary>DeltaPerRow (10), DeltaPerColumn (11), ScalePerRow (12), ScalePerColumn (13): one value per pitched row or column of the area.</summary>
public sealed record PerLineOpcode(bool Optional, uint Kind, OpcodeArea Area, float[] Values) : DngOpcode(Optional)
{
    public override uint Id => Kind;
    public bool PerRow => Kind is 10 or 12;
    public bool Scales => Kind is 12 or 13;
}

/// <summary>An opcode RawEngine does not apply (an unknown id, or a known one it has no implementation of).</summary>
public sealed record UnsupportedOpcode(bool Optional, uint OpcodeId) : DngOpcode(Optional)
{
    public override uint Id => OpcodeId;
}

/// <summary>
/// Reads and writes DNG opcode lists (OpcodeList1/2/3): big-endian whatever the file's byte order, a count,
/// then per opcode its id, the DNG version it needs, flags, the parameter byte count and the parameters.
/// </summary>
public static class DngOpcodeList
{
    private const int MaxTableSize = 65536;
    private const int MaxMapPoints = 1 << 16;

    /// <summary>Parses a list; a list that does not hold what it states is a <see cref="TiffFormatException"/> naming the opcode.</summary>
    public static IReadOnlyList<DngOpcode> Parse(ReadOnlySpan<byte> bytes, string listName)
    {
        var reader = new Reader(bytes, listName);
        var count = reader.UInt32();
        if (count > bytes.Length / 16) throw new TiffFormatException($"{listName} states {count} opcodes in {bytes.Length} bytes.");
        var list = new List<DngOpcode>((int)count);
        for (var i = 0; i < count; i++)
        {
            var id = reader.UInt32();
            reader.UInt32(); // the DNG version the opcode needs: every version's layout is read the same way
            var optional = (reader.UInt32() & 1) != 0;
            var length = reader.UInt32();
            var where = $"{listName} opcode {i + 1} ({DngOpcode.NameOf(id)})";
            var parameters = new Reader(reader.Take(length, where), where);
            DngOpcode opcode = id switch
            {
                1 => ReadWarp(ref parameters, optional),
                3 => new FixVignetteRadialOpcode(optional, parameters.Doubles(5), parameters.Double(), parameters.Double()),
                6 => new TrimBoundsOpcode(optional, parameters.Int32(), parameters.Int32(), parameters.Int32(), parameters.Int32()),
                7 => ReadMapTable(ref parameters, optional),
                8 => ReadPolynomial(ref parameters, optional),
                9 => ReadGainMap(ref parameters, optional),
                >= 10 and <= 13 => ReadPerLine(ref parameters, optional, id),
                _ => new UnsupportedOpcode(optional, id),
            };
            if (opcode is not UnsupportedOpcode) parameters.ExpectEnd();
            list.Add(opcode);
        }
        return list;
    }

    private static WarpRectilinearOpcode ReadWarp(ref Reader r, bool optional)
    {
        var planes = r.UInt32();
        if (planes is < 1 or > 4) r.Fail($"has {planes} planes, not 1..4");
        var coefficients = new RectilinearCoefficients[planes];
        for (var p = 0; p < planes; p++)
            coefficients[p] = new(r.Double(), r.Double(), r.Double(), r.Double(), r.Double(), r.Double());
        return new WarpRectilinearOpcode(optional, coefficients, r.Double(), r.Double());
    }

    private static MapTableOpcode ReadMapTable(ref Reader r, bool optional)
    {
        var area = r.Area();
        var size = r.UInt32();
        if (size is < 1 or > MaxTableSize) r.Fail($"has a table of {size} entries, not 1..{MaxTableSize}");
        var table = new ushort[size];
        for (var i = 0; i < size; i++) table[i] = r.UInt16();
        return new MapTableOpcode(optional, area, table);
    }

    private static MapPolynomialOpcode ReadPolynomial(ref Reader r, bool optional)
    {
        var area = r.Area();
        var degree = r.UInt32();
        if (degree > 8) r.Fail($"has degree {degree}, more than the spec's 8");
        return new MapPolynomialOpcode(optional, area, r.Doubles((int)degree + 1));
    }

    private static GainMapOpcode ReadGainMap(ref Reader r, bool optional)
    {
        var area = r.Area();
        var (pointsV, pointsH) = (r.UInt32(), r.UInt32());
        var (spacingV, spacingH, originV, originH) = (r.Double(), r.Double(), r.Double(), r.Double());
        var mapPlanes = r.UInt32();
        if (pointsV is < 1 or > MaxMapPoints || pointsH is < 1 or > MaxMapPoints || mapPlanes is < 1 or > 4
            || (long)pointsV * pointsH * mapPlanes * 4 > r.Remaining)
            r.Fail($"states a {pointsV}x{pointsH}x{mapPlanes} map that its {r.Remaining} remaining bytes do not hold");
        if ((pointsV > 1 && !(spacingV > 0)) || (pointsH > 1 && !(spacingH > 0))) r.Fail($"has map spacing {spacingV} x {spacingH}, not positive");
        var gains = new float[pointsV * pointsH * mapPlanes];
        for (var i = 0; i < gains.Length; i++) gains[i] = r.Float();
        return new GainMapOpcode(optional, area, (int)pointsV, (int)pointsH, spacingV, spacingH, originV, originH, (int)mapPlanes, gains);
    }

    private static PerLineOpcode ReadPerLine(ref Reader r, bool optional, uint kind)
    {
        var area = r.Area();
        var count = r.UInt32();
        var expected = kind is 10 or 12
            ? (area.Bottom - area.Top + area.RowPitch - 1) / area.RowPitch
            : (area.Right - area.Left + area.ColPitch - 1) / area.ColPitch;
        if (count != expected) r.Fail($"has {count} values, not one per pitched line of its area ({expected})");
        var values = new float[count];
        for (var i = 0; i < count; i++) values[i] = r.Float();
        return new PerLineOpcode(optional, kind, area, values);
    }

    /// <summary>The list as a DNG stores it (big-endian); the DNG version each opcode needs is written as 1.3.0.0.</summary>
    public static byte[] Encode(IReadOnlyList<DngOpcode> opcodes)
    {
        using var stream = new MemoryStream();
        var w = new Writer(stream);
        w.UInt32((uint)opcodes.Count);
        foreach (var opcode in opcodes)
        {
            var parameters = new MemoryStream();
            var p = new Writer(parameters);
            switch (opcode)
            {
                case WarpRectilinearOpcode warp:
                    p.UInt32((uint)warp.Planes.Length);
                    foreach (var c in warp.Planes) p.Doubles(c.Kr0, c.Kr1, c.Kr2, c.Kr3, c.Kt0, c.Kt1);
                    p.Doubles(warp.CenterX, warp.CenterY);
                    break;
                case FixVignetteRadialOpcode vignette:
                    p.Doubles(vignette.K);
                    p.Doubles(vignette.CenterX, vignette.CenterY);
                    break;
                case TrimBoundsOpcode trim:
                    foreach (var v in new[] { trim.Top, trim.Left, trim.Bottom, trim.Right }) p.UInt32((uint)v);
                    break;
                case MapTableOpcode table:
                    p.Area(table.Area);
                    p.UInt32((uint)table.Table.Length);
                    foreach (var v in table.Table) p.UInt16(v);
                    break;
                case MapPolynomialOpcode polynomial:
                    p.Area(polynomial.Area);
                    p.UInt32((uint)polynomial.Coefficients.Length - 1);
                    p.Doubles(polynomial.Coefficients);
                    break;
                case GainMapOpcode map:
                    p.Area(map.Area);
                    p.UInt32((uint)map.PointsV);
                    p.UInt32((uint)map.PointsH);
                    p.Doubles(map.SpacingV, map.SpacingH, map.OriginV, map.OriginH);
                    p.UInt32((uint)map.MapPlanes);
                    foreach (var g in map.Gains) p.Float(g);
                    break;
                case PerLineOpcode line:
                    p.Area(line.Area);
                    p.UInt32((uint)line.Values.Length);
                    foreach (var v in line.Values) p.Float(v);
                    break;
            }
            w.UInt32(opcode.Id);
            w.UInt32(0x01030000);
            w.UInt32(opcode.Optional ? 1u : 0u);
            w.UInt32((uint)parameters.Length);
            stream.Write(parameters.ToArray());
        }
        return stream.ToArray();
    }

    private readonly struct Writer(Stream stream)
    {
        public void UInt32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); stream.Write(b); }
        public void UInt16(ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16BigEndian(b, v); stream.Write(b); }
        public void Float(float v) => UInt32(BitConverter.SingleToUInt32Bits(v));

        public void Doubles(params double[] values)
        {
            Span<byte> b = stackalloc byte[8];
            foreach (var v in values) { BinaryPrimitives.WriteDoubleBigEndian(b, v); stream.Write(b); }
        }

        public void Area(OpcodeArea a)
        {
            foreach (var v in new[] { a.Top, a.Left, a.Bottom, a.Right, a.Plane, a.Planes, a.RowPitch, a.ColPitch }) UInt32((uint)v);
        }
    }

    /// <summary>A big-endian cursor whose every overrun is a format error naming where it happened.</summary>
    private ref struct Reader(ReadOnlySpan<byte> bytes, string where)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public readonly int Remaining => _bytes.Length - _position;

        public ReadOnlySpan<byte> Take(uint count, string what)
        {
            if (count > Remaining) throw new TiffFormatException($"{what} states {count} parameter bytes but the list has {Remaining} left.");
            var slice = _bytes.Slice(_position, (int)count);
            _position += (int)count;
            return slice;
        }

        private ReadOnlySpan<byte> Next(int count) => Take((uint)count, where);

        public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Next(4));
        public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Next(4));
        public ushort UInt16() => BinaryPrimitives.ReadUInt16BigEndian(Next(2));
        public float Float() => Finite(BinaryPrimitives.ReadSingleBigEndian(Next(4)));

        public double Double() => Finite(BinaryPrimitives.ReadDoubleBigEndian(Next(8)));

        public double[] Doubles(int count)
        {
            var values = new double[count];
            for (var i = 0; i < count; i++) values[i] = Double();
            return values;
        }

        public OpcodeArea Area()
        {
            var (top, left, bottom, right) = (UInt32(), UInt32(), UInt32(), UInt32());
            var (plane, planes, rowPitch, colPitch) = (UInt32(), UInt32(), UInt32(), UInt32());
            if (top >= bottom || left >= right || bottom > int.MaxValue || right > int.MaxValue || plane > 3 || planes is < 1 or > 4 || rowPitch < 1 || colPitch < 1
                || rowPitch > int.MaxValue || colPitch > int.MaxValue)
                Fail($"has the area top {top}, left {left}, bottom {bottom}, right {right}, planes {plane}+{planes}, pitch {rowPitch}x{colPitch}, which is empty or out of range");
            return new OpcodeArea((int)top, (int)left, (int)bottom, (int)right, (int)plane, (int)planes, (int)rowPitch, (int)colPitch);
        }

        public readonly void ExpectEnd()
        {
            if (Remaining != 0) Fail($"has {Remaining} parameter bytes more than its parameters");
        }

        public readonly void Fail(string why) => throw new TiffFormatException($"{where} {why}.");

        private readonly T Finite<T>(T value) where T : System.Numerics.IFloatingPointIeee754<T> =>
            T.IsFinite(value) ? value : throw new TiffFormatException($"{where} holds a number that is not finite.");
    }
}
