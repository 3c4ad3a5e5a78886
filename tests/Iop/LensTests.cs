using System.Runtime.InteropServices;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.Lens;
using RawEngine.Tests.Pipeline;
using RawEngine.Tests.Support;
using Xunit.Abstractions;

namespace RawEngine.Tests.Iop;

/// <summary>
/// Lens correction from lensfun, on profiles from Debian's liblensfun-data-v1: a Canon EOS 550D with its kit
/// lens (EF-S 18-55mm at 18 mm, f/3.5: ptlens barrel distortion, TCA and strong vignetting) and a fixed-lens
/// compact (PowerShot G12 at 6.1 mm: poly5 distortion and TCA). Scenes are drawn through lensfun's own
/// simulation of the lens, then developed; the module must undo it.
/// </summary>
public class LensTests(ITestOutputHelper output)
{
    public static readonly CaptureInfo KitLens = new()
    {
        Make = "Canon", Model = "Canon EOS 550D", Lens = "Canon EF-S 18-55mm f/3.5-5.6 IS", FocalLength = 18, FNumber = 3.5f, Iso = 100, ExposureTime = 0.01f,
    };

    public static readonly CaptureInfo Compact = new()
    {
        Make = "Canon", Model = "Canon PowerShot G12", FocalLength = 6.1f, FNumber = 2.8f, Iso = 100, ExposureTime = 0.01f,
    };

    private static LensDatabase Lensfun => LensDatabase.System!;

    private static readonly Edit LinearLook = Edit.Empty
        .With("sigmoid", new RawEngine.Iop.Sigmoid.SigmoidParams()).WithEnabled("sigmoid", false)
        .With("exposure", new RawEngine.Iop.Exposure.ExposureParams { Exposure = 0 });

    private static RenderEngine Engine(long budget = 0, bool withLens = true) => new(
        withLens ? StandardModules.CreateRegistry() : new ModuleRegistry(StandardModules.All().Where(m => m.Info.Id != "lens").ToList(), IopOrder.Default),
        budget > 0 ? new EngineOptions { CacheBytes = 0, MemoryBudgetBytes = budget } : new EngineOptions { CacheBytes = 0 });

    [LensfunFact]
    public void TheKitLensAndTheCompactAreFoundByFuzzyMatching()
    {
        Assert.Equal("Canon EF-S 18-55mm f/3.5-5.6 IS", Lensfun.Find(KitLens)?.Name);
        // EXIF lens names rarely equal lensfun's: lensfun's scoring still finds it.
        Assert.Equal("Canon EF-S 18-55mm f/3.5-5.6 IS", Lensfun.Find(KitLens with { Lens = "EF-S18-55mm f/3.5-5.6 IS" })?.Name);
        // A compact names no lens: its camera is its lens.
        Assert.Equal("Canon PowerShot G12 & compatibles (Standard)", Lensfun.Find(Compact)?.Name);
        Assert.Null(Lensfun.Find(new CaptureInfo { Make = "RawEngine", Model = "Synthetic", Lens = "Synthetic 50mm F2", FocalLength = 50 }));
        // An interchangeable-lens body without a lens name has no one lens to assume.
        Assert.Null(Lensfun.Find(KitLens with { Lens = "" }));
    }

    [LensfunFact]
    public void ADngNamingTheCameraAndLensFindsTheProfile()
    {
        using var temp = new TempFolder();
        var path = temp.File("kit.dng");
        DngWriter.Write(SyntheticRaw.Chart(120, 80, new SyntheticRawOptions { Capture = KitLens }), path);
        var decoded = RawDecoder.Decode(path);
        output.WriteLine($"LibRaw reads: '{decoded.Capture.Make}' '{decoded.Capture.Model}' '{decoded.Capture.Lens}' {decoded.Capture.FocalLength} mm f/{decoded.Capture.FNumber}");
        Assert.Equal("Canon EF-S 18-55mm f/3.5-5.6 IS", LensOperation.ProfileFor(decoded, Lensfun)?.Name);
    }

    /// <summary>
    /// The module's pixels against lensfun's API: an image whose red, green and blue hold their own x (then y)
    /// coordinate is corrected; bilinear resampling of such a ramp is exact, so each output channel holds the input
    /// point the module read it from, which must be where lfModifier::ApplySubpixelGeometryDistortion says.
    /// </summary>
    [LensfunTheory]
    [InlineData("kit", 600, 400)]
    [InlineData("compact", 640, 480)]
    public void ResamplingReadsWhereLensfunSays(string which, int width, int height)
    {
        var capture = which == "kit" ? KitLens : Compact;
        var raw = SyntheticRaw.Chart(16, 16, new SyntheticRawOptions { Cfa = null, Capture = capture });
        var committed = Commit(new LensParams { Vignetting = false }, raw, width, height);
        var profile = Lensfun.Find(capture)!;
        using var reference = profile.CreateModifier(width, height, capture.FocalLength, capture.FNumber, 1000,
            LensfunNative.ModifyDistortion | LensfunNative.ModifyTca | LensfunNative.ModifyScale);
        var expected = LensfunGrid(reference, width, height);
        var region = new Roi(37, 23, width - 80, height - 50, 1);
        var (xs, ys) = (Ramp(width, height, axis: 0), Ramp(width, height, axis: 1));
        using var outX = Run(committed, xs, region);
        using var outY = Run(committed, ys, region);
        var worst = 0.0;
        for (var y = 0; y < region.Height; y++)
            for (var x = 0; x < region.Width; x++)
                for (var c = 0; c < 3; c++)
                {
                    var at = ((region.Y + y) * width + region.X + x) * 6 + c * 2;
                    var (ex, ey) = (expected[at], expected[at + 1]);
                    if (ex < 1 || ey < 1 || ex > width - 2 || ey > height - 2) continue;   // clamped at the edge
                    worst = Math.Max(worst, Math.Max(Math.Abs(outX.At(x, y, c) - ex), Math.Abs(outY.At(x, y, c) - ey)));
                }
        output.WriteLine($"{profile.Name}: largest difference from lensfun {worst:0.00000} px");
        Assert.True(worst < 0.01, $"module and lensfun differ by {worst} px");
        // And the correction is not the identity: lensfun moves the corner by pixels.
        Assert.True(Math.Abs(expected[2]) + Math.Abs(expected[3]) > 2, $"corner source {expected[2]}, {expected[3]}");
    }

    [LensfunFact]
    public async Task DistortionStraightensAGrid()
    {
        // Horizontal dark lines near the top and bottom, drawn through lensfun's simulation of the kit lens at 18 mm
        // (barrel): bowed in the raw, straight after correction.
        const int width = 600, height = 400;
        var lines = new[] { 40.0, 360.0 };
        var scene = ThroughLens(KitLens, width, height, LensfunNative.ModifyDistortion, (x, y) =>
        {
            var d = lines.Min(l => Math.Abs(y - l));
            return (float)(0.7 - 0.6 * Math.Exp(-d * d / 4.5));
        });
        var raw = SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = null, Capture = KitLens });
        using var engine = Engine();
        using var session = engine.Open(raw);
        var edit = LinearLook.With("lens", new LensParams { ChromaticAberration = false, Vignetting = false });
        using var before = await session.RenderAsync(edit.With("lens", new LensParams { Mode = LensMode.Off }), Roi.Full(session.OutputSize(edit)));
        using var after = await session.RenderAsync(edit, Roi.Full(session.OutputSize(edit)));
        var (bowBefore, bowAfter) = (Bow(before, 0, 95), Bow(after, 0, 95));
        output.WriteLine($"top line bows {bowBefore:0.000} px before, {bowAfter:0.000} px after; bottom {Bow(before, 305, 400):0.000} -> {Bow(after, 305, 400):0.000}");
        Assert.True(bowBefore > 2, $"the simulated lens should bow the line, bows {bowBefore} px");
        Assert.True(bowAfter < 0.15, $"corrected line still bows {bowAfter} px");
        Assert.True(Bow(after, 305, 400) < 0.15);
    }

    [LensfunFact]
    public async Task VignettingFlattensAFlatField()
    {
        const int width = 600, height = 400;
        var scene = ThroughLens(KitLens, width, height, LensfunNative.ModifyVignetting, (_, _) => 0.6f);
        var raw = SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = CfaPattern.Rggb, Capture = KitLens });
        using var engine = Engine();
        using var session = engine.Open(raw);
        var roi = Roi.Full(session.OutputSize(LinearLook));
        using var before = await session.RenderAsync(LinearLook.With("lens", new LensParams { Mode = LensMode.Off }), roi);
        using var after = await session.RenderAsync(LinearLook, roi);
        var (flatBefore, flatAfter) = (Flatness(before), Flatness(after));
        output.WriteLine($"darkest over brightest block: {flatBefore:0.000} before, {flatAfter:0.000} after");
        Assert.True(flatBefore < 0.8, $"the simulated vignetting should darken the corners, ratio {flatBefore}");
        Assert.True(flatAfter > 0.98, $"corrected field is not flat, ratio {flatAfter}");
    }

    /// <summary>
    /// A lens whose vignetting lensfun calibrates per subject distance (EF 50mm f/1.4 USM wide open: k1 -1.21 at 0.45 m,
    /// -1.65 at 2.7 m): a DNG stating EXIF SubjectDistance 0.45 m is corrected with the close calibration and comes out
    /// flat; read without the distance (lensfun's far) the same file comes out over-corrected.
    /// </summary>
    [LensfunFact]
    public async Task TheSubjectDistanceChoosesTheVignettingCalibration()
    {
        // On a full-frame body: lensfun 0.3 leaves this full-frame calibration's vignetting alone on a 1.6x crop.
        var close = KitLens with { Model = "Canon EOS 6D", Lens = "Canon EF 50mm f/1.4 USM", FocalLength = 50, FNumber = 1.4f, SubjectDistance = 0.45f };
        Assert.Equal("Canon EF 50mm f/1.4 USM", Lensfun.Find(close)?.Name);
        const int width = 600, height = 400;
        var scene = ThroughLens(close, width, height, LensfunNative.ModifyVignetting, (_, _) => 0.5f);
        using var temp = new TempFolder();
        var path = temp.File("close.dng");
        DngWriter.Write(SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = CfaPattern.Rggb, Capture = close }), path);
        var decoded = RawDecoder.Decode(path);
        Assert.Equal(0.45f, decoded.Capture.SubjectDistance, 4);
        using var engine = Engine();
        async Task<double> FlatnessOf(RawImage raw)
        {
            using var session = engine.Open(raw);
            using var image = await session.RenderAsync(LinearLook, Roi.Full(session.OutputSize(LinearLook)));
            return Flatness(image);
        }
        var (stated, unknown) = (await FlatnessOf(decoded), await FlatnessOf(decoded with { Capture = decoded.Capture with { SubjectDistance = 0 } }));
        output.WriteLine($"darkest over brightest block: {stated:0.000} at the stated 0.45 m, {unknown:0.000} assuming far");
        Assert.True(stated > 0.98, $"corrected at the stated distance, the field is not flat: {stated}");
        Assert.True(unknown < 0.95, $"the far calibration should over-correct this close-up: {unknown}");
    }

    [LensfunFact]
    public async Task TcaAlignsTheChannels()
    {
        // White vertical lines near the left and right edges on black, red and blue displaced by lensfun's simulated TCA.
        const int width = 1200, height = 800;
        var columns = new[] { 60.0, 1140.0 };
        var scene = ThroughLens(Compact, width, height, LensfunNative.ModifyTca, (x, _) =>
        {
            var d = columns.Min(c => Math.Abs(x - c));
            return (float)(0.02 + 0.8 * Math.Exp(-d * d / 4.5));
        });
        var raw = SyntheticRaw.Create(scene, new SyntheticRawOptions { Cfa = null, Capture = Compact });
        using var engine = Engine();
        using var session = engine.Open(raw);
        var edit = LinearLook.With("lens", new LensParams { Distortion = false, Vignetting = false });
        var roi = Roi.Full(session.OutputSize(edit));
        using var before = await session.RenderAsync(edit.With("lens", new LensParams { Mode = LensMode.Off }), roi);
        using var after = await session.RenderAsync(edit, roi);
        var (shiftBefore, shiftAfter) = (ChannelShift(before), ChannelShift(after));
        output.WriteLine($"red/blue off green by {shiftBefore:0.000} px before, {shiftAfter:0.000} px after");
        Assert.True(shiftBefore > 0.15, $"the simulated TCA should split the channels, {shiftBefore} px");
        Assert.True(shiftAfter < 0.03, $"channels still {shiftAfter} px apart");
    }

    [LensfunTheory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public async Task RegionsAndTilesEqualTheWholePicture(double scale)
    {
        // The lens reads a differently shaped region upstream, whose demosaic agrees with the whole within float noise.
        await WholePicture.AssertRegionsAndTilesEqualTheWholeAsync(SyntheticRaw.Chart(240, 160, new SyntheticRawOptions { Capture = KitLens }), scale,
            tiledBudget: 400_000, tiledTolerance: 0, regionTolerance: 5e-5f);
    }

    [LensfunTheory]
    [InlineData("no profile")]
    [InlineData("off")]
    [InlineData("opcodes")]
    public async Task WithoutACorrectionThePictureIsTodays(string why)
    {
        var capture = why == "no profile" ? new SyntheticRawOptions().Capture : KitLens;
        var raw = SyntheticRaw.Chart(120, 80, new SyntheticRawOptions { Capture = capture });
        if (why == "opcodes") raw = raw with { LensOpcodes = ["WarpRectilinear"] };
        var edit = why == "off" ? Edit.Empty.With("lens", new LensParams { Mode = LensMode.Off }) : Edit.Empty;
        using var today = Engine(withLens: false);
        using var withLens = Engine();
        using var a = today.Open(raw);
        using var b = withLens.Open(raw);
        using var expected = await a.RenderAsync(Edit.Empty, Roi.Full(a.OutputSize(Edit.Empty)));
        using var actual = await b.RenderAsync(edit, Roi.Full(b.OutputSize(edit)));
        Assert.Equal(PipeFixture.Pixels(expected), PipeFixture.Pixels(actual));
        // Only "off" holds back a profile that would apply: its default develop does change.
        using var corrected = await b.RenderAsync(Edit.Empty, Roi.Full(b.OutputSize(Edit.Empty)));
        Assert.Equal(why != "off", PipeFixture.Pixels(expected).SequenceEqual(PipeFixture.Pixels(corrected)));
    }

    /// <summary>
    /// Masks follow lensfun's own map of the green plane point by point (what they land on is checked through the pipe
    /// in MasksThroughWarpsTests); without a correction of geometry the map stays affine, the masks' fast path.
    /// </summary>
    [LensfunFact]
    public void TheMaskMapIsLensfunsOwn()
    {
        const int width = 600, height = 400;
        var raw = SyntheticRaw.Chart(16, 16, new SyntheticRawOptions { Cfa = null, Capture = KitLens });
        var map = Commit(new LensParams(), raw, width, height).OutputToInput(1, 1);
        Assert.False(map.IsAffine);
        using var reference = Lensfun.Find(KitLens)!.CreateModifier(width, height, KitLens.FocalLength, KitLens.FNumber, 1000,
            LensfunNative.ModifyDistortion | LensfunNative.ModifyTca | LensfunNative.ModifyScale | LensfunNative.ModifyVignetting);
        var grid = LensfunGrid(reference, width, height);
        var worst = 0.0;
        for (var y = 0; y < height; y += 7)
            for (var x = 0; x < width; x += 7)
            {
                var (mx, my) = map.Apply(x + 0.5, y + 0.5);
                var at = (y * width + x) * 6 + 2;
                worst = Math.Max(worst, Math.Max(Math.Abs(mx - (grid[at] + 0.5)), Math.Abs(my - (grid[at + 1] + 0.5))));
            }
        output.WriteLine($"mask map against lensfun's whole-frame call: {worst:0.00000} px at most");
        // lensfun's iterative inverse answers a lone point and a whole row within a few hundredths of a pixel.
        Assert.True(worst < 0.05, $"mask map off lensfun's by {worst} px");
        // At half scale the modifier is made for the half-size image: the same correction, in half-size pixels.
        var half = Commit(new LensParams(), raw, width, height).OutputToInput(0.5, 1);
        var (hx, hy) = half.Apply(40.25, 30.75);
        var (fx, fy) = map.Apply(80.5, 61.5);
        Assert.Equal(fx, hx, 0.05);
        Assert.Equal(fy, hy, 0.05);
        // Vignetting alone does not move green: the map is the change of scale.
        var still = Commit(new LensParams { Distortion = false, ChromaticAberration = false }, raw, width, height).OutputToInput(0.5, 1);
        Assert.True(still.IsAffine);
        Assert.Equal(Affine2.Scaling(2), still.Affine);
    }

    /// <summary>lensfun's answer for the whole image in one call (lfModifier::ApplySubpixelGeometryDistortion), 6 floats a pixel.</summary>
    internal static unsafe float[] LensfunGrid(LensModifier modifier, int width, int height)
    {
        var grid = (float*)NativeMemory.AlignedAlloc((nuint)(width * height * 6 * sizeof(float)), 16);
        try
        {
            Assert.NotEqual(0, LensfunNative.SubpixelGeometry(modifier.Handle, 0, 0, width, height, grid));
            return new ReadOnlySpan<float>(grid, width * height * 6).ToArray();
        }
        finally
        {
            NativeMemory.AlignedFree(grid);
        }
    }

    [Fact]
    public void ASidecarTurnsItOff()
    {
        var edit = new EditSerializer(StandardModules.CreateRegistry()).Read(
            """{ "format": "rawengine-edit", "version": 1, "modules": [ { "module": "lens", "params": { "mode": "off" } } ] }""");
        Assert.Equal(LensMode.Off, Assert.IsType<LensParams>(edit.Modules[edit.IndexOf("lens")].Params).Mode);
    }

    private static ICommittedOperation Commit(LensParams parameters, RawImage raw, int width, int height) =>
        ((IImageOperation)new LensOperation(Lensfun)).Commit(parameters,
            new CommitContext("lens", new BufferFormat(PixelLayout.Rgba, ColorEncoding.LinearCamera, 1), new ImageSize(width, height), raw, PipeKind.Export));

    private static ImageBuffer Run(ICommittedOperation committed, ImageBuffer input, Roi region)
    {
        var pool = new BufferPool();
        var roiIn = committed.ModifyRoiIn(region);
        using var source = input.View(roiIn.X, roiIn.Y, roiIn.Width, roiIn.Height);
        var result = ImageBuffer.Rent(pool, region.Width, region.Height, 4);
        var format = new BufferFormat(PixelLayout.Rgba, ColorEncoding.LinearCamera, 1);
        committed.Process(new ProcessContext(format, format, pool, new ComputeDevices(), CancellationToken.None), source, roiIn, result, region);
        return result;
    }

    /// <summary>An RGBA image whose colour channels hold the pixel's x (axis 0) or y (axis 1) index.</summary>
    private static ImageBuffer Ramp(int width, int height, int axis)
    {
        var buffer = ImageBuffer.Rent(new BufferPool(), width, height, 4);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < 4; c++) buffer.At(x, y, c) = axis == 0 ? x : y;
        return buffer;
    }

    /// <summary>A linear scene of grey <paramref name="value"/>(x, y) as the lens draws it (lensfun's simulation, no zoom), at the capture's subject distance (far when unknown).</summary>
    private static LinearScene ThroughLens(CaptureInfo capture, int width, int height, int flags, Func<double, double, float> value)
    {
        var distance = capture.SubjectDistance > 0 ? capture.SubjectDistance : 1000;
        using var lens = Lensfun.Find(capture)!.CreateModifier(width, height, capture.FocalLength, capture.FNumber, distance, flags, simulate: true);
        var rgb = new float[width * height * 3];
        var sources = new float[width * 6];
        var row = new float[width * 4];
        for (var y = 0; y < height; y++)
        {
            if (lens.Moves) lens.Sources(0, y, width, sources);
            for (var x = 0; x < width; x++)
                for (var c = 0; c < 3; c++)
                    row[x * 4 + c] = lens.Moves ? value(sources[x * 6 + c * 2], sources[x * 6 + c * 2 + 1]) : value(x, y);
            if (lens.Devignettes) lens.Devignette(row, 0, y);
            for (var x = 0; x < width; x++)
                for (var c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = row[x * 4 + c];
        }
        return new LinearScene(width, height, rgb);
    }

    /// <summary>
    /// How far the dark horizontal line between rows <paramref name="y0"/> and <paramref name="y1"/> strays from its
    /// best straight fit, in px: per column, the centroid of green's darkness below the row at the band's far side.
    /// </summary>
    private static double Bow(ImageBuffer image, int y0, int y1)
    {
        var margin = image.Width / 20;
        var backgroundRow = y0 == 0 ? y1 : y0;
        var points = new List<(double X, double Y)>();
        for (var x = margin; x < image.Width - margin; x += 4)
        {
            double sum = 0, weighted = 0;
            for (var y = y0; y < y1; y++)
            {
                var darkness = Math.Max(0, image.At(x, backgroundRow, 1) - image.At(x, y, 1));
                sum += darkness;
                weighted += darkness * y;
            }
            points.Add((x, weighted / sum));
        }
        var (mx, my) = (points.Average(p => p.X), points.Average(p => p.Y));
        var slope = points.Sum(p => (p.X - mx) * (p.Y - my)) / points.Sum(p => (p.X - mx) * (p.X - mx));
        return points.Max(p => Math.Abs(p.Y - (my + slope * (p.X - mx))));
    }

    /// <summary>The darkest over the brightest mean of 8 x 8 blocks sampled across the frame (1 = flat).</summary>
    private static double Flatness(ImageBuffer image)
    {
        var means = new List<double>();
        for (var j = 0; j < 5; j++)
            for (var i = 0; i < 5; i++)
            {
                var (bx, by) = ((image.Width - 8) * i / 4, (image.Height - 8) * j / 4);
                double sum = 0;
                for (var y = by; y < by + 8; y++)
                    for (var x = bx; x < bx + 8; x++) sum += image.At(x, y, 1);
                means.Add(sum / 64);
            }
        return means.Min() / means.Max();
    }

    /// <summary>The largest horizontal offset of red or blue from green at the line centroids near the left and right edges, over rows.</summary>
    private static double ChannelShift(ImageBuffer image)
    {
        var worst = 0.0;
        foreach (var (x0, x1) in new[] { (0, image.Width / 6), (image.Width * 5 / 6, image.Width) })
            for (var y = image.Height / 10; y < image.Height * 9 / 10; y += 40)
            {
                double Centroid(int c)
                {
                    double sum = 0, weighted = 0;
                    for (var x = x0; x < x1; x++)
                    {
                        var v = Math.Max(0, image.At(x, y, c) - 0.4);   // above the background (0.02 linear, 0.15 encoded)
                        sum += v;
                        weighted += v * x;
                    }
                    return weighted / sum;
                }
                var green = Centroid(1);
                worst = Math.Max(worst, Math.Max(Math.Abs(Centroid(0) - green), Math.Abs(Centroid(2) - green)));
            }
        return worst;
    }
}
