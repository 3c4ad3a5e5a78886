using RawEngine.Engine.Imaging;
using RawEngine.Engine.Color;
using RawEngine.Engine.Dng;

namespace RawEngine.Engine.Raw;

/// <summary>
/// Corrects what LibRaw 0.20 makes of a DNG with what the file's own tags say (engine/Raw/README.md lists
/// the tags): BaselineExposure (absent stays absent), BlackLevel per cell with BlackLevelDeltaH/V,
/// WhiteLevel, the full colour calibration (ColorMatrix, CameraCalibration, ForwardMatrix, AnalogBalance),
/// AsShotNeutral or AsShotWhiteXY, DefaultScale as the pixel aspect, and the opcode lists (<see cref="DngOpcodeStages"/>).
/// </summary>
internal static class DngOverlay
{
    /// <summary>Compression 34892: lossy (8-bit JPEG) DNG.</summary>
    private const int LossyDngCompression = 34892;

    public static RawImage Apply(RawImage image, DngFileTags tags)
    {
        var raw = tags.Raw;
        var calibrations = Calibrations(tags);
        var analogBalance = tags.AnalogBalance is { } ab ? ab.Select(v => (float)v).ToArray() : null;
        var model = calibrations.Count > 0 ? new CameraColorModel(calibrations, analogBalance)
            : image.XyzToCamera is { } libRawMatrix ? new CameraColorModel([new DngColorMatrix(Illuminant.D65, libRawMatrix)], analogBalance)
            : null;
        var (multipliers, whiteBalanceSource) = AsShot(tags, model) ?? (image.AsShotMultipliers, image.WhiteBalanceSource);
        var (activeX, activeY) = (raw.ActiveArea?.X ?? 0, raw.ActiveArea?.Y ?? 0);
        // LibRaw rescales some data as it unpacks (8-bit lossy DNG to 16 bits) and its white with it; the
        // tags' levels are in the file's units, so they follow by the same factor.
        var levelScale = raw.WhiteLevel is { Length: > 0 } white && white.Max() > 0 ? image.White / white.Max() : 1;
        SubtractBlackDeltas(image, raw, activeX, activeY, levelScale);
        var warnings = new List<string>(calibrations.Count > 0 ? [] : image.Warnings);
        var opcodes = Opcodes(image, raw, warnings);
        return image with
        {
            BaselineExposure = tags.BaselineExposure is { } ev ? (float)ev : null,
            NoiseProfile = tags.NoiseProfile,
            Black = Black(image, raw, image.Visible.X - activeX, image.Visible.Y - activeY, levelScale),
            DngColorMatrices = calibrations.Count > 0 ? calibrations : image.DngColorMatrices,
            AnalogBalance = analogBalance,
            AsShotMultipliers = multipliers,
            WhiteBalanceSource = whiteBalanceSource,
            DaylightMultipliers = model is not null ? Reciprocals(model.NeutralFor(Chromaticity.D65)) : image.DaylightMultipliers,
            ColorMatrixSource = calibrations.Count > 0 ? Describe(tags) : image.ColorMatrixSource,
            PixelAspect = raw.DefaultScale is { Horizontal: > 0, Vertical: > 0 } scale ? scale.Horizontal / scale.Vertical : image.PixelAspect,
            Warnings = warnings,
            Opcodes = opcodes,
            Capture = tags.SubjectDistance is { } distance ? image.Capture with { SubjectDistance = distance } : image.Capture,
            // The opcodes RawEngine applies: one it skips corrects nothing, so a lens profile may.
            LensOpcodes = DngLensOpcodes.Of(opcodes?.List1, opcodes?.List2, opcodes?.List3),
        };
    }

    /// <summary>
    /// The opcode lists RawEngine applies, or null without any. An opcode it cannot apply in its list's stage is
    /// dropped with a warning when optional and refuses the file, naming it, when not. List 1 belongs before
    /// linearization, which LibRaw has already done: it is applied to the values as read when the file has no
    /// LinearizationTable (they are the stored ones), and skipped with a warning when it has one.
    /// </summary>
    private static DngOpcodeStages? Opcodes(RawImage image, DngRawIfd raw, List<string> warnings)
    {
        if (raw.OpcodeList1 is null && raw.OpcodeList2 is null && raw.OpcodeList3 is null) return null;
        var active = raw.ActiveArea ?? new PixelRect(0, 0, raw.Width, raw.Height);
        var activeFrame = new OpcodeFrame(image.Visible.X - active.X, image.Visible.Y - active.Y, active.Width, active.Height);
        var storedFrame = new OpcodeFrame(image.Visible.X, image.Visible.Y, image.SensorWidth, image.SensorHeight);
        var list1 = Supported(image, raw.OpcodeList1, 1, storedFrame, warnings);
        if (list1.Count > 0 && raw.LinearizationTable is not null)
        {
            warnings.Add("OpcodeList1 is not applied: it works on stored values, and LibRaw has already mapped them through the LinearizationTable.");
            list1 = [];
        }
        var list2 = Supported(image, raw.OpcodeList2, 2, activeFrame, warnings);
        // LibRaw (as dcraw) turns a lossy DNG's list-2 MapPolynomials into the curves it decodes the 8-bit tiles through.
        if (raw.Compression == LossyDngCompression) list2.RemoveAll(opcode => opcode is MapPolynomialOpcode);
        var stages = new DngOpcodeStages(list1, list2, Supported(image, raw.OpcodeList3, 3, activeFrame, warnings),
            storedFrame, activeFrame);
        return stages.List1.Count + stages.List2.Count + stages.List3.Count > 0 ? stages : null;
    }

    /// <summary>
    /// A list's opcodes that RawEngine applies in that stage. TrimBounds is honoured by the visible area (the
    /// DefaultCrop writers place inside it), so it is only checked; warps apply to RGB after demosaic only.
    /// </summary>
    private static List<DngOpcode> Supported(RawImage image, byte[]? bytes, int number, OpcodeFrame frame, List<string> warnings)
    {
        var kept = new List<DngOpcode>();
        if (bytes is null) return kept;
        var listName = $"OpcodeList{number}";
        foreach (var opcode in DngOpcodeList.Parse(bytes, listName))
        {
            if (opcode is TrimBoundsOpcode trim)
            {
                if (frame.X < trim.Left || frame.Y < trim.Top || frame.X + image.Visible.Width > trim.Right || frame.Y + image.Visible.Height > trim.Bottom)
                    warnings.Add($"{listName}'s TrimBounds (top {trim.Top}, left {trim.Left}, bottom {trim.Bottom}, right {trim.Right}) cuts into the visible area; the visible area is kept.");
                continue;
            }
            var applies = opcode is not UnsupportedOpcode && (opcode is not WarpRectilinearOpcode || number == 3);
            if (applies) kept.Add(opcode);
            else if (opcode.Optional) warnings.Add($"{listName}: the optional opcode {opcode.Name} is skipped (RawEngine does not apply it{(number < 3 && opcode is WarpRectilinearOpcode ? " before demosaic" : "")}).");
            else throw new RawDecodeException(image.Source ?? "", $"{listName} has {opcode.Name}, which is not optional and which RawEngine cannot apply{(number < 3 && opcode is WarpRectilinearOpcode ? " before demosaic" : "")}");
        }
        return kept;
    }

    /// <summary>ColorMatrix1/2 with their illuminants, calibrations and forward matrices, as the tags pair them.</summary>
    private static List<DngColorMatrix> Calibrations(DngFileTags tags)
    {
        var list = new List<DngColorMatrix>(2);
        if (tags.ColorMatrix1 is { } first)
            list.Add(new(tags.CalibrationIlluminant1 ?? Illuminant.Unknown, first, tags.CameraCalibration1, tags.ForwardMatrix1));
        if (tags.ColorMatrix2 is { } second)
            list.Add(new(tags.CalibrationIlluminant2 ?? Illuminant.Unknown, second, tags.CameraCalibration2, tags.ForwardMatrix2));
        return list;
    }

    private static (float[] Multipliers, string Source)? AsShot(DngFileTags tags, CameraColorModel? model)
    {
        if (tags.AsShotNeutral is { Length: >= 3 } neutral && neutral.Take(3).All(v => v > 0))
            return (RawDecoder.MultipliersForNeutral([(float)neutral[0], (float)neutral[1], (float)neutral[2]])!, "DNG AsShotNeutral");
        if (tags.AsShotWhiteXY is { } xy && model is not null)
            return (Reciprocals(model.NeutralFor(new Chromaticity(xy.X, xy.Y))), $"DNG AsShotWhiteXY ({xy.X:0.####}, {xy.Y:0.####})");
        return null;
    }

    /// <summary>A neutral the colour model computed (always positive) as white-balance multipliers.</summary>
    private static float[] Reciprocals(float[] neutral) => RawDecoder.MultipliersForNeutral(neutral)!;

    private static string Describe(DngFileTags tags)
    {
        var parts = new List<string>();
        if (tags.ColorMatrix1 is not null) parts.Add($"DNG ColorMatrix1 ({tags.CalibrationIlluminant1 ?? Illuminant.Unknown})");
        if (tags.ColorMatrix2 is not null) parts.Add($"ColorMatrix2 ({tags.CalibrationIlluminant2 ?? Illuminant.Unknown})");
        if (tags.CameraCalibration1 is not null || tags.CameraCalibration2 is not null) parts.Add("CameraCalibration");
        if (tags.AnalogBalance is not null) parts.Add("AnalogBalance");
        if (tags.ForwardMatrix1 is not null || tags.ForwardMatrix2 is not null) parts.Add("ForwardMatrix");
        return string.Join(" + ", parts);
    }

    /// <summary>
    /// The BlackLevel tile (stated at the ActiveArea's origin) restated at the visible area's origin, which
    /// lies <paramref name="dx"/>, <paramref name="dy"/> into it. LinearRaw keeps one black per sample (a
    /// larger tile's per-sample mean: BlackLevels holds per-sample values only as one cell).
    /// </summary>
    private static BlackLevels Black(RawImage image, DngRawIfd raw, int dx, int dy, double levelScale)
    {
        var (rows, columns) = raw.BlackLevelRepeatDim;
        var samples = raw.BlackLevel.Length / (rows * columns);
        if (samples != 1 || image.SamplesPerPixel != 1)
        {
            var perSample = new float[4];
            for (var s = 0; s < Math.Min(samples, 3); s++)
                perSample[s] = (float)(levelScale * Enumerable.Range(0, rows * columns).Average(cell => raw.BlackLevel[cell * samples + s]));
            return new BlackLevels(0, perSample);
        }
        var pattern = new float[rows * columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                pattern[r * columns + c] = (float)(levelScale * raw.BlackLevel[Periodic.Wrap(r + dy, rows) * columns + Periodic.Wrap(c + dx, columns)]);
        return pattern.AsSpan().IndexOfAnyExcept(pattern[0]) < 0
            ? BlackLevels.Uniform(pattern[0])
            : new BlackLevels(0, [0, 0, 0, 0], columns, rows, pattern);
    }

    /// <summary>
    /// BlackLevelDeltaH/V (per column / row of the active area) taken off the samples themselves, so the
    /// black left to subtract is the periodic tile the pipe's rawprepare knows.
    /// </summary>
    private static void SubtractBlackDeltas(RawImage image, DngRawIfd raw, int activeX, int activeY, double levelScale)
    {
        if (raw.BlackLevelDeltaH is null && raw.BlackLevelDeltaV is null) return;
        var deltaH = raw.BlackLevelDeltaH;
        var deltaV = raw.BlackLevelDeltaV;
        var samples = image.SamplesPerPixel;
        var data = image.Data;
        var visible = image.Visible;
        Parallel.For(visible.Y, visible.Bottom, y =>
        {
            var rowDelta = deltaV is not null && y - activeY is var vy && vy >= 0 && vy < deltaV.Length ? deltaV[vy] : 0;
            var row = data.AsSpan(y * image.SensorWidth * samples, image.SensorWidth * samples);
            for (var x = visible.X; x < visible.Right; x++)
            {
                var delta = levelScale * (rowDelta + (deltaH is not null && x - activeX is var hx && hx >= 0 && hx < deltaH.Length ? deltaH[hx] : 0));
                for (var s = 0; s < samples; s++)
                    row[x * samples + s] = (ushort)Math.Clamp(Math.Round(row[x * samples + s] - delta), 0, ushort.MaxValue);
            }
        });
    }

}
