using RawEngine.Engine.Buffers;
using RawEngine.Engine.Color;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Temperature;

public enum WhiteBalanceMode { AsShot, Daylight, Custom, Auto, Temperature }

public sealed record TemperatureParams : OperationParams
{
    [ParamDescription("as_shot: the camera's multipliers (daylight when the file has none); daylight: from the camera matrix; auto: grey world over unclipped blocks, as LibRaw's; custom: red/green/blue below; temperature: kelvin and tint below, through the camera matrix.")]
    public WhiteBalanceMode Mode { get; init; } = WhiteBalanceMode.AsShot;

    [ParamRange(0.05, 20), ParamDescription("Custom red multiplier (relative to green).")]
    public double Red { get; init; } = 1;

    [ParamRange(0.05, 20), ParamDescription("Custom green multiplier.")]
    public double Green { get; init; } = 1;

    [ParamRange(0.05, 20), ParamDescription("Custom blue multiplier (relative to green).")]
    public double Blue { get; init; } = 1;

    [ParamRange(Chromaticity.MinKelvin, Chromaticity.MaxKelvin), ParamDescription("Temperature mode: the scene's white as a colour temperature, in kelvin.")]
    public double Kelvin { get; init; } = 5000;

    [ParamRange(-150, 150), ParamDescription("Temperature mode: tint across the black-body locus, positive towards magenta (DNG SDK units).")]
    public double Tint { get; init; }
}

/// <summary>
/// White balance: multiplies each CFA colour (or RGB channel) of linear camera data. Multipliers are
/// normalised so green is 1, so a clipped green stays at 1.0 and the other channels clip above it.
/// </summary>
public sealed class TemperatureOperation : ImageOperation<TemperatureParams, TemperatureOperation.Balance>
{
    public override OperationInfo Info { get; } = new(ModuleIds.Temperature, 1, "White balance",
        OperationFlags.TilingAllowed | OperationFlags.InPlace | OperationFlags.EnabledByDefault | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Any, ColorEncoding.LinearCamera), TilingNeeds.Pointwise);

    /// <summary>The multipliers (R, G, B, normalised to G = 1) the params give for an image.</summary>
    public static float[] Multipliers(TemperatureParams parameters, Engine.Raw.RawImage image)
    {
        float[] raw = parameters.Mode switch
        {
            WhiteBalanceMode.AsShot => image.AsShotMultipliers,
            WhiteBalanceMode.Daylight => image.DaylightMultipliers,
            WhiteBalanceMode.Auto => GreyWorld.Multipliers(image) ?? image.AsShotMultipliers,
            WhiteBalanceMode.Temperature => ForTemperature(parameters, image),
            _ => [(float)parameters.Red, (float)parameters.Green, (float)parameters.Blue],
        };
        return [raw[0] / raw[1], 1f, raw[2] / raw[1]];
    }

    /// <summary>The multipliers that make a white of the params' temperature and tint neutral: the reciprocal of the camera's response to it.</summary>
    private static float[] ForTemperature(TemperatureParams parameters, Engine.Raw.RawImage image)
    {
        var model = CameraColorModel.Of(image) ?? throw new PipeException(
            "white balance by temperature needs the camera's colour matrix, and this raw has none (use as_shot, daylight or custom multipliers)");
        var neutral = model.NeutralFor(Chromaticity.FromTemperature(parameters.Kelvin, parameters.Tint));
        return [1 / neutral[0], 1 / neutral[1], 1 / neutral[2]];
    }

    /// <summary>The multipliers (R, G, B) and their map onto the input's CFA cells or channels.</summary>
    public sealed record Balance(float[] Multipliers, CellAffine Map);

    /// <summary>White balance moves each channel's saturation level with it.</summary>
    protected override BufferFormat OutputFormat(Balance state, CommitContext context)
    {
        var m = state.Multipliers;
        var applied = context.Input.WhiteBalance is { } earlier ? earlier.Scaled(m[0], m[1], m[2]) : new ChannelLevels(m[0], m[1], m[2]);
        return context.Input with { Saturation = context.Input.Saturation?.Scaled(m[0], m[1], m[2]), WhiteBalance = applied };
    }

    protected override Balance Commit(TemperatureParams parameters, CommitContext context)
    {
        var multipliers = Multipliers(parameters, context.Image);
        if (context.Input.Cfa is not { } cfa) return new Balance(multipliers, new CellAffine(1, 1, multipliers, new float[3]));
        var scale = new float[cfa.Width * cfa.Height];
        for (var y = 0; y < cfa.Height; y++)
            for (var x = 0; x < cfa.Width; x++)
                scale[y * cfa.Width + x] = multipliers[cfa.ColorAt(y, x)];
        return new Balance(multipliers, new CellAffine(cfa.Width, cfa.Height, scale, new float[scale.Length]));
    }

    protected override void Process(ProcessContext context, Balance state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        state.Map.Apply(context, input, roiIn, output, roiOut);
}
