using RawEngine.Engine.Imaging;
using RawEngine.Engine.Color;
using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Synthetic;

/// <summary>
/// Builds camera raws with exact ground truth: a linear sRGB scene goes to XYZ (D65), through the
/// camera's XYZ-to-camera matrix, is scaled so the scene's white lands at <see cref="SyntheticRawOptions.Exposure"/>
/// in the most sensitive channel (the other channels sit lower, which is what the as-shot multipliers
/// undo), is mosaicked to the CFA (or kept as 3 samples), gets seeded Poisson-Gaussian noise and is
/// quantised between the black and white levels. Same scene, options and seed: the same raw, bit for bit.
/// </summary>
public static class SyntheticRaw
{
    /// <summary>A raw of an sRGB image file, such as ../shared/testdata/kodak24/kodim01.png.</summary>
    public static RawImage FromSrgbFile(string path, SyntheticRawOptions? options = null) =>
        Build(LinearScene.LoadSrgb(path), options, path);

    /// <summary>A raw of the procedural <see cref="TestChart"/>.</summary>
    public static RawImage Chart(int width, int height, SyntheticRawOptions? options = null) =>
        Create(TestChart.Create(width, height), options);

    public static RawImage Create(LinearScene scene, SyntheticRawOptions? options = null) => Build(scene, options, source: null);

    private static RawImage Build(LinearScene scene, SyntheticRawOptions? options, string? source)
    {
        options ??= new SyntheticRawOptions();
        Validate(options);
        var sceneToCamera = (options.XyzToCamera * RgbColorSpace.Srgb.ToXyz).ToArray().Select(v => (double)v).ToArray();
        // Camera response to the scene's white, rounded so that a matrix meant as identity gives exactly 1.
        var cameraWhite = new double[3];
        for (var c = 0; c < 3; c++)
            cameraWhite[c] = Math.Round(sceneToCamera[c * 3] + sceneToCamera[c * 3 + 1] + sceneToCamera[c * 3 + 2], 6);
        if (cameraWhite.Any(v => v <= 0))
            throw new ArgumentException($"The XYZ-to-camera matrix maps D65 white to ({string.Join(", ", cameraWhite)}); every channel must be positive.", nameof(options));
        var scale = options.Exposure / cameraWhite.Max();
        for (var i = 0; i < 9; i++) sceneToCamera[i] *= scale;
        var multipliers = cameraWhite.Select(v => (float)(cameraWhite[1] / v)).ToArray();

        var margin = options.Margin;
        var samples = options.Cfa is null ? 3 : 1;
        var sensorWidth = scene.Width + 2 * margin;
        var sensorHeight = scene.Height + 2 * margin;
        var raw = new RawImage
        {
            Source = source,
            SensorWidth = sensorWidth,
            SensorHeight = sensorHeight,
            SamplesPerPixel = samples,
            Data = new ushort[(long)sensorWidth * sensorHeight * samples],
            Visible = new PixelRect(margin, margin, scene.Width, scene.Height),
            Cfa = options.Cfa,
            Black = options.ChannelBlack is { } offsets ? new BlackLevels(options.BlackLevel, offsets.ToArray()) : BlackLevels.Uniform(options.BlackLevel),
            White = options.WhiteLevel,
            AsShotMultipliers = multipliers,
            DaylightMultipliers = multipliers,
            XyzToCamera = options.XyzToCamera,
            DngColorMatrices = [new DngColorMatrix(options.MatrixIlluminant, options.XyzToCamera)],
            Orientation = options.Orientation,
            Capture = options.Capture,
            // The synthetic camera states its noise as raw converters' DNGs do.
            NoiseProfile = options.Noise is { } noise ? [noise.Shot, noise.Read] : null,
        };
        var black = SensorBlack.Of(raw);
        Parallel.For(0, sensorHeight, row => RenderRow(scene, raw, black, row, sceneToCamera, options));
        return raw;
    }

    private static void RenderRow(LinearScene scene, RawImage raw, SensorBlack tile, int row, double[] sceneToCamera, SyntheticRawOptions options)
    {
        var random = SplitMix64.ForRow(options.Seed, row);
        var samples = raw.SamplesPerPixel;
        var white = options.WhiteLevel;
        var output = raw.Data.AsSpan(row * raw.SensorWidth * samples, raw.SensorWidth * samples);
        var sceneRow = row - raw.Visible.Y;
        var sceneLine = sceneRow >= 0 && sceneRow < scene.Height ? scene.Rgb.AsSpan(sceneRow * scene.Width * 3, scene.Width * 3) : [];
        // The tile (CFA colours and blacks) is stated at the visible origin; walk it with a counter, not a modulo.
        var tileRow = Periodic.Wrap(sceneRow, tile.Height) * tile.Width;
        var tileCol = Periodic.Wrap(-raw.Visible.X, tile.Width);
        var blacks = tile.Values;
        var colors = tile.Colors;
        for (var col = 0; col < raw.SensorWidth; col++)
        {
            var sceneCol = col - raw.Visible.X;
            var inside = !sceneLine.IsEmpty && sceneCol >= 0 && sceneCol < scene.Width;
            for (var s = 0; s < samples; s++)
            {
                var cell = (tileRow + tileCol) * samples + s;
                var signal = 0.0;
                if (inside)
                {
                    var m = colors[cell] * 3;
                    var at = sceneCol * 3;
                    signal = sceneToCamera[m] * sceneLine[at] + sceneToCamera[m + 1] * sceneLine[at + 1] + sceneToCamera[m + 2] * sceneLine[at + 2];
                }
                if (options.Noise is { } noise)
                    signal += Math.Sqrt(Math.Max(0, noise.Shot * Math.Max(signal, 0) + noise.Read)) * random.NextGaussian();
                var black = blacks[cell];
                output[col * samples + s] = (ushort)Math.Clamp(Math.Round(black + signal * (white - black)), 0, white);
            }
            if (++tileCol == tile.Width) tileCol = 0;
        }
    }


    private static void Validate(SyntheticRawOptions options)
    {
        if (options.BitDepth is < 8 or > 16)
            throw new ArgumentOutOfRangeException(nameof(options), options.BitDepth, "BitDepth must be 8..16.");
        if (options.BlackLevel < 0 || options.BlackLevel >= options.WhiteLevel)
            throw new ArgumentOutOfRangeException(nameof(options), options.BlackLevel, $"BlackLevel must be 0..{options.WhiteLevel - 1} at {options.BitDepth} bits.");
        if (!(options.Exposure > 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.Exposure, "Exposure must be positive.");
        if (options.ChannelBlack is { } offsets && (offsets.Length != 4 || offsets.Any(o => !(options.BlackLevel + o >= 0 && options.BlackLevel + o < options.WhiteLevel))))
            throw new ArgumentOutOfRangeException(nameof(options), $"ChannelBlack needs 4 offsets (R, G, B, G2) keeping black within 0..{options.WhiteLevel - 1}.");
        if (options.Margin < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.Margin, "Margin must not be negative.");
        if (options.Cfa?.Kind == CfaKind.Bayer && options.Margin % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.Margin, "Margin must be even with a Bayer CFA (LibRaw aligns Bayer margins to 2 pixels).");
        if (options.Orientation is < 1 or > 8)
            throw new ArgumentOutOfRangeException(nameof(options), options.Orientation, "Orientation must be an EXIF orientation 1..8.");
    }
}
