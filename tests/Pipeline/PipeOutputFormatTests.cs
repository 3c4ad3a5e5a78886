using RawEngine.Engine.Color;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Export;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.ColorIn;
using RawEngine.Iop.ColorOut;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.Flip;
using RawEngine.Iop.Sigmoid;

namespace RawEngine.Tests.Pipeline;

/// <summary>The pipe's output says what it is (colour space, orientation), and resizing happens in linear light.</summary>
public sealed class PipeOutputFormatTests : IDisposable
{
    private readonly RenderEngine _engine = new(StandardModules.CreateRegistry(), new EngineOptions { MaxThreads = 2, UseGpu = false, CacheBytes = 0 });

    public void Dispose() => _engine.Dispose();

    [Fact]
    public void TheOutputFormatCarriesTheOutputSpaceAndTheOrientationApplied()
    {
        var raw = SyntheticRaw.Chart(96, 64, new SyntheticRawOptions { Orientation = 6 });
        using var session = _engine.Open(raw, "chart");
        var standard = session.OutputFormat(Edit.Empty);
        Assert.Equal(RgbColorSpace.Srgb, standard.ColorSpace);
        Assert.Equal(6, standard.AppliedOrientation);

        var p3 = Edit.Empty.With(ModuleIds.ColorOut, new ColorOutParams { Profile = "display-p3" });
        Assert.Equal(RgbColorSpace.DisplayP3, session.OutputFormat(p3).ColorSpace);
        var noColorOut = Edit.Empty.With(ModuleIds.ColorOut, new ColorOutParams()).WithEnabled(ModuleIds.ColorOut, false);
        Assert.Equal(RgbColorSpace.LinearRec2020, session.OutputFormat(noColorOut).ColorSpace);
        var upright = Edit.Empty.With(ModuleIds.Flip, new FlipParams { Orientation = 1 });
        Assert.Equal(1, session.OutputFormat(upright).AppliedOrientation);
        var noFlip = Edit.Empty.With(ModuleIds.Flip, new FlipParams()).WithEnabled(ModuleIds.Flip, false);
        Assert.Null(session.OutputFormat(noFlip).AppliedOrientation);
    }

    [Fact]
    public void AnExportImageTakesItsProfileAndOrientationFromTheFormat()
    {
        var raw = SyntheticRaw.Chart(96, 64, new SyntheticRawOptions { Orientation = 8 });
        using var session = _engine.Open(raw, "chart");
        ExportImage Image(Edit edit)
        {
            using var pixels = session.RenderForExport(edit);
            return ExportImage.FromPipe(pixels, pixels.Format, raw);
        }
        var adobe = Image(Edit.Empty.With(ModuleIds.ColorOut, new ColorOutParams { Profile = "adobe-rgb" }));
        Assert.Equal((RgbColorSpace.AdobeRgb, 1), (adobe.ColorSpace, adobe.Metadata.Orientation));
        Assert.Equal(raw.Capture, adobe.Metadata.Capture);
        var stored = Image(Edit.Empty.With(ModuleIds.Flip, new FlipParams()).WithEnabled(ModuleIds.Flip, false));
        Assert.Equal(8, stored.Metadata.Orientation);

        var camera = Edit.Empty.With(ModuleIds.ColorIn, new ColorInParams()).WithEnabled(ModuleIds.ColorIn, false)
            .With(ModuleIds.ColorOut, new ColorOutParams()).WithEnabled(ModuleIds.ColorOut, false)
            .With(ModuleIds.Sigmoid, new SigmoidParams()).WithEnabled(ModuleIds.Sigmoid, false);
        Assert.Contains("no colour space", Assert.Throws<PipeException>(() => Image(camera)).Message);
    }

    [Fact]
    public void FinalscaleRunsBeforeColoroutSoAResizeAveragesLight()
    {
        Assert.True(IopOrder.Default.ToList().IndexOf(ModuleIds.FinalScale) < IopOrder.Default.ToList().IndexOf(ModuleIds.ColorOut));
        Assert.Equal(IopOrder.Default, StandardModules.CreateRegistry().Order);

        // Vertical stripes two pixels wide, 0.8 and 0 in linear light, shrunk four times: 0.4 in linear light, which
        // sRGB encodes as 0.665 (averaging the encoded values instead would give 0.453).
        const int width = 256, height = 64;
        var rgb = new float[width * height * 3];
        for (var i = 0; i < width * height; i++)
            if (i % width % 4 < 2) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = 0.8f;
        var raw = SyntheticRaw.Create(new LinearScene(width, height, rgb), new SyntheticRawOptions { Cfa = null });
        using var session = _engine.Open(raw, "stripes");
        var linearLook = Edit.Empty.With(ModuleIds.Exposure, new ExposureParams { Exposure = 0 })
            .With(ModuleIds.Sigmoid, new SigmoidParams()).WithEnabled(ModuleIds.Sigmoid, false);
        using var pixels = session.RenderForExport(linearLook, Roi.Full(new ImageSize(width, height), 0.25));
        using (pixels.OpenBand(0, pixels.Height, CancellationToken.None))
        {
            var row = pixels.Row(pixels.Height / 2);
            var expected = TransferFunction.Srgb.Encode(0.4);
            for (var x = 4; x < pixels.Width - 4; x++)
                for (var c = 0; c < 3; c++)
                    Assert.InRange(row[4 * x + c], expected - 0.01, expected + 0.01);
        }
    }
}
