using RawEngine.Engine.Color;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.Crop;
using RawEngine.Iop.Exposure;
using RawEngine.Iop.Temperature;

namespace RawEngine.Tests.Api;

/// <summary>The edit helpers: relative to the default look, touching only what they set; white balance by temperature.</summary>
public sealed class EditExtensionsTests
{
    [Fact]
    public void HelpersChangeOnlyWhatTheyNameAndReadBack()
    {
        var sidecar = Edit.Empty.With(ModuleIds.Exposure, new ExposureParams { Exposure = 1.2, Black = 0.01 });
        var brighter = sidecar.WithExposure(2);
        var exposure = brighter.ParamsOf<ExposureParams>(ModuleIds.Exposure);
        Assert.Equal((ExposureParams.DefaultExposure + 2, 0.01), (exposure.Exposure, exposure.Black));
        Assert.Equal(2, brighter.Exposure(), 9);
        Assert.Equal(0.5, sidecar.Exposure(), 9);

        var daylight = Edit.Empty.WithWhiteBalanceMultipliers(2, 1, 1.5).WithWhiteBalance(WhiteBalanceMode.Daylight);
        Assert.Equal(new TemperatureParams { Mode = WhiteBalanceMode.Daylight, Red = 2, Blue = 1.5 }, daylight.ParamsOf<TemperatureParams>(ModuleIds.Temperature));
        Assert.Throws<ArgumentException>(() => Edit.Empty.WithWhiteBalance(WhiteBalanceMode.Temperature));

        var cropped = Edit.Empty.WithCrop(0.1, 0.2, 0.3, 0.4);
        Assert.Equal(new CropParams { X = 0.1, Y = 0.2, Width = 0.3, Height = 0.4 }, cropped.ParamsOf<CropParams>(ModuleIds.Crop));
        Assert.False(cropped.WithoutCrop().Modules[cropped.IndexOf(ModuleIds.Crop)].Enabled);
        Assert.Equal(Edit.Empty, Edit.Empty.WithoutCrop());

        Assert.Equal(RgbColorSpace.Srgb, Edit.Empty.OutputSpace());
        Assert.Equal(RgbColorSpace.ProPhoto.AsLinear(), Edit.Empty.WithOutputSpace(RgbColorSpace.ProPhoto.AsLinear()).OutputSpace());
        Assert.Throws<ArgumentException>(() => Edit.Empty.WithOutputSpace(RgbColorSpace.Srgb with { Id = "mine" }));
    }

    [Fact]
    public void TemperatureFollowsTheBlackBodyLocusAndTintCrossesIt()
    {
        // Points of the Planckian locus (CIE 1931 xy, tabulated by Wyszecki & Stiles): the fit is within 0.001.
        foreach (var (kelvin, x, y) in new[] { (2856.0, 0.4476, 0.4074), (5000.0, 0.3451, 0.3516), (6500.0, 0.3135, 0.3236), (10000.0, 0.2807, 0.2884) })
        {
            var white = Chromaticity.FromTemperature(kelvin);
            Assert.InRange(white.X, x - 0.001, x + 0.001);
            Assert.InRange(white.Y, y - 0.001, y + 0.001);
        }
        // Magenta is away from green: a positive tint moves the white 1/3000 per unit across the locus (CIE 1960 uv), to lower v.
        var (u, v) = Chromaticity.FromTemperature(5000).ToUv();
        var (mu, mv) = Chromaticity.FromTemperature(5000, 30).ToUv();
        Assert.Equal(0.01, Math.Sqrt((mu - u) * (mu - u) + (mv - v) * (mv - v)), 5);
        Assert.True(mv < v);
        Assert.Throws<ArgumentOutOfRangeException>(() => Chromaticity.FromTemperature(1000));
    }

    [Fact]
    public async Task AWarmerTemperatureSettingGivesAWarmerPicture()
    {
        using var processor = new RawProcessor(new RawProcessorOptions { Engine = new EngineOptions { MaxThreads = 2, UseGpu = false } });
        using var photo = processor.Open(SyntheticRaw.Chart(240, 160));
        double RedOverBlue(PreviewImage p)
        {
            double red = 0, blue = 0;
            for (var i = 0; i < p.Bgra.Length; i += 4) (red, blue) = (red + p.Bgra[i + 2], blue + p.Bgra[i]);
            return red / blue;
        }
        var cool = RedOverBlue(await photo.RenderPreviewAsync(Edit.Empty.WithWhiteBalanceTemperature(3500), 120, 120));
        var neutral = RedOverBlue(await photo.RenderPreviewAsync(Edit.Empty.WithWhiteBalanceTemperature(5500), 120, 120));
        var warm = RedOverBlue(await photo.RenderPreviewAsync(Edit.Empty.WithWhiteBalanceTemperature(8000), 120, 120));
        Assert.True(cool < neutral && neutral < warm, $"red/blue at 3500 K {cool:F3}, 5500 K {neutral:F3}, 8000 K {warm:F3}");

        // The synthetic camera sees linear sRGB under D65: 6504 K with the tint that reaches D65 (about +3) is nearly as-shot (D65).
        var asShot = RedOverBlue(await photo.RenderPreviewAsync(Edit.Empty, 120, 120));
        var d65 = RedOverBlue(await photo.RenderPreviewAsync(Edit.Empty.WithWhiteBalanceTemperature(6504, 3), 120, 120));
        Assert.InRange(d65 / asShot, 0.97, 1.03);
    }
}
