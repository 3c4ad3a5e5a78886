namespace RawEngine.Engine.Tiff;

/// <summary>
/// One image file directory as read by <see cref="TiffReader"/>: its fields, and the directories it points at
/// (the next IFD of the chain, SubIFDs, the EXIF IFD), read from the file when first asked for, so that these
/// may throw <see cref="TiffFormatException"/>.
/// </summary>
public sealed class TiffIfd
{
    private readonly TiffReader _reader;
    private readonly int _chainIndex;
    private readonly int _depth;
    private readonly uint _nextOffset;
    private readonly Dictionary<ushort, TiffField> _byTag = [];
    private (TiffIfd? Next, bool Read) _next;
    private IReadOnlyList<TiffIfd>? _subIfds;
    private (TiffIfd? Exif, bool Read) _exif;

    internal TiffIfd(TiffReader reader, string name, long offset, int chainIndex, int depth, IReadOnlyList<TiffField> fields, uint nextOffset)
    {
        _reader = reader;
        Name = name;
        Offset = offset;
        _chainIndex = chainIndex;
        _depth = depth;
        Fields = fields;
        _nextOffset = nextOffset;
        // A tag repeated in one directory is malformed; the first one counts, as in libtiff.
        foreach (var field in fields) _byTag.TryAdd(field.Tag, field);
    }

    /// <summary>Where it sits in the tree, for messages: "IFD0", "IFD1", "IFD0/SubIFD0", "IFD0/EXIF".</summary>
    public string Name { get; }

    public long Offset { get; }

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<TiffField> Fields { get; }

    public TiffField? this[ushort tag] => _byTag.GetValueOrDefault(tag);

    public bool Contains(ushort tag) => _byTag.ContainsKey(tag);

    /// <summary>The next directory of the IFD0 chain (IFD1 after IFD0); null at the end and for SubIFDs and the EXIF IFD, whose next pointers are not followed.</summary>
    public TiffIfd? Next
    {
        get
        {
            if (!_next.Read && _depth == 0)
                _next = (_reader.ReadDirectory(_nextOffset, $"IFD{_chainIndex + 1}", _chainIndex + 1, depth: 0), true);
            return _next.Next;
        }
    }

    /// <summary>The directories that tag 330 (SubIFDs) points at, in its order; empty without it.</summary>
    public IReadOnlyList<TiffIfd> SubIfds => _subIfds ??= ReadSubIfds();

    /// <summary>The EXIF IFD that tag 34665 points at, if any.</summary>
    public TiffIfd? Exif
    {
        get
        {
            if (!_exif.Read)
                _exif = (this[TiffTags.ExifIfd] is { } pointer ? _reader.ReadDirectory(Pointers(pointer)[0], $"{Name}/EXIF", _chainIndex, _depth + 1) : null, true);
            return _exif.Exif;
        }
    }

    private IReadOnlyList<TiffIfd> ReadSubIfds()
    {
        if (this[TiffTags.SubIfds] is not { } pointers) return [];
        if (pointers.Count > TiffReader.MaxDirectories)
            throw new TiffFormatException($"{pointers.Where} lists {pointers.Count} SubIFDs, more than a file may hold ({TiffReader.MaxDirectories}).");
        var offsets = Pointers(pointers);
        var directories = new List<TiffIfd>();
        for (var i = 0; i < offsets.Length; i++)
            if (_reader.ReadDirectory(offsets[i], $"{Name}/SubIFD{i}", _chainIndex, _depth + 1) is { } directory)
                directories.Add(directory);
        return directories;
    }

    private static uint[] Pointers(TiffField field)
    {
        if (field.Type is not (TiffType.Long or TiffType.Ifd) || field.Count == 0)
            throw new TiffFormatException($"{field.Where} is a directory pointer of type {field.Type} with {field.Count} values, not LONG or IFD.");
        return field.ReadIntegers().Select(offset => (uint)offset).ToArray();
    }
}
