using RawEngine.Engine.Dng;

namespace RawEngine.Engine.Raw;

/// <summary>
/// Where the pipe's image (the visible area at scale 1) lies in the image an opcode list works on: its
/// origin at (<see cref="X"/>, <see cref="Y"/>) of a <see cref="Width"/> x <see cref="Height"/> stage image.
/// Opcode areas and relative centres are stated in that stage image.
/// </summary>
public readonly record struct OpcodeFrame(int X, int Y, int Width, int Height);

/// <summary>
/// A DNG's opcode lists, parsed, keeping only what RawEngine applies (unsupported optional opcodes are
/// dropped with a warning when the raw is read). List 1 works on the raw as stored (whole IFD image), lists
/// 2 and 3 on the ActiveArea: 2 on the linearized CFA, 3 after demosaic.
/// </summary>
public sealed record DngOpcodeStages(IReadOnlyList<DngOpcode> List1, IReadOnlyList<DngOpcode> List2, IReadOnlyList<DngOpcode> List3,
    OpcodeFrame StoredFrame, OpcodeFrame ActiveFrame)
{
    public IReadOnlyList<DngOpcode> List(int number) => number switch { 1 => List1, 2 => List2, 3 => List3, _ => throw new ArgumentOutOfRangeException(nameof(number)) };

    public OpcodeFrame Frame(int number) => number == 1 ? StoredFrame : ActiveFrame;
}
