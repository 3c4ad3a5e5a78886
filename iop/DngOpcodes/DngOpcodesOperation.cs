using RawEngine.Engine.Buffers;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.DngOpcodes;

/// <summary>The opcode lists are part of what the file means: no user parameters.</summary>
public sealed record DngOpcodesParams : OperationParams;

/// <summary>
/// One DNG opcode list applied in its stage (<see cref="RawImage.Opcodes"/>): <c>dng_opcodes1</c> on the raw
/// values as stored, before rawprepare; <c>dng_opcodes2</c> on the linear CFA after it; <c>dng_opcodes3</c>
/// on RGB after demosaic, where WarpRectilinear moves pixels. A file without the list does not get the module.
/// </summary>
public sealed class DngOpcodesOperation : ImageOperation<DngOpcodesParams, DngOpcodesOperation.Stage>
{
    /// <summary>
    /// A list split at what moves pixels: value opcodes before it, the mover, value opcodes after it. List 3's mover is its
    /// WarpRectilinear; list 2's, on a Bayer raw whose list-3 warp is per plane, the red and blue part of that warp
    /// (<see cref="MosaicPlaneAlignment"/>); list 1 has none.
    /// </summary>
    public sealed record Stage(PixelOpcodes Before, IPixelMover? Warp, PixelOpcodes After);

    private readonly int _list;

    /// <param name="list">1, 2 or 3: which OpcodeList this instance applies.</param>
    public DngOpcodesOperation(int list)
    {
        _list = list is >= 1 and <= 3 ? list : throw new ArgumentOutOfRangeException(nameof(list), list, "DNG has OpcodeList1, 2 and 3.");
        Info = list == 3
            ? new(ModuleIds.DngOpcodes3, 1, "DNG opcodes after demosaic (lens distortion, shading)",
                OperationFlags.TilingAllowed | OperationFlags.Geometric | OperationFlags.EnabledByDefault,
                new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearCamera), TilingNeeds.Pointwise)
            : new(list == 1 ? ModuleIds.DngOpcodes1 : ModuleIds.DngOpcodes2, 1, list == 1 ? "DNG opcodes on the stored raw" : "DNG opcodes on the linear raw (lens shading)",
                OperationFlags.TilingAllowed | OperationFlags.InPlace | OperationFlags.EnabledByDefault,
                new FormatFilter(PixelLayout.Any, list == 1 ? ColorEncoding.RawCamera : ColorEncoding.LinearCamera), TilingNeeds.Pointwise);
        // Absent from the pipe of a file without this list: such files develop as they did before opcodes existed.
        Info = Info with { AppliesTo = image => image.Opcodes?.List(list).Count > 0 || (list == 2 && MosaicPlaneAlignment.For(image) is not null) };
    }

    public override OperationInfo Info { get; }

    protected override bool InPlace(Stage state) => state.Warp is null;

    protected override Stage Commit(DngOpcodesParams parameters, CommitContext context)
    {
        var stages = context.Image.Opcodes;
        var opcodes = stages?.List(_list) ?? [];
        var frame = stages?.Frame(_list) ?? default;
        var unit = _list == 1 ? ushort.MaxValue : 1f;
        var perPlane = MosaicPlaneAlignment.For(context.Image);
        if (_list == 2 && perPlane is not null)
            return new Stage(new PixelOpcodes(opcodes, frame, unit), new MosaicPlaneAlignment(perPlane, stages!.Frame(3), context.Input.Cfa!, context.InputSize),
                new PixelOpcodes([], frame, unit));
        var warpAt = -1;
        for (var i = 0; i < opcodes.Count; i++)
            if (opcodes[i] is WarpRectilinearOpcode)
                warpAt = warpAt < 0 ? i : throw new PipeException($"OpcodeList{_list} has more than one WarpRectilinear, which RawEngine does not chain");
        if (warpAt < 0) return new Stage(new PixelOpcodes(opcodes, frame, unit), null, new PixelOpcodes([], frame, unit));
        var warp = (WarpRectilinearOpcode)opcodes[warpAt];
        // Red and blue were moved onto green on the mosaic (list 2's stage): all three planes now move as green.
        if (perPlane is not null) warp = MosaicPlaneAlignment.GreenOnly(warp);
        return new Stage(new PixelOpcodes(opcodes.Take(warpAt).ToArray(), frame, unit), new RectilinearWarp(warp, frame, context.InputSize),
            new PixelOpcodes(opcodes.Skip(warpAt + 1).ToArray(), frame, unit));
    }

    protected override Roi ModifyRoiIn(Stage state, Roi roiOut, CommitContext context) =>
        state.Warp?.InputFor(roiOut) ?? roiOut;

    /// <summary>The warp's formula for its green plane (what masks follow), point by point.</summary>
    protected override PointMap OutputToInput(Stage state, double outputScale, double inputScale, CommitContext context) =>
        state.Warp is RectilinearWarp warp
            ? PointMap.Bending((x, y) =>
            {
                var (sx, sy) = warp.Source(1, x / outputScale, y / outputScale);
                return (sx * inputScale, sy * inputScale);
            })
            : Affine2.Scaling(inputScale / outputScale);

    protected override void Process(ProcessContext context, Stage state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        if (state.Warp is not { } warp)
        {
            RegionCopy.Run(context, input, roiIn, output, roiOut);
            state.Before.Apply(context, output, roiOut);
            return;
        }
        if (state.Before.IsEmpty) warp.Process(context, input, roiIn, output, roiOut);
        else
        {
            // The values before the warp change in a copy: the pipe's input stays as cached.
            using var corrected = ImageBuffer.Rent(context.Pool, roiIn.Width, roiIn.Height, input.Channels);
            RegionCopy.Run(context, input, roiIn, corrected, roiIn);
            state.Before.Apply(context, corrected, roiIn);
            warp.Process(context, corrected, roiIn, output, roiOut);
        }
        state.After.Apply(context, output, roiOut);
    }
}
