using System.Buffers.Binary;
using System.Text;

namespace RawEngine.Engine.Tiff;

/// <summary>
/// One TIFF image file directory under construction: tags with little-endian encoded values, pointers to
/// child directories (EXIF, GPS, SubIFDs) and to data blocks (strips). <see cref="TiffFileWriter"/> lays
/// the tree out and resolves the pointers.
/// </summary>
public sealed class TiffDirectory
{
    private readonly SortedDictionary<ushort, TiffEntry> _entries = [];

    internal IEnumerable<TiffEntry> Entries => _entries.Values;

    public void SetBytes(ushort tag, params byte[] values) => Set(tag, TiffType.Byte, values.Length, values.ToArray());

    public void SetUndefined(ushort tag, byte[] values) => Set(tag, TiffType.Undefined, values.Length, values.ToArray());

    /// <summary>An ASCII field (UTF-8 bytes, NUL terminated, as most writers do for non-ASCII text).</summary>
    public void SetAscii(ushort tag, string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        Set(tag, TiffType.Ascii, bytes.Length, bytes);
    }

    public void SetShorts(ushort tag, params ushort[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), values[i]);
        Set(tag, TiffType.Short, values.Length, bytes);
    }

    public void SetLongs(ushort tag, params uint[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        Set(tag, TiffType.Long, values.Length, bytes);
    }

    public void SetRationals(ushort tag, params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            var (n, d) = Rational.ToUnsigned(values[i], $"TIFF tag {tag} value {i}");
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 8), n);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 8 + 4), d);
        }
        Set(tag, TiffType.Rational, values.Length, bytes);
    }

    public void SetSignedRationals(ushort tag, params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            var (n, d) = Rational.ToSigned(values[i], $"TIFF tag {tag} value {i}");
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 8), n);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 8 + 4), d);
        }
        Set(tag, TiffType.SRational, values.Length, bytes);
    }

    public void SetDoubles(ushort tag, params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        Set(tag, TiffType.Double, values.Length, bytes);
    }

    /// <summary>A LONG pointer (or several, for SubIFDs) to child directories written after this one.</summary>
    public void SetChildren(ushort tag, params TiffDirectory[] children)
    {
        if (children.Length == 0) throw new ArgumentException($"TIFF tag {tag} needs at least one child directory.", nameof(children));
        _entries[tag] = new TiffEntry(tag, TiffType.Long, children.Length, new byte[children.Length * 4]) { Children = children };
    }

    /// <summary>The image data as one strip: <paramref name="offsetTag"/> (e.g. StripOffsets) points at it, <paramref name="lengthTag"/> holds its length.</summary>
    public void SetDataBlock(ushort offsetTag, ushort lengthTag, TiffDataBlock block)
    {
        if (block.Length > uint.MaxValue) throw new ArgumentException($"A TIFF strip of {block.Length} bytes does not fit a 32-bit TIFF.", nameof(block));
        SetLongs(lengthTag, (uint)block.Length);
        _entries[offsetTag] = new TiffEntry(offsetTag, TiffType.Long, 1, new byte[4]) { Block = block };
    }

    /// <summary>
    /// An entry copied from another TIFF's directory as it stands: type, count and the 4-byte value field,
    /// which holds the value itself or, for longer values, their offset in that file (kept valid when the
    /// directory is appended to the same file, see <see cref="TiffFileWriter.WriteTree"/>).
    /// </summary>
    public void SetVerbatim(ushort tag, TiffType type, int count, ReadOnlySpan<byte> valueField)
    {
        if (valueField.Length != 4) throw new ArgumentException($"TIFF tag {tag}: an IFD value field is 4 bytes, not {valueField.Length}.", nameof(valueField));
        Set(tag, type, count, valueField.ToArray());
    }

    public bool Contains(ushort tag) => _entries.ContainsKey(tag);

    private void Set(ushort tag, TiffType type, int count, byte[] value) => _entries[tag] = new TiffEntry(tag, type, count, value);
}

/// <summary>An IFD entry: its encoded value, or a pointer to be resolved at layout.</summary>
internal sealed record TiffEntry(ushort Tag, TiffType Type, int Count, byte[] Value)
{
    public TiffDirectory[]? Children { get; init; }
    public TiffDataBlock? Block { get; init; }
}

/// <summary>A block of image data written after the directories, by a callback (no copy of large buffers).</summary>
public sealed class TiffDataBlock(long length, Action<Stream> writeTo)
{
    public long Length { get; } = length;
    internal void WriteTo(Stream stream) => writeTo(stream);
}
