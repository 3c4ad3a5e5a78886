namespace RawEngine.Engine.Dng;

/// <summary>
/// Which of a DNG's opcodes correct the lens: WarpRectilinear (distortion, lateral CA), FixVignetteRadial and GainMap
/// (shading), read from the lists as <see cref="DngOpcodeList.Parse"/> gives them. A profile-based lens correction
/// steps aside for a file that has any, so the lens is not corrected twice.
/// </summary>
public static class DngLensOpcodes
{
    public static bool CorrectsTheLens(DngOpcode opcode) => opcode is WarpRectilinearOpcode or FixVignetteRadialOpcode or GainMapOpcode;

    /// <summary>The names of the lens-correcting opcodes in <paramref name="lists"/>, in list order, each once.</summary>
    public static IReadOnlyList<string> Of(params IReadOnlyList<DngOpcode>?[] lists) =>
        lists.SelectMany(list => list ?? []).Where(CorrectsTheLens).Select(opcode => opcode.Name).Distinct().ToList();
}
