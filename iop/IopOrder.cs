namespace RawEngine.Iop;

/// <summary>
/// The standard modules' stable ids (snake_case, used in edits, sidecars and the CLI): the one place they are spelled.
/// Each module's <c>Info</c> and <see cref="IopOrder"/> take them from here.
/// </summary>
public static class ModuleIds
{
    public const string DngOpcodes1 = "dng_opcodes1";
    public const string RawPrepare = "rawprepare";
    public const string DngOpcodes2 = "dng_opcodes2";
    public const string Temperature = "temperature";
    public const string Highlights = "highlights";
    public const string Demosaic = "demosaic";
    public const string DemosaicNn = "demosaic_nn";
    public const string Denoise = "denoise";
    public const string DenoiseNn = "denoise_nn";
    public const string DngOpcodes3 = "dng_opcodes3";
    public const string Sharpen = "sharpen";
    public const string PixelAspect = "pixelaspect";
    public const string Lens = "lens";
    public const string Flip = "flip";
    public const string ColorIn = "colorin";
    public const string Exposure = "exposure";
    public const string Crop = "crop";
    public const string Sigmoid = "sigmoid";
    public const string FinalScale = "finalscale";
    public const string ColorOut = "colorout";
    public const string SharpenOutput = "sharpen_output";
}

/// <summary>
/// The standard modules' processing order (after darktable's v5.0 order, trimmed to the modules this engine has).
/// Pass it, or an extended copy, to <see cref="Engine.Pipeline.ModuleRegistry"/>; an edit's explicit order overrides
/// it per image. As in darktable, <c>finalscale</c> runs before <c>colorout</c>: a resized export is resampled in
/// linear working space, not on display-encoded values.
/// </summary>
public static class IopOrder
{
    public static IReadOnlyList<string> Default { get; } =
    [
        ModuleIds.DngOpcodes1,
        ModuleIds.RawPrepare,
        ModuleIds.DngOpcodes2,
        ModuleIds.Temperature,
        ModuleIds.Highlights,
        ModuleIds.Demosaic,
        ModuleIds.DemosaicNn,
        ModuleIds.Denoise,
        ModuleIds.DenoiseNn,
        ModuleIds.DngOpcodes3,
        ModuleIds.Sharpen,
        ModuleIds.PixelAspect,
        ModuleIds.Lens,
        ModuleIds.Flip,
        ModuleIds.ColorIn,
        ModuleIds.Exposure,
        ModuleIds.Crop,
        ModuleIds.Sigmoid,
        ModuleIds.FinalScale,
        ModuleIds.ColorOut,
        ModuleIds.SharpenOutput,
    ];
}
