using System.Text;

namespace RawEngine.Engine.Tiff;

/// <summary>
/// One IFD entry: tag, type, count and where its value lies. The value is read from the file when asked for,
/// in the file's byte order; a value that does not fit the file, is too large or has an unknown type is
/// found when the directory is read and reported (<see cref="TiffFormatException"/>) when the value is read,
/// so a damaged field that nobody needs (a maker note, say) does not make the rest of the file unreadable.
/// </summary>
public sealed class TiffField
{
    private readonly TiffReader _reader;
    private readonly byte[] _inline;
    private readonly long _valueOffset;
    private readonly string? _problem;

    internal TiffField(TiffReader reader, string directory, ushort tag, TiffType type, uint count, ReadOnlySpan<byte> valueField)
    {
        _reader = reader;
        Tag = tag;
        Type = type;
        Count = count;
        Where = $"tag {tag} in {directory}";
        _inline = valueField.ToArray();
        var size = SizeOf(type);
        var byteCount = (long)count * size;
        if (size == 0)
            _problem = $"{Where} has type {(ushort)type}, which is not a TIFF field type.";
        else if (byteCount > TiffReader.MaxValueBytes)
            _problem = $"{Where} holds {count} values of {size} bytes, more than {TiffReader.MaxValueBytes} bytes.";
        else if (byteCount > 4)
        {
            _valueOffset = reader.UInt32(valueField);
            if (_valueOffset + byteCount > reader.Length)
                _problem = $"{Where}: {byteCount} value bytes at offset {_valueOffset} run past the end of the {reader.Length}-byte file.";
        }
    }

    public ushort Tag { get; }

    /// <summary>The type code as written (may be one no TIFF type has, which makes reading the value an error).</summary>
    public TiffType Type { get; }

    public uint Count { get; }

    /// <summary>"tag 50721 in IFD0", for messages.</summary>
    public string Where { get; }

    /// <summary>The value's bytes as they stand in the file (its byte order), e.g. an opcode list or a maker note.</summary>
    public byte[] ReadBytes()
    {
        if (_problem is not null) throw new TiffFormatException(_problem);
        var length = (int)(Count * (long)SizeOf(Type));
        if (length <= 4) return _inline[..length];
        var bytes = new byte[length];
        _reader.ReadAt(_valueOffset, bytes);
        return bytes;
    }

    /// <summary>
    /// Every value as a number, whatever the numeric type: (S)BYTE, UNDEFINED, (S)SHORT, (S)LONG, IFD, FLOAT,
    /// DOUBLE, and (S)RATIONAL as numerator / denominator, NaN where the denominator is 0 (writers use 0/0 for
    /// "unknown"). ASCII is an error.
    /// </summary>
    public double[] ReadDoubles()
    {
        var bytes = ReadBytes();
        var values = new double[Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = Type switch
            {
                TiffType.Rational => Ratio(_reader.UInt32(bytes.AsSpan(i * 8)), _reader.UInt32(bytes.AsSpan(i * 8 + 4))),
                TiffType.SRational => Ratio((int)_reader.UInt32(bytes.AsSpan(i * 8)), (int)_reader.UInt32(bytes.AsSpan(i * 8 + 4))),
                TiffType.Float => BitConverter.UInt32BitsToSingle(_reader.UInt32(bytes.AsSpan(i * 4))),
                TiffType.Double => BitConverter.UInt64BitsToDouble(_reader.UInt64(bytes.AsSpan(i * 8))),
                _ => Integer(bytes, i),
            };
        return values;
    }

    /// <summary>Every value of an integer type ((S)BYTE, UNDEFINED, (S)SHORT, (S)LONG, IFD); other types are an error.</summary>
    public long[] ReadIntegers()
    {
        var bytes = ReadBytes();
        var values = new long[Count];
        for (var i = 0; i < values.Length; i++) values[i] = Integer(bytes, i);
        return values;
    }

    /// <summary>ASCII (or BYTE / UNDEFINED) text up to its first NUL, decoded as UTF-8 as most writers mean it.</summary>
    public string ReadString()
    {
        if (Type is not (TiffType.Ascii or TiffType.Byte or TiffType.Undefined))
            throw new TiffFormatException($"{Where} is {Type}, not text.");
        var bytes = ReadBytes();
        var end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    private long Integer(byte[] bytes, int i) => Type switch
    {
        TiffType.Byte or TiffType.Undefined => bytes[i],
        TiffType.SByte => (sbyte)bytes[i],
        TiffType.Short => _reader.UInt16(bytes.AsSpan(i * 2)),
        TiffType.SShort => (short)_reader.UInt16(bytes.AsSpan(i * 2)),
        TiffType.Long or TiffType.Ifd => _reader.UInt32(bytes.AsSpan(i * 4)),
        TiffType.SLong => (int)_reader.UInt32(bytes.AsSpan(i * 4)),
        _ => throw new TiffFormatException($"{Where} is {Type}, not an integer type."),
    };

    private static double Ratio(double numerator, double denominator) => denominator == 0 ? double.NaN : numerator / denominator;

    /// <summary>Bytes per value; 0 for a code that is no TIFF type (BigTIFF's 8-byte types included).</summary>
    private static int SizeOf(TiffType type) => type switch
    {
        TiffType.Byte or TiffType.Ascii or TiffType.SByte or TiffType.Undefined => 1,
        TiffType.Short or TiffType.SShort => 2,
        TiffType.Long or TiffType.SLong or TiffType.Float or TiffType.Ifd => 4,
        TiffType.Rational or TiffType.SRational or TiffType.Double => 8,
        _ => 0,
    };
}
