using System.Buffers.Binary;
using RawEngine.Engine.Tiff;

namespace RawEngine.Tests.Tiff;

/// <summary>One IFD entry for <see cref="TiffBytes"/>: a value in the file's byte order, or (for damage) a value field given as is.</summary>
internal sealed record TiffBytesEntry(ushort Tag, TiffType Type, uint Count, byte[]? Value, uint? ValueField = null);

/// <summary>
/// A hand-built classic TIFF in either byte order, written byte by byte so that tests control every offset
/// and can make any damage: directories are appended where they are added, each with its out-of-line values after it.
/// </summary>
internal sealed class TiffBytes
{
    private readonly List<byte> _bytes;

    public TiffBytes(bool bigEndian)
    {
        BigEndian = bigEndian;
        _bytes = [.. bigEndian ? "MM"u8 : "II"u8, .. U16(42), .. U32(0)];
    }

    public bool BigEndian { get; }

    public int Length => _bytes.Count;

    public byte[] U16(params ushort[] values) => Encode(values, 2, (span, v) => { if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(span, v); else BinaryPrimitives.WriteUInt16LittleEndian(span, v); });

    public byte[] U32(params uint[] values) => Encode(values, 4, (span, v) => { if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(span, v); else BinaryPrimitives.WriteUInt32LittleEndian(span, v); });

    public byte[] U64(params ulong[] values) => Encode(values, 8, (span, v) => { if (BigEndian) BinaryPrimitives.WriteUInt64BigEndian(span, v); else BinaryPrimitives.WriteUInt64LittleEndian(span, v); });

    /// <summary>Numerator, denominator pairs.</summary>
    public byte[] Rationals(params (long Numerator, long Denominator)[] values) =>
        [.. values.SelectMany(v => U32((uint)v.Numerator, (uint)v.Denominator))];

    public TiffBytesEntry Shorts(ushort tag, params ushort[] values) => new(tag, TiffType.Short, (uint)values.Length, U16(values));

    public TiffBytesEntry Longs(ushort tag, params uint[] values) => new(tag, TiffType.Long, (uint)values.Length, U32(values));

    /// <summary>Appends a directory (at an even offset) and its out-of-line values; returns its offset.</summary>
    public uint AddIfd(IEnumerable<TiffBytesEntry> entries, uint next = 0)
    {
        if (_bytes.Count % 2 != 0) _bytes.Add(0);
        var list = entries.ToList();
        var offset = (uint)_bytes.Count;
        var valueAt = offset + 2 + 12 * (uint)list.Count + 4;
        var values = new List<byte>();
        _bytes.AddRange(U16((ushort)list.Count));
        foreach (var entry in list)
        {
            _bytes.AddRange(U16(entry.Tag));
            _bytes.AddRange(U16((ushort)entry.Type));
            _bytes.AddRange(U32(entry.Count));
            var value = entry.Value ?? [];
            if (entry.ValueField is { } field)
                _bytes.AddRange(U32(field));
            else if (value.Length <= 4)
                _bytes.AddRange([.. value, .. new byte[4 - value.Length]]);
            else
            {
                _bytes.AddRange(U32(valueAt + (uint)values.Count));
                values.AddRange(value);
                if (values.Count % 2 != 0) values.Add(0);
            }
        }
        _bytes.AddRange(U32(next));
        _bytes.AddRange(values);
        return offset;
    }

    /// <summary>Points the header (offset 4) or any other 4-byte pointer at <paramref name="target"/>.</summary>
    public void SetPointer(int at, uint target) => U32(target).CopyTo(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_bytes)[at..]);

    public byte[] ToArray() => [.. _bytes];

    public MemoryStream ToStream() => new(ToArray(), writable: false);

    private static byte[] Encode<T>(T[] values, int size, Action<Span<byte>, T> write)
    {
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++) write(bytes.AsSpan(i * size), values[i]);
        return bytes;
    }
}
