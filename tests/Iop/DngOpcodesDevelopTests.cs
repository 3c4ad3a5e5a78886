using RawEngine.AI.Registry;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Imaging;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Quality;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Iop;

/// <summary>
/// The protocol for opcode lists, on DNGs the project writes: a known scene is shaded (or distorted) as
/// the opcodes state, written with the list, and developed (identity camera, `--tone none --profile srgb`); the
/// result is scored against the unshaded scene beside the same file written without shading and opcode.
/// Shading and distortion are computed here from the spec's formulas, not through the engine's code.
/// </summary>
public class DngOpcodesDevelopTests(ITestOutputHelper output)
{
    /// <summary>A vendored Kodak image (768x512): natural detail that demosaic and resampling keep, as the protocol's scenes.</summary>
    private static LinearScene Scene() => LinearScene.LoadSrgb(SharedData.Kodak(23));

    private static Srgb8Image Truth(LinearScene scene) => ImageQuality.EncodeSrgb8(scene.Rgb, scene.Width, scene.Height, scene.Width * 3, 3);

    /// <summary>Divides each visible sample's signal (above black) by gain(x, y, colour): what the opcode must undo.</summary>
    private static RawImage Shade(RawImage raw, Func<int, int, int, double> gain)
    {
        var data = (ushort[])raw.Data.Clone();
        var v = raw.Visible;
        for (var y = 0; y < v.Height; y++)
            for (var x = 0; x < v.Width; x++)
                for (var s = 0; s < raw.SamplesPerPixel; s++)
                {
                    var colour = raw.Cfa?.ColorAt(y, x) ?? s;
                    var black = raw.Black.At(y, x, colour);
                    var i = ((v.Y + y) * raw.SensorWidth + v.X + x) * raw.SamplesPerPixel + s;
                    data[i] = (ushort)Math.Round(black + (data[i] - black) / gain(x, y, colour));
                }
        return raw with { Data = data };
    }

    private async Task<(double Clean, double Corrected, double Uncorrected)> ScoreAsync(LinearScene scene, RawImage clean, RawImage altered, DngWriteOptions opcodes, Func<Srgb8Image, Srgb8Image>? measure = null)
    {
        measure ??= image => image;
        using var temp = new TempFolder();
        var truth = measure(Truth(scene));
        async Task<double> Score(RawImage raw, DngWriteOptions options, string name)
        {
            var dng = temp.File(name + ".dng");
            DngWriter.Write(raw, dng, options);
            var png = temp.File(name + ".png");
            var result = await CliRunner.RunAsync(ModelEnvironment.Process, ["convert", dng, "-o", png, "--tone", "none", "--profile", "srgb"]);
            Assert.True(result.ExitCode == 0, result.Error);
            // The border is in measured pixels: a quarter of the protocol's on 4x4 block means.
            var border = IdentityRoundTrip.Border * truth.Width / scene.Width;
            return ImageQuality.Cpsnr(truth, measure(ImageFile.LoadSrgb8(png)), border);
        }
        var scores = (await Score(clean, new DngWriteOptions(), "clean"), await Score(altered, opcodes, "corrected"), await Score(altered, new DngWriteOptions(), "uncorrected"));
        output.WriteLine($"CPSNR clean {scores.Item1:0.00} dB, with opcodes {scores.Item2:0.00} dB, shaded/distorted without them {scores.Item3:0.00} dB");
        return scores;
    }

    [Fact]
    public async Task FourPerCellGainMapsUndoLensShadingWithinHalfADecibel()
    {
        var scene = Scene();
        var (width, height) = (scene.Width, scene.Height);
        var clean = SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = CfaPattern.Rggb, Margin = 4 });
        // One map per CFA cell, as phones write them: colour shading differs per cell (red falls off most).
        double[] strength = [1.2, 0.8, 0.8, 0.5];
        double Gain(int cell, double u, double v) => 1 + strength[cell] * 4 * ((u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5));
        const int points = 17;
        var maps = new List<DngOpcode>();
        for (var cell = 0; cell < 4; cell++)
        {
            var gains = new float[points * points];
            for (var j = 0; j < points; j++)
                for (var i = 0; i < points; i++) gains[j * points + i] = (float)Gain(cell, i / (points - 1.0), j / (points - 1.0));
            maps.Add(new GainMapOpcode(false, new OpcodeArea(cell / 2, cell % 2, height, width, 0, 1, 2, 2), points, points,
                1.0 / (points - 1), 1.0 / (points - 1), 0, 0, 1, gains));
        }
        var shaded = Shade(clean, (x, y, _) => Gain((y % 2) * 2 + x % 2, (x + 0.5) / width, (y + 0.5) / height));

        var (cleanScore, corrected, uncorrected) = await ScoreAsync(scene, clean, shaded, new DngWriteOptions { OpcodeList2 = maps });
        Assert.True(Math.Abs(cleanScore - corrected) <= 0.5, $"gain-mapped file {corrected:0.00} dB vs clean {cleanScore:0.00} dB");
        Assert.True(uncorrected < cleanScore - 5, $"the shading itself should cost more than 5 dB: {uncorrected:0.00} vs {cleanScore:0.00}");
    }

    [Fact]
    public async Task FixVignetteRadialUndoesVignettingWithinHalfADecibel()
    {
        var scene = Scene();
        var clean = SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = CfaPattern.Grbg });
        double[] k = [0.9, 0.4, 0, 0, 0];
        var (cx, cy) = (0.45 * scene.Width, 0.55 * scene.Height);
        var reach = Math.Sqrt(Math.Pow(Math.Max(cx, scene.Width - cx), 2) + Math.Pow(Math.Max(cy, scene.Height - cy), 2));
        var shaded = Shade(clean, (x, y, _) =>
        {
            var r2 = (Math.Pow(x + 0.5 - cx, 2) + Math.Pow(y + 0.5 - cy, 2)) / (reach * reach);
            return 1 + k[0] * r2 + k[1] * r2 * r2;
        });

        var (cleanScore, corrected, uncorrected) = await ScoreAsync(scene, clean, shaded,
            new DngWriteOptions { OpcodeList2 = [new FixVignetteRadialOpcode(false, k, 0.45, 0.55)] });
        Assert.True(Math.Abs(cleanScore - corrected) <= 0.5, $"vignette-corrected file {corrected:0.00} dB vs clean {cleanScore:0.00} dB");
        Assert.True(uncorrected < cleanScore - 5, $"the vignetting itself should cost more than 5 dB: {uncorrected:0.00} vs {cleanScore:0.00}");
    }

    /// <summary>Barrel distortion with a tangential term, one set for all planes, off-centre.</summary>
    public static WarpRectilinearOpcode BarrelWarp { get; } = new(false, [new(1, 0, -0.06, 0, 0.002, 0)], 0.52, 0.48);

    /// <summary>The same lens with lateral chromatic aberration: red and blue scaled apart from green.</summary>
    public static WarpRectilinearOpcode ChromaticWarp { get; } = new(false,
        [new(1.004, 0, -0.06, 0, 0.002, 0), new(1, 0, -0.06, 0, 0.002, 0), new(0.996, 0, -0.06, 0, 0.002, 0)], 0.52, 0.48);

    /// <summary>The spec's model: where corrected point (x, y) of plane p lies in the distorted image (continuous pixel coordinates).</summary>
    public static (double X, double Y) Distort(WarpRectilinearOpcode warp, int plane, double x, double y, int width, int height)
    {
        var k = warp.Planes[Math.Min(plane, warp.Planes.Length - 1)];
        var (cx, cy) = (warp.CenterX * width, warp.CenterY * height);
        var reach = Math.Sqrt(Math.Pow(Math.Max(cx, width - cx), 2) + Math.Pow(Math.Max(cy, height - cy), 2));
        var (dx, dy) = ((x - cx) / reach, (y - cy) / reach);
        var r2 = dx * dx + dy * dy;
        var f = k.Kr0 + k.Kr1 * r2 + k.Kr2 * r2 * r2 + k.Kr3 * r2 * r2 * r2;
        return (cx + reach * (dx * f + k.Kt0 * 2 * dx * dy + k.Kt1 * (r2 + 2 * dx * dx)),
                cy + reach * (dy * f + k.Kt1 * 2 * dx * dy + k.Kt0 * (r2 + 2 * dy * dy)));
    }

    /// <summary>The scene as the lens images it: each distorted pixel shows the scene point the warp sends there (found by fixed-point iteration).</summary>
    public static LinearScene DistortScene(LinearScene scene, WarpRectilinearOpcode warp)
    {
        var (w, h) = (scene.Width, scene.Height);
        var rgb = new float[w * h * 3];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                for (var c = 0; c < 3; c++)
                {
                    var (qx, qy) = (x + 0.5, y + 0.5);
                    var (px, py) = (qx, qy);
                    for (var i = 0; i < 20; i++)
                    {
                        var (sx, sy) = Distort(warp, c, px, py, w, h);
                        (px, py) = (px + qx - sx, py + qy - sy);
                    }
                    rgb[(y * w + x) * 3 + c] = Bicubic(scene, px - 0.5, py - 0.5, c);
                }
        return new LinearScene(w, h, rgb);
    }

    /// <summary>Keys' cubic convolution (a = -0.5) in double precision, the scene's edge held.</summary>
    private static float Bicubic(LinearScene scene, double x, double y, int c)
    {
        static double Kernel(double d)
        {
            d = Math.Abs(d);
            return d < 1 ? 1.5 * d * d * d - 2.5 * d * d + 1 : d < 2 ? -0.5 * d * d * d + 2.5 * d * d - 4 * d + 2 : 0;
        }
        var (x0, y0) = ((int)Math.Floor(x), (int)Math.Floor(y));
        double sum = 0;
        for (var j = y0 - 1; j <= y0 + 2; j++)
            for (var i = x0 - 1; i <= x0 + 2; i++)
                sum += Kernel(x - i) * Kernel(y - j) * scene.Rgb[(Math.Clamp(j, 0, scene.Height - 1) * scene.Width + Math.Clamp(i, 0, scene.Width - 1)) * 3 + c];
        return (float)Math.Max(sum, 0);
    }

    /// <summary>4x4 block means: what the warp is measured on (the resampling blur of the truth itself costs a few dB at full size).</summary>
    private static Srgb8Image BlockMeans(Srgb8Image image)
    {
        var (w, h) = (image.Width / 4, image.Height / 4);
        var rgb = new byte[w * h * 3];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                for (var c = 0; c < 3; c++)
                {
                    var sum = 0;
                    for (var j = 0; j < 4; j++)
                        for (var i = 0; i < 4; i++) sum += image.Rgb[((y * 4 + j) * image.Width + x * 4 + i) * 3 + c];
                    rgb[(y * w + x) * 3 + c] = (byte)Math.Round(sum / 16.0);
                }
        return new Srgb8Image(w, h, rgb);
    }

    [Fact]
    public async Task WarpRectilinearUndoesBarrelDistortionOfABayerRawWithin4Decibels()
    {
        var scene = Scene();
        var options = new SyntheticRawOptions { Cfa = CfaPattern.Bggr };
        var clean = SyntheticRaw.Create(scene, options);
        var distorted = SyntheticRaw.Create(DistortScene(scene, BarrelWarp), options);

        var (cleanScore, corrected, uncorrected) = await ScoreAsync(scene, clean, distorted, new DngWriteOptions { OpcodeList3 = [BarrelWarp] }, BlockMeans);
        Assert.True(corrected >= cleanScore - 4, $"warped file {corrected:0.00} dB vs clean {cleanScore:0.00} dB on 4x4 block means");
        Assert.True(uncorrected < corrected - 10, $"the distortion itself should cost more than 10 dB: {uncorrected:0.00} vs corrected {corrected:0.00}");
    }

    /// <summary>
    /// Per-plane coefficients remove lateral chromatic aberration. On LinearRaw (no demosaic: a Bayer mosaic of a
    /// fringed image demosaics with its own colour errors before the warp can move the planes back) the only
    /// loss is resampling; the clean file is lossless, so the bar is absolute.
    /// </summary>
    [Fact]
    public async Task PerPlaneWarpRemovesLateralChromaticAberration()
    {
        var scene = Scene();
        var options = new SyntheticRawOptions { Cfa = null };
        var clean = SyntheticRaw.Create(scene, options);
        var fringed = SyntheticRaw.Create(DistortScene(scene, ChromaticWarp), options);

        var (_, corrected, uncorrected) = await ScoreAsync(scene, clean, fringed, new DngWriteOptions { OpcodeList3 = [ChromaticWarp] }, BlockMeans);
        Assert.True(corrected >= 50, $"warped file {corrected:0.00} dB on 4x4 block means");
        Assert.True(uncorrected < 35, $"the distortion and fringes should cost the file more: {uncorrected:0.00} dB");
    }

    /// <summary>
    /// The same per-plane warp on a Bayer raw: the fringes are in the mosaic, so red and blue are moved onto green on
    /// their own CFA sites before demosaic, and the warp after demosaic moves all three planes as green.
    /// </summary>
    [Fact]
    public async Task PerPlaneWarpOnABayerRawComesWithin4DecibelsOfTheCleanFile()
    {
        var scene = Scene();
        var options = new SyntheticRawOptions { Cfa = CfaPattern.Bggr };
        var clean = SyntheticRaw.Create(scene, options);
        var fringed = SyntheticRaw.Create(DistortScene(scene, ChromaticWarp), options);

        var (cleanScore, corrected, uncorrected) = await ScoreAsync(scene, clean, fringed, new DngWriteOptions { OpcodeList3 = [ChromaticWarp] }, BlockMeans);
        Assert.True(corrected >= cleanScore - 4, $"warped file {corrected:0.00} dB vs clean {cleanScore:0.00} dB on 4x4 block means");
        Assert.True(uncorrected < corrected - 10, $"the distortion and fringes should cost more than 10 dB: {uncorrected:0.00} vs corrected {corrected:0.00}");
    }

    [Fact]
    public async Task AnUnknownOptionalOpcodeIsReportedAndDevelopsARequiredOneFailsNamingIt()
    {
        using var temp = new TempFolder();
        var raw = SyntheticRaw.Chart(64, 48, new SyntheticRawOptions());
        var optional = temp.File("optional.dng");
        DngWriter.Write(raw, optional, new DngWriteOptions { OpcodeList3 = [new UnsupportedOpcode(true, 2)] });
        var developed = await CliRunner.RunAsync("convert", optional, "-o", temp.File("optional.png"));
        Assert.True(developed.ExitCode == 0, developed.Error);
        Assert.True(File.Exists(temp.File("optional.png")));
        var info = await CliRunner.RunAsync("info", "--json", optional);
        Assert.Contains("the optional opcode WarpFisheye is skipped", info.Out);

        var required = temp.File("required.dng");
        DngWriter.Write(raw, required, new DngWriteOptions { OpcodeList2 = [new UnsupportedOpcode(false, 77)] });
        var refused = await CliRunner.RunAsync("convert", required, "-o", temp.File("required.png"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("OpcodeList2 has opcode 77, which is not optional", refused.Error);
        Assert.False(File.Exists(temp.File("required.png")));
    }
}
