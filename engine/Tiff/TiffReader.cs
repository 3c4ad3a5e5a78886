using System.Buffers.Binary;

namespace RawEngine.Engine.Tiff;

/// <summary>A TIFF whose structure or values cannot be read: the message names the directory, tag and offset.</summary>
public sealed class TiffFormatException(string message) : RawEngineException(message);

/// <summary>
/// Reads the directories of a classic TIFF (either byte order; BigTIFF is refused) from a seekable stream,
/// without loading image data: IFD0 on opening, the rest of the tree (next IFDs, SubIFDs, the EXIF IFD) when
/// first asked for, each field's value when read. Built for hostile input: every offset and count is checked
/// against the stream's length before anything is read or allocated, a directory reached twice (a loop) is an
/// error, and the number of directories, entries and value bytes is capped; whatever breaks these rules is a
/// <see cref="TiffFormatException"/>. Not thread-safe: it seeks the stream it reads (which it does not own).
/// </summary>
public sealed class TiffReader
{
    public const int HeaderSize = 8;
    /// <summary>Directories in one file, all of the tree together.</summary>
    public const int MaxDirectories = 256;
    /// <summary>Entries in one directory (real ones have a few hundred at most).</summary>
    public const int MaxEntriesPerDirectory = 4096;
    /// <summary>Entries in all directories together.</summary>
    public const int MaxEntries = 65536;
    /// <summary>Bytes of one field's value: more than any DNG profile table or opcode list holds.</summary>
    public const int MaxValueBytes = 64 << 20;
    /// <summary>SubIFDs nested in SubIFDs, at most this deep below the IFD0 chain.</summary>
    public const int MaxSubIfdDepth = 4;

    private readonly Stream _stream;
    private readonly HashSet<long> _directoryOffsets = [];
    private int _entryCount;

    private TiffReader(Stream stream, bool bigEndian)
    {
        _stream = stream;
        Length = stream.Length;
        IsBigEndian = bigEndian;
    }

    /// <summary>True for "MM", false for "II".</summary>
    public bool IsBigEndian { get; }

    /// <summary>The stream's length, against which every offset is checked.</summary>
    public long Length { get; }

    public TiffIfd Ifd0 { get; private set; } = null!;

    /// <summary>
    /// Whether the stream starts with a TIFF header of either byte order, classic or BigTIFF (which
    /// <see cref="Open"/> refuses); leaves the stream's position where it was.
    /// </summary>
    public static bool HasTiffHeader(Stream stream)
    {
        if (stream.Length < 4) return false;
        Span<byte> header = stackalloc byte[4];
        var position = stream.Position;
        ReadAt(stream, 0, header);
        stream.Position = position;
        var magicLittle = BinaryPrimitives.ReadUInt16LittleEndian(header[2..]);
        var magicBig = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
        return (header[0] == 'I' && header[1] == 'I' && magicLittle is 42 or 43)
            || (header[0] == 'M' && header[1] == 'M' && magicBig is 42 or 43);
    }

    /// <summary>Reads the header and IFD0 of a seekable stream.</summary>
    public static TiffReader Open(Stream stream)
    {
        if (!stream.CanSeek || !stream.CanRead) throw new ArgumentException("A TIFF is read from a readable, seekable stream.", nameof(stream));
        if (!HasTiffHeader(stream)) throw new TiffFormatException("Not a TIFF: the file does not start with \"II*\\0\" or \"MM\\0*\".");
        Span<byte> header = stackalloc byte[HeaderSize];
        if (stream.Length < HeaderSize) throw new TiffFormatException($"The TIFF header needs {HeaderSize} bytes, the file has {stream.Length}.");
        ReadAt(stream, 0, header);
        var reader = new TiffReader(stream, header[0] == 'M');
        if (reader.UInt16(header[2..]) == 43) throw new TiffFormatException("BigTIFF (magic 43) is not supported; DNG and camera raws are classic TIFF.");
        reader.Ifd0 = reader.ReadDirectory(reader.UInt32(header[4..]), "IFD0", chainIndex: 0, depth: 0)
            ?? throw new TiffFormatException("The TIFF header points at no IFD0 (offset 0).");
        return reader;
    }

    /// <summary>Every directory, depth-first: each IFD of the chain followed by its EXIF IFD and SubIFDs (and theirs).</summary>
    public IEnumerable<TiffIfd> AllDirectories()
    {
        for (var ifd = Ifd0; ifd is not null; ifd = ifd.Next)
            foreach (var directory in WithChildren(ifd)) yield return directory;
    }

    private static IEnumerable<TiffIfd> WithChildren(TiffIfd ifd)
    {
        yield return ifd;
        var children = ifd.Exif is { } exif ? [exif, .. ifd.SubIfds] : ifd.SubIfds;
        foreach (var child in children)
            foreach (var directory in WithChildren(child)) yield return directory;
    }

    internal ushort UInt16(ReadOnlySpan<byte> bytes) => IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);
    internal uint UInt32(ReadOnlySpan<byte> bytes) => IsBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    internal ulong UInt64(ReadOnlySpan<byte> bytes) => IsBigEndian ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);

    /// <summary>Bytes at an offset the caller has checked against <see cref="Length"/>.</summary>
    internal void ReadAt(long offset, Span<byte> destination) => ReadAt(_stream, offset, destination);

    private static void ReadAt(Stream stream, long offset, Span<byte> destination)
    {
        stream.Position = offset;
        stream.ReadExactly(destination);
    }

    /// <summary>The directory at <paramref name="offset"/>, or null for offset 0 (no directory).</summary>
    internal TiffIfd? ReadDirectory(uint offset, string name, int chainIndex, int depth)
    {
        if (offset == 0) return null;
        if (offset < HeaderSize || offset > Length - 2)
            throw new TiffFormatException($"{name} at offset {offset} is outside the {Length}-byte file.");
        if (!_directoryOffsets.Add(offset))
            throw new TiffFormatException($"{name} at offset {offset} is a directory already read: the file's directories form a loop.");
        if (_directoryOffsets.Count > MaxDirectories)
            throw new TiffFormatException($"The file has more than {MaxDirectories} directories ({name} at offset {offset} is one too many).");
        if (depth > MaxSubIfdDepth)
            throw new TiffFormatException($"{name} is nested {depth} SubIFDs deep, more than {MaxSubIfdDepth}.");

        Span<byte> countBytes = stackalloc byte[2];
        ReadAt(offset, countBytes);
        int count = UInt16(countBytes);
        if (count > MaxEntriesPerDirectory)
            throw new TiffFormatException($"{name} at offset {offset} claims {count} entries, more than {MaxEntriesPerDirectory}.");
        _entryCount += count;
        if (_entryCount > MaxEntries)
            throw new TiffFormatException($"The file's directories hold more than {MaxEntries} entries in all ({name} at offset {offset} crosses the limit).");
        var size = 2 + 12L * count + 4;
        if (offset + size > Length)
            throw new TiffFormatException($"{name} at offset {offset} ({count} entries, {size} bytes) runs past the end of the {Length}-byte file.");

        var bytes = new byte[size - 2];
        ReadAt(offset + 2, bytes);
        var fields = new List<TiffField>(count);
        for (var i = 0; i < count; i++)
        {
            var entry = bytes.AsSpan(i * 12, 12);
            fields.Add(new TiffField(this, name, UInt16(entry), (TiffType)UInt16(entry[2..]), UInt32(entry[4..]), entry[8..]));
        }
        return new TiffIfd(this, name, offset, chainIndex, depth, fields, UInt32(bytes.AsSpan(12 * count)));
    }
}
