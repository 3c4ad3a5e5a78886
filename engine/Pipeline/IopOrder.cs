namespace RawEngine.Engine.Pipeline;

/// <summary>
/// The engine's default processing order of module ids (after darktable's v5.0 order, trimmed to
/// the modules this engine has). Pass it, or an extended copy, to <see cref="ModuleRegistry"/>;
/// an edit's explicit order overrides it per image.
/// </summary>
public static class IopOrder
{
    public static IReadOnlyList<string> Default { get; } =
    [
        "dng_opcodes1",
        "rawprepare",
        "dng_opcodes2",
        "temperature",
        "highlights",
        "demosaic",
        "demosaic_nn",
        "denoise",
        "denoise_nn",
        "dng_opcodes3",
        "sharpen",
        "pixelaspect",
        "lens",
        "flip",
        "colorin",
        "exposure",
        "crop",
        "sigmoid",
        "colorout",
        "finalscale",
        "sharpen_output",
    ];
}
