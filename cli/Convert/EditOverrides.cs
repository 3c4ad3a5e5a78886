using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.ColorOut;
using RawEngine.Iop.Demosaic;
using RawEngine.Iop.DemosaicNn;
using RawEngine.Iop.Denoise;
using RawEngine.Iop.DenoiseNn;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.Lens;
using RawEngine.Iop.Sharpen;
using RawEngine.Iop.Sigmoid;
using RawEngine.Iop.Temperature;

namespace RawEngine.Cli.Convert;

/// <summary>Applies the command line's development options on top of an edit (sidecar or defaults).</summary>
public static class EditOverrides
{
    public static Edit Apply(Edit edit, ConvertSettings settings, ModuleRegistry modules)
    {
        if (settings.WhiteBalance is { } wb)
            edit = edit.With("temperature", wb.Mode switch
            {
                "as-shot" => edit.ParamsOf<TemperatureParams>("temperature") with { Mode = WhiteBalanceMode.AsShot },
                "daylight" => edit.ParamsOf<TemperatureParams>("temperature") with { Mode = WhiteBalanceMode.Daylight },
                "auto" => edit.ParamsOf<TemperatureParams>("temperature") with { Mode = WhiteBalanceMode.Auto },
                _ => new TemperatureParams { Mode = WhiteBalanceMode.Custom, Red = wb.Multipliers![0], Green = wb.Multipliers[1], Blue = wb.Multipliers[2] },
            });
        if (settings.Exposure is { } ev)
            edit = edit.With("exposure", edit.ParamsOf<ExposureParams>("exposure") with { Exposure = ev });
        else if (settings.Tone == "none" && edit.IndexOf("exposure") < 0)
            // The default +0.7 EV belongs to the default look with a tone mapper; linear output keeps scene values.
            edit = edit.With("exposure", new ExposureParams { Exposure = 0 });
        if (settings.Profile is { } profile)
            edit = edit.With("colorout", edit.ParamsOf<ColorOutParams>("colorout") with { Profile = profile });
        if (settings.Tone is { } tone)
            edit = edit.With("sigmoid", edit.ParamsOf<SigmoidParams>("sigmoid")).WithEnabled("sigmoid", tone == "sigmoid");
        if (settings.Lens is { } lens)
            edit = edit.With("lens", edit.ParamsOf<LensParams>("lens") with { Mode = lens == "off" ? LensMode.Off : LensMode.Auto });
        if (settings.Demosaic is { } method)
            edit = method == "nn" ? UseNeuralDemosaic(edit, modules, settings.DemosaicEnsemble) : edit.With("demosaic", new DemosaicParams { Method = Choice(method) });
        if (settings.Denoise is { Method: "nn", Strength: var neural })
            edit = edit.With("denoise_nn", edit.ParamsOf<DenoiseNnParams>("denoise_nn") with { Strength = neural });
        else if (settings.Denoise is { Method: "classic", Strength: var classic })
            edit = edit.With("denoise", edit.ParamsOf<DenoiseParams>("denoise") with { Strength = classic });
        if (settings.Sharpen.CaptureAmount is { } amount)
            edit = edit.With("sharpen", edit.ParamsOf<SharpenParams>("sharpen") with { Amount = amount });
        if (settings.Sharpen.Off)
            foreach (var instance in new[] { "sharpen", "sharpen_output" })
                if (edit.IndexOf(instance) >= 0) edit = edit.WithEnabled(instance, false);
        return edit;
    }

    private static DemosaicChoice Choice(string method) => method switch
    {
        "bilinear" => DemosaicChoice.Bilinear,
        "lmmse" => DemosaicChoice.Lmmse,
        "xtrans" => DemosaicChoice.XTrans,
        "half" => DemosaicChoice.HalfSize,
        _ => DemosaicChoice.Auto,
    };

    private static Edit UseNeuralDemosaic(Edit edit, ModuleRegistry modules, int? ensemble)
    {
        const string neural = "demosaic_nn";
        if (!modules.Contains(neural))
            throw new UsageException("--demosaic nn: this build has no neural demosaic module");
        var schema = modules.SchemaOf(neural);
        var index = edit.IndexOf(neural);
        var parameters = index >= 0 ? edit.Modules[index].Params : schema.Defaults;
        if (ensemble is { } views)
            parameters = (parameters as DemosaicNnParams ?? new DemosaicNnParams()) with { Ensemble = views };
        edit = edit.With(neural, parameters);
        return edit.With("demosaic", edit.ParamsOf<DemosaicParams>("demosaic")).WithEnabled("demosaic", false);
    }
}
