using NetVips;
using RawEngine.Engine.Color;
using RawEngine.Engine.Dng;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Export;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.Sigmoid;
using RawEngine.Tests.Support;
using RawEngine.Engine.IO;

namespace RawEngine.Tests.Api;

/// <summary>The embedding API on a real DNG file: open, sidecars, previews, exports, progress, cancellation.</summary>
public sealed class RawPhotoTests : IDisposable
{
    private const int Width = 480, Height = 320;
    private readonly TempFolder _folder = new();
    private readonly RawProcessor _processor = new(new RawProcessorOptions { Engine = new EngineOptions { MaxThreads = 2, UseGpu = false } });

    public void Dispose()
    {
        _processor.Dispose();
        _folder.Dispose();
    }

    /// <summary>The synthetic chart as a DNG file, standing on its side (EXIF orientation 6) when asked.</summary>
    private string Dng(string name = "chart.dng", int orientation = 1)
    {
        var path = _folder.File(name);
        DngWriter.Write(SyntheticRaw.Chart(Width, Height, new SyntheticRawOptions { Orientation = orientation }), path);
        return path;
    }

    /// <summary>Records every report in order, on the thread that makes it.</summary>
    private sealed class Recorder : IProgress<RenderProgress>
    {
        private readonly List<RenderProgress> _reports = [];
        public Action<RenderProgress>? OnReport { get; init; }
        public IReadOnlyList<RenderProgress> Reports { get { lock (_reports) return [.. _reports]; } }

        public void Report(RenderProgress value)
        {
            lock (_reports) _reports.Add(value);
            OnReport?.Invoke(value);
        }
    }

    /// <summary>A processor with a small memory budget, so that an export renders in several bands.</summary>
    private static RawProcessor Banded() =>
        new(new RawProcessorOptions { Engine = new EngineOptions { MaxThreads = 2, UseGpu = false, MemoryBudgetBytes = 16L << 20 } });

    private string[] Files() => [.. Directory.GetFiles(_folder.Path).Select(f => Path.GetFileName(f)).Order()];

    private static void AssertMonotoneToDone(IReadOnlyList<RenderProgress> reports)
    {
        Assert.NotEmpty(reports);
        for (var i = 1; i < reports.Count; i++)
            Assert.True(reports[i].Fraction >= reports[i - 1].Fraction, $"progress went back from {reports[i - 1]} to {reports[i]}");
        Assert.All(reports, r => Assert.InRange(r.Fraction, 0, 1));
        Assert.Equal(new RenderProgress(1, RenderProgress.Done), reports[^1]);
    }

    [Fact]
    public async Task ASidecarIsReadBesideTheRawAndAbsentMeansDefaults()
    {
        var raw = Dng();
        using var photo = await _processor.OpenAsync(raw);
        Assert.Equal(raw + ".rawengine.json", photo.SidecarPath);
        Assert.Equal(Edit.Empty, await photo.LoadEditAsync());

        var edit = Edit.Empty.WithExposure(1).WithCrop(0.1, 0.2, 0.5, 0.5);
        await photo.SaveEditAsync(edit);
        Assert.True(File.Exists(photo.SidecarPath));
        Assert.Equal(edit, photo.LoadEdit());
        // Opened from a stream, a raw has no sidecar: it develops with the defaults and cannot save one.
        await using (var stream = File.OpenRead(raw))
        {
            using var streamed = await _processor.OpenAsync(stream, "chart.dng");
            Assert.Null(streamed.SidecarPath);
            Assert.Equal(Edit.Empty, streamed.LoadEdit());
            Assert.Throws<InvalidOperationException>(() => streamed.SaveEdit(edit));
            stream.Position = 0;
            using var synchronous = _processor.Open(stream, "chart.dng");
            Assert.Equal(streamed.Size(edit), synchronous.Size(edit));
        }
        using var again = _processor.Open(raw);
        Assert.Equal(1, again.LoadEdit().Exposure(), 9);
        Assert.Equal(new ImageSize(Width / 2, Height / 2), again.Size(again.LoadEdit()));
        // Decoded by the caller from the file (as convert does while its engine is made): the file's sidecar and pixels.
        using var decoded = _processor.Open(RawDecoder.Decode(raw), raw);
        Assert.Equal(photo.SidecarPath, decoded.SidecarPath);
        Assert.Equal(edit, decoded.LoadEdit());
        Assert.Equal(again.RenderPreviewFloat(edit, 200, 200).Rgba, decoded.RenderPreviewFloat(edit, 200, 200).Rgba);
    }

    [Fact]
    public async Task APreviewFitsTheBoxAndIsBgraOfTheSrgbRender()
    {
        using var photo = await _processor.OpenAsync(Dng());
        var preview = await photo.RenderPreviewAsync(Edit.Empty, 200, 200);
        Assert.Equal((200, 133, 800), (preview.Width, preview.Height, preview.Stride));
        Assert.Equal(4 * 200 * 133, preview.Bgra.Length);

        var floats = await photo.RenderPreviewFloatAsync(Edit.Empty, 200, 200);
        Assert.Equal(RgbColorSpace.Srgb, floats.ColorSpace);
        Assert.Equal((preview.Width, preview.Height), (floats.Width, floats.Height));
        var worst = 0;
        for (var i = 0; i < preview.Bgra.Length; i += 4)
        {
            for (var c = 0; c < 3; c++)
                worst = Math.Max(worst, Math.Abs(preview.Bgra[i + 2 - c] - (int)Math.Round(Math.Clamp(floats.Rgba[i + c], 0, 1) * 255)));
            Assert.Equal(255, preview.Bgra[i + 3]);
        }
        Assert.True(worst <= 1, $"BGRA bytes differ from the float render by {worst}");
        // The chart has colour: a B,G,R order mistaken for R,G,B would not match above, so check it is not grey.
        Assert.Contains(Enumerable.Range(0, preview.Bgra.Length / 4), p => Math.Abs(preview.Bgra[4 * p] - preview.Bgra[4 * p + 2]) > 40);

        // The 8-bit preview is sRGB whatever the edit's output space; the float one follows the edit.
        var p3 = Edit.Empty.WithOutputSpace(RgbColorSpace.DisplayP3);
        Assert.Equal(preview.Bgra, photo.RenderPreview(p3, 200, 200).Bgra);
        Assert.Equal(RgbColorSpace.DisplayP3, photo.RenderPreviewFloat(p3, 200, 200).ColorSpace);
    }

    [Fact]
    public void ExposureIsRelativeToTheDefaultLook()
    {
        using var photo = _processor.Open(Dng());
        Assert.Equal(0, Edit.Empty.Exposure());
        // Linear output without the tone mapper, so that +1 EV doubles every value.
        var linear = Edit.Empty.With(ModuleIds.Sigmoid, new SigmoidParams()).WithEnabled(ModuleIds.Sigmoid, false)
            .WithOutputSpace(RgbColorSpace.Srgb.AsLinear());
        var normal = photo.RenderPreviewFloat(linear, 160, 160).Rgba;
        var brighter = photo.RenderPreviewFloat(linear.WithExposure(1), 160, 160).Rgba;
        var ratios = Enumerable.Range(0, normal.Length).Where(i => i % 4 != 3 && normal[i] is > 0.05f and < 0.45f).Select(i => brighter[i] / normal[i]).Order().ToArray();
        Assert.True(ratios.Length > 1000);
        Assert.Equal(2, ratios[ratios.Length / 2], 2);
        Assert.Equal(1, linear.WithExposure(1).Exposure(), 9);
    }

    [Fact]
    public async Task AnExportCarriesTheOutputSpacesProfileAndFitsItsLimits()
    {
        using var photo = await _processor.OpenAsync(Dng());
        var target = _folder.File("out.png");
        var edit = Edit.Empty.WithOutputSpace(RgbColorSpace.DisplayP3);
        await photo.ExportAsync(edit, target, new ExportSettings { Bits = 16, MaxWidth = 240 });
        using var loaded = Image.NewFromFile(target);
        Assert.Equal((240, 160), (loaded.Width, loaded.Height));
        Assert.Equal(NetVips.Enums.BandFormat.Ushort, loaded.Format);
        Assert.Equal(IccProfile.For(RgbColorSpace.DisplayP3), (byte[])loaded.Get("icc-profile-data"));

        // The same export to a stream, and on the calling thread, gives the same bytes.
        using var stream = new MemoryStream();
        await photo.ExportAsync(edit, stream, new ExportSettings { Format = ExportFormat.Png, Bits = 16, MaxWidth = 240 });
        Assert.Equal(File.ReadAllBytes(target), stream.ToArray());
        var again = _folder.File("again.png");
        photo.Export(edit, again, new ExportSettings { Bits = 16, MaxWidth = 240 });
        Assert.Equal(File.ReadAllBytes(target), File.ReadAllBytes(again));
    }

    [Fact]
    public async Task AnExistingFileIsKeptUnlessOverwriteIsAsked()
    {
        using var photo = await _processor.OpenAsync(Dng());
        var target = _folder.File("kept.jpg");
        File.WriteAllText(target, "not a picture");
        await Assert.ThrowsAsync<OutputExistsException>(() => photo.ExportAsync(Edit.Empty, target));
        Assert.Equal("not a picture", File.ReadAllText(target));
        await photo.ExportAsync(Edit.Empty, target, new ExportSettings { Overwrite = true });
        Assert.Equal(0xFF, File.ReadAllBytes(target)[0]);
        Assert.Equal(["chart.dng", "kept.jpg"], Files());
        Assert.Throws<ArgumentException>(() => photo.Export(Edit.Empty, _folder.File("x.webp")));
    }

    [Fact]
    public async Task ExportProgressIsMonotoneAndNamesItsStages()
    {
        using var banded = Banded();
        using var photo = await banded.OpenAsync(Dng());
        var recorder = new Recorder();
        await photo.ExportAsync(Edit.Empty, _folder.File("progress.tif"), new ExportSettings { Bits = 16 }, recorder);
        var reports = recorder.Reports;
        AssertMonotoneToDone(reports);
        Assert.Equal([RenderProgress.Render, RenderProgress.Write, RenderProgress.Done], reports.Select(r => r.Stage).Distinct());
        Assert.True(reports.Count(r => r.Stage == RenderProgress.Render) >= 2, string.Join(", ", reports));

        var previewRecorder = new Recorder();
        photo.RenderPreview(Edit.Empty, 100, 100, previewRecorder);
        AssertMonotoneToDone(previewRecorder.Reports);
        var stages = previewRecorder.Reports.Select(r => r.Stage).ToList();
        Assert.Contains(ModuleIds.Demosaic, stages);
        Assert.Contains(ModuleIds.ColorOut, stages);
        Assert.True(stages.IndexOf(ModuleIds.Demosaic) < stages.IndexOf(ModuleIds.ColorOut));
    }

    [Fact]
    public async Task ACancelledExportThrowsAndLeavesNoFile()
    {
        using var banded = Banded();
        using var photo = await banded.OpenAsync(Dng());
        using var cancel = new CancellationTokenSource();
        // Cancel as soon as the first band is rendered: the export is under way, with bands still to come.
        var recorder = new Recorder { OnReport = r => { if (r.Stage == RenderProgress.Render) cancel.Cancel(); } };
        var target = _folder.File("cancelled.png");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => photo.ExportAsync(Edit.Empty, target,
            new ExportSettings { Bits = 16 }, recorder, cancel.Token));
        Assert.NotEmpty(recorder.Reports);
        Assert.DoesNotContain(recorder.Reports, r => r.Stage == RenderProgress.Done);
        Assert.Equal(["chart.dng"], Files());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => photo.RenderPreviewAsync(Edit.Empty, 100, 100, cancellation: cancel.Token));
    }

    [Fact]
    public async Task TheExportsOrientationAndProfileComeFromThePipe()
    {
        using var photo = await _processor.OpenAsync(Dng(orientation: 6));
        var upright = _folder.File("upright.jpg");
        await photo.ExportAsync(Edit.Empty, upright);
        using (var loaded = Image.NewFromFile(upright))
        {
            Assert.Equal((Height, Width), (loaded.Width, loaded.Height));
            Assert.Equal(1, (int)loaded.Get("orientation"));
            Assert.StartsWith("Synthetic (", (string)loaded.Get("exif-ifd0-Model"));
            Assert.Equal(IccProfile.For(RgbColorSpace.Srgb), (byte[])loaded.Get("icc-profile-data"));
        }

        // Flip off: the pixels stay as stored and the file tells viewers to turn them.
        var stored = _folder.File("stored.jpg");
        var unflipped = Edit.Empty.With(ModuleIds.Flip, new RawEngine.Iop.Flip.FlipParams()).WithEnabled(ModuleIds.Flip, false);
        await photo.ExportAsync(unflipped, stored);
        using (var loaded = Image.NewFromFile(stored))
        {
            Assert.Equal((Width, Height), (loaded.Width, loaded.Height));
            Assert.Equal(6, (int)loaded.Get("orientation"));
        }
    }
}
