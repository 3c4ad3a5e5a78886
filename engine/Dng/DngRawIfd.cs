using RawEngine.Engine.Raw;
using RawEngine.Engine.Tiff;

namespace RawEngine.Engine.Dng;

/// <summary>
/// The raw image's directory of a DNG (IFD0 or a SubIFD) and its tags, as <see cref="DngFileTags"/> reads
/// them. Pattern-shaped values are row-major: BlackLevel is rows x columns x samples of the
/// BlackLevelRepeatDim tile, CFAPattern rows x columns of CFARepeatPatternDim, both stated at the
/// ActiveArea's top-left.
/// </summary>
public sealed record DngRawIfd
{
    /// <summary>Largest width or height accepted: far beyond any sensor, small enough that products stay in range.</summary>
    public const int MaxDimension = 1 << 20;
    /// <summary>Largest CFA or black-level repeat tile side (X-Trans is 6).</summary>
    public const int MaxPatternSide = 16;

    /// <summary>Which directory it is, as <see cref="TiffIfd.Name"/> says: "IFD0" or "IFD0/SubIFD1".</summary>
    public required string Directory { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int SamplesPerPixel { get; init; }
    /// <summary>One per sample.</summary>
    public required int[] BitsPerSample { get; init; }
    /// <summary>32803 (CFA) or 34892 (LinearRaw).</summary>
    public required int Photometric { get; init; }
    public required int Compression { get; init; }

    /// <summary>CFARepeatPatternDim: the CFA tile's rows and columns; null for LinearRaw.</summary>
    public (int Rows, int Columns)? CfaRepeatPatternDim { get; init; }
    /// <summary>CFAPattern: the colour plane of each tile cell, row-major.</summary>
    public byte[]? CfaPattern { get; init; }
    /// <summary>The colour planes a CFA's values index (CFAPlaneColor, default 0 1 2 = R G B); null for LinearRaw.</summary>
    public byte[]? CfaPlaneColor { get; init; }

    public required (int Rows, int Columns) BlackLevelRepeatDim { get; init; }
    /// <summary>Rows x columns x samples values, 0 where the file has no BlackLevel.</summary>
    public required double[] BlackLevel { get; init; }
    /// <summary>Added to the black of each column (Width values).</summary>
    public double[]? BlackLevelDeltaH { get; init; }
    /// <summary>Added to the black of each row (Height values).</summary>
    public double[]? BlackLevelDeltaV { get; init; }
    /// <summary>One per sample.</summary>
    public double[]? WhiteLevel { get; init; }
    /// <summary>Maps each 16-bit stored value to a linear one (before black subtraction).</summary>
    public ushort[]? LinearizationTable { get; init; }

    public (double Horizontal, double Vertical)? DefaultScale { get; init; }
    /// <summary>Relative to the ActiveArea's top-left, in raw pixels.</summary>
    public (double X, double Y)? DefaultCropOrigin { get; init; }
    public (double Width, double Height)? DefaultCropSize { get; init; }
    /// <summary>The part of the sensor that holds the image; outside it, margins.</summary>
    public PixelRect? ActiveArea { get; init; }
    /// <summary>Covered sensor areas, for black estimation.</summary>
    public PixelRect[]? MaskedAreas { get; init; }
    public int? BayerGreenSplit { get; init; }

    /// <summary>Where the image data ends in the file: the furthest strip or tile (offset + byte count); 0 when not stated.</summary>
    public long DataEnd { get; init; }

    /// <summary>The opcode lists' bytes as stored (big-endian, whatever the file's byte order).</summary>
    public byte[]? OpcodeList1 { get; init; }
    public byte[]? OpcodeList2 { get; init; }
    public byte[]? OpcodeList3 { get; init; }

    /// <summary>Colour planes the colour tags are stated for: CFAPlaneColor's count for CFA data, the samples for LinearRaw.</summary>
    public int ColorPlanes => CfaPlaneColor?.Length ?? SamplesPerPixel;

    internal static long Dimension(TiffIfd ifd, ushort tag) =>
        DngValues.Integer(ifd[tag], 1, MaxDimension) ?? throw new TiffFormatException($"{ifd.Name} has no tag {tag} (image size).");

    /// <summary>The end of the furthest of the pieces (strips or tiles) an offsets and a byte counts tag list; 0 without them.</summary>
    private static long FurthestEnd(TiffIfd ifd, ushort offsetsTag, ushort countsTag)
    {
        if (ifd[offsetsTag] is not { } offsets || ifd[countsTag] is not { } counts) return 0;
        var (starts, lengths) = (offsets.ReadIntegers(), counts.ReadIntegers());
        if (starts.Length != lengths.Length) throw new TiffFormatException($"{ifd.Name}: {starts.Length} data offsets but {lengths.Length} byte counts.");
        long end = 0;
        for (var i = 0; i < starts.Length; i++) end = Math.Max(end, starts[i] + lengths[i]);
        return end;
    }

    internal static DngRawIfd Read(TiffIfd ifd)
    {
        var width = (int)Dimension(ifd, TiffTags.ImageWidth);
        var height = (int)Dimension(ifd, TiffTags.ImageLength);
        var samples = (int)(DngValues.Integer(ifd[TiffTags.SamplesPerPixel], 1, 16) ?? 1);
        var photometric = (int)DngValues.Integer(ifd[TiffTags.PhotometricInterpretation])!;
        var isCfa = photometric == DngTags.PhotometricCfa;
        var cfaDim = isCfa ? Tile(ifd, TiffTags.CfaRepeatPatternDim, required: true) : null;
        var blackDim = Tile(ifd, DngTags.BlackLevelRepeatDim, required: false) ?? (1, 1);
        var blackCount = blackDim.Rows * blackDim.Columns * samples;
        var activeArea = Areas(ifd[DngTags.ActiveArea], width, height, single: true)?[0];
        return new DngRawIfd
        {
            Directory = ifd.Name,
            Width = width,
            Height = height,
            SamplesPerPixel = samples,
            BitsPerSample = DngValues.PerSample(ifd[TiffTags.BitsPerSample], samples, f => DngValues.Integers(f, null, 1, 32))?.Select(b => (int)b).ToArray()
                ?? throw new TiffFormatException($"{ifd.Name} (the raw image) has no BitsPerSample."),
            Photometric = photometric,
            Compression = (int)(DngValues.Integer(ifd[TiffTags.Compression]) ?? 1),
            CfaRepeatPatternDim = cfaDim,
            CfaPattern = cfaDim is var (rows, columns)
                ? DngValues.Integers(ifd[TiffTags.CfaPattern], rows * columns, 0, byte.MaxValue)?.Select(v => (byte)v).ToArray()
                    ?? throw new TiffFormatException($"{ifd.Name} is a CFA image without a CFAPattern.")
                : null,
            CfaPlaneColor = isCfa
                ? DngValues.Integers(ifd[DngTags.CfaPlaneColor], null, 0, byte.MaxValue)?.Select(v => (byte)v).ToArray() ?? [0, 1, 2]
                : null,
            BlackLevelRepeatDim = blackDim,
            BlackLevel = DngValues.PerSample(ifd[DngTags.BlackLevel], blackCount, f => DngValues.Numbers(f, null)) ?? new double[blackCount],
            BlackLevelDeltaH = Deltas(ifd[DngTags.BlackLevelDeltaH], activeArea?.Width, width),
            BlackLevelDeltaV = Deltas(ifd[DngTags.BlackLevelDeltaV], activeArea?.Height, height),
            WhiteLevel = DngValues.PerSample(ifd[DngTags.WhiteLevel], samples, f => DngValues.Numbers(f, null)),
            LinearizationTable = DngValues.Integers(ifd[DngTags.LinearizationTable], null, 0, ushort.MaxValue)?.Select(v => (ushort)v).ToArray(),
            DefaultScale = Pair(ifd[DngTags.DefaultScale]),
            DefaultCropOrigin = Pair(ifd[DngTags.DefaultCropOrigin]),
            DefaultCropSize = Pair(ifd[DngTags.DefaultCropSize]),
            ActiveArea = activeArea,
            MaskedAreas = Areas(ifd[DngTags.MaskedAreas], width, height, single: false),
            BayerGreenSplit = (int?)DngValues.Integer(ifd[DngTags.BayerGreenSplit]),
            DataEnd = Math.Max(FurthestEnd(ifd, TiffTags.StripOffsets, TiffTags.StripByteCounts), FurthestEnd(ifd, TiffTags.TileOffsets, TiffTags.TileByteCounts)),
            OpcodeList1 = ifd[DngTags.OpcodeList1]?.ReadBytes(),
            OpcodeList2 = ifd[DngTags.OpcodeList2]?.ReadBytes(),
            OpcodeList3 = ifd[DngTags.OpcodeList3]?.ReadBytes(),
        };
    }

    /// <summary>A repeat tile's rows and columns, each 1..<see cref="MaxPatternSide"/>.</summary>
    private static (int Rows, int Columns)? Tile(TiffIfd ifd, ushort tag, bool required)
    {
        if (DngValues.Integers(ifd[tag], 2, 1, MaxPatternSide) is { } dim) return ((int)dim[0], (int)dim[1]);
        return required ? throw new TiffFormatException($"{ifd.Name} is a CFA image without tag {tag} (CFARepeatPatternDim).") : null;
    }

    /// <summary>
    /// BlackLevelDeltaH/V: one value per column / row of the active area, as the DNG SDK reads them; a count of
    /// the whole image's columns / rows (the spec's wording) is accepted too.
    /// </summary>
    private static double[]? Deltas(TiffField? field, int? activeSize, int imageSize)
    {
        if (field is null) return null;
        if (field.Count != (activeSize ?? imageSize) && field.Count != imageSize)
            throw new TiffFormatException($"{field.Where} has {field.Count} values, not one per active-area line ({activeSize ?? imageSize}).");
        return DngValues.Numbers(field, null);
    }

    private static (double, double)? Pair(TiffField? field) => DngValues.Numbers(field, 2) is { } v ? (v[0], v[1]) : null;

    /// <summary>Rectangles written as top, left, bottom, right, each inside the image and not empty.</summary>
    private static PixelRect[]? Areas(TiffField? field, int width, int height, bool single)
    {
        if (field is null) return null;
        if (field.Count == 0 || field.Count % 4 != 0 || (single && field.Count != 4))
            throw new TiffFormatException($"{field.Where} has {field.Count} values, not {(single ? "4" : "a multiple of 4")} (top, left, bottom, right).");
        var v = DngValues.Integers(field, null, 0, MaxDimension)!;
        var areas = new PixelRect[v.Length / 4];
        for (var i = 0; i < areas.Length; i++)
        {
            var (top, left, bottom, right) = ((int)v[i * 4], (int)v[i * 4 + 1], (int)v[i * 4 + 2], (int)v[i * 4 + 3]);
            if (top >= bottom || left >= right || bottom > height || right > width)
                throw new TiffFormatException($"{field.Where}: the area top {top}, left {left}, bottom {bottom}, right {right} is empty or not inside the {width}x{height} image.");
            areas[i] = new PixelRect(left, top, right - left, bottom - top);
        }
        return areas;
    }
}

/// <summary>A DNG tag's values, checked for the count and range the spec gives them.</summary>
internal static class DngValues
{
    /// <summary>Finite numbers, exactly <paramref name="count"/> of them when given; null without the tag.</summary>
    public static double[]? Numbers(TiffField? field, int? count)
    {
        if (field is null) return null;
        CheckCount(field, count);
        var values = field.ReadDoubles();
        if (values.Any(v => !double.IsFinite(v)))
            throw new TiffFormatException($"{field.Where} holds a value that is not a finite number (a zero denominator?).");
        return values;
    }

    public static double? Number(TiffField? field) => Numbers(field, 1)?[0];

    /// <summary>Integers in <paramref name="min"/>..<paramref name="max"/>, exactly <paramref name="count"/> of them when given; null without the tag.</summary>
    public static long[]? Integers(TiffField? field, int? count, long min, long max)
    {
        if (field is null) return null;
        CheckCount(field, count);
        var values = field.ReadIntegers();
        if (values.Any(v => v < min || v > max))
            throw new TiffFormatException($"{field.Where} holds a value outside {min}..{max}.");
        return values;
    }

    /// <summary>
    /// A per-sample (or per-cell) value: <paramref name="count"/> values, or one that stands for all, as many
    /// writers put it; null without the tag.
    /// </summary>
    public static T[]? PerSample<T>(TiffField? field, int count, Func<TiffField, T[]?> read)
    {
        if (field is null) return null;
        if (field.Count != count && field.Count != 1)
            throw new TiffFormatException($"{field.Where} has {field.Count} values, not {count} (or 1 for all).");
        var values = read(field)!;
        return values.Length == count ? values : Enumerable.Repeat(values[0], count).ToArray();
    }

    public static long? Integer(TiffField? field, long min = 0, long max = uint.MaxValue) => Integers(field, 1, min, max)?[0];

    private static void CheckCount(TiffField field, int? count)
    {
        if (count is { } n ? field.Count != n : field.Count == 0)
            throw new TiffFormatException($"{field.Where} has {field.Count} values, not {count?.ToString() ?? "at least 1"}.");
    }
}
