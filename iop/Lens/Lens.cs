using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Lens;

public enum LensMode
{
    /// <summary>Correct when lensfun has a profile for the camera and lens and the file's DNG opcodes do not already correct it.</summary>
    Auto,
    Off,
}

public sealed record LensParams : OperationParams
{
    [ParamDescription("auto: correct with lensfun's profile when one matches; off: leave the lens as it drew.")]
    public LensMode Mode { get; init; } = LensMode.Auto;

    [ParamDescription("Straighten the lens's distortion.")]
    public bool Distortion { get; init; } = true;

    [ParamDescription("Align red and blue on green (transverse chromatic aberration).")]
    public bool ChromaticAberration { get; init; } = true;

    [ParamDescription("Brighten the darkened corners (vignetting).")]
    public bool Vignetting { get; init; } = true;
}

/// <summary>
/// Lens correction from lensfun's database: distortion, transverse chromatic aberration and vignetting for the
/// camera and lens the raw names, at its focal length and aperture. Runs on demosaiced linear camera RGB, before
/// flip, in the sensor's own orientation (the frame lensfun's calibrations are measured in). Vignetting is undone
/// here, after demosaic, rather than on the mosaic: its gain is smooth at the pixel scale so demosaic commutes with
/// it, and one place serves every pipe scale (the mosaic exists only at scale 1). It is applied at the input
/// pixels (where the lens darkened them), then the geometry resamples bilinearly, in linear light.
/// </summary>
public sealed class LensOperation(LensDatabase? database) : ImageOperation<LensParams, LensOperation.Correction>
{
    /// <summary>lensfun's "far", for a raw that does not say how far the subject was (or says infinity): only vignetting depends on it.</summary>
    private const float FarDistance = 1000;

    public LensOperation() : this(LensDatabase.System) { }

    /// <summary>
    /// A committed correction: lensfun modifiers per pipe scale (lensfun's model is relative to the image size, so
    /// a modifier made for the scaled image is the scale-1 correction seen at that scale). Null profile: pass-through.
    /// </summary>
    public sealed class Correction
    {
        private readonly ConcurrentDictionary<double, LensModifier> _modifiers = new();
        private readonly LensProfile? _candidate;
        private readonly float _focal, _aperture, _distance;
        private readonly int _flags;

        internal Correction(LensProfile? profile, ImageSize inputSize, float focal, float aperture, float distance, int flags)
        {
            InputSize = inputSize;
            (_candidate, _focal, _aperture, _distance, _flags) = (profile, focal, aperture, distance, flags);
            if (profile is null || ModifierAt(1).Flags == 0) return;
            Profile = profile;
        }

        /// <summary>The lens being corrected; null when nothing is (off, no profile, or nothing the profile can correct).</summary>
        public LensProfile? Profile { get; }

        public ImageSize InputSize { get; }

        internal LensModifier ModifierAt(double scale) => _modifiers.GetOrAdd(scale, s =>
        {
            var size = InputSize.Scaled(s);
            return _candidate!.CreateModifier(size.Width, size.Height, _focal, _aperture, _distance, _flags);
        });
    }

    public override OperationInfo Info { get; } = new(ModuleIds.Lens, 1, "Lens correction",
        OperationFlags.TilingAllowed | OperationFlags.Geometric | OperationFlags.EnabledByDefault,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearCamera | ColorEncoding.LinearWorking),
        new TilingNeeds(MemoryFactor: 3));

    /// <summary>
    /// The profile the default develop applies to a raw: lensfun's match, unless the file's DNG opcodes already
    /// correct the lens (<see cref="RawImage.LensOpcodes"/>), which would correct it twice.
    /// </summary>
    public static LensProfile? ProfileFor(RawImage image, LensDatabase? database) =>
        image.LensOpcodes.Count > 0 ? null : database?.Find(image.Capture);

    protected override bool InPlace(Correction state) => state.Profile is null;

    protected override TilingNeeds Tiling(Correction state, CommitContext context) => state.Profile is null ? TilingNeeds.Pointwise : Info.Tiling;

    protected override Correction Commit(LensParams parameters, CommitContext context)
    {
        var capture = context.Image.Capture;
        var profile = parameters.Mode == LensMode.Auto && capture.FocalLength > 0 ? ProfileFor(context.Image, database) : null;
        var flags = (parameters.Distortion ? LensfunNative.ModifyDistortion | LensfunNative.ModifyScale : 0)
            | (parameters.ChromaticAberration ? LensfunNative.ModifyTca : 0)
            // Vignetting calibrations are per aperture: without one there is no gain to trust.
            | (parameters.Vignetting && capture.FNumber > 0 ? LensfunNative.ModifyVignetting : 0);
        var distance = capture.SubjectDistance > 0 ? Math.Min(capture.SubjectDistance, FarDistance) : FarDistance;
        return new Correction(flags == 0 ? null : profile, context.InputSize, capture.FocalLength, capture.FNumber, distance, flags);
    }

    protected override Roi ModifyRoiIn(Correction state, Roi roiOut, CommitContext context)
    {
        if (state.Profile is null || !state.ModifierAt(roiOut.Scale).Moves) return roiOut;
        // The map is one-to-one, so the sources of the region's border enclose those of its inside.
        var modifier = state.ModifierAt(roiOut.Scale);
        var length = Math.Max(roiOut.Width, roiOut.Height);
        var sources = ArrayPool<float>.Shared.Rent(length * 6);
        try
        {
            var (minX, minY, maxX, maxY) = (double.MaxValue, double.MaxValue, double.MinValue, double.MinValue);
            void Take(int count)
            {
                for (var i = 0; i < count * 3; i++)
                {
                    var (x, y) = (sources[i * 2], sources[i * 2 + 1]);
                    (minX, maxX, minY, maxY) = (Math.Min(minX, x), Math.Max(maxX, x), Math.Min(minY, y), Math.Max(maxY, y));
                }
            }
            modifier.Sources(roiOut.X, roiOut.Y, roiOut.Width, sources);
            Take(roiOut.Width);
            modifier.Sources(roiOut.X, roiOut.Bottom - 1, roiOut.Width, sources);
            Take(roiOut.Width);
            modifier.ColumnSources(roiOut.X, roiOut.Y, roiOut.Height, sources);
            Take(roiOut.Height);
            modifier.ColumnSources(roiOut.Right - 1, roiOut.Y, roiOut.Height, sources);
            Take(roiOut.Height);
            // One pixel more each way: bilinear reads the next pixel, and lensfun's float maths wobbles.
            var (x0, y0) = ((int)Math.Floor(minX) - 1, (int)Math.Floor(minY) - 1);
            var (x1, y1) = ((int)Math.Floor(maxX) + 2, (int)Math.Floor(maxY) + 2);
            return new Roi(x0, y0, x1 - x0 + 1, y1 - y0 + 1, roiOut.Scale).ClampTo(state.InputSize);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(sources);
        }
    }

    /// <summary>
    /// lensfun's own map for the green plane (what masks follow), point by point; the identity up to scale where
    /// green does not move (vignetting or TCA alone: TCA moves red and blue onto green).
    /// </summary>
    protected override PointMap OutputToInput(Correction state, double outputScale, double inputScale, CommitContext context)
    {
        var rescale = inputScale / outputScale;
        if (state.Profile is null || (state.ModifierAt(outputScale).Flags & (LensfunNative.ModifyDistortion | LensfunNative.ModifyScale)) == 0)
            return Affine2.Scaling(rescale);
        var modifier = state.ModifierAt(outputScale);
        return PointMap.Bending((x, y) =>
        {
            var (sx, sy) = modifier.GreenSource(x, y);
            return (sx * rescale, sy * rescale);
        });
    }

    protected override void Process(ProcessContext context, Correction state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        if (state.Profile is null)
        {
            RegionCopy.Run(context, input, roiIn, output, roiOut);
            return;
        }
        var modifier = state.ModifierAt(roiOut.Scale);
        if (!modifier.Moves)
        {
            // Vignetting alone: same pixels, straight into the output.
            context.ForRows(roiOut.Height, (y0, y1) =>
            {
                for (var y = y0; y < y1; y++)
                {
                    var row = output.Row(y);
                    input.Row(y).CopyTo(row);
                    modifier.Devignette(row[..(roiOut.Width * 4)], roiOut.X, roiOut.Y + y);
                }
            });
            return;
        }
        if (!modifier.Devignettes)
        {
            Resample(context, modifier, input, roiIn, output, roiOut);
            return;
        }
        using var devignetted = ImageBuffer.Rent(context.Pool, roiIn.Width, roiIn.Height, 4);
        context.ForRows(roiIn.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var row = devignetted.Row(y);
                input.Row(y).CopyTo(row);
                modifier.Devignette(row[..(roiIn.Width * 4)], roiIn.X, roiIn.Y + y);
            }
        });
        Resample(context, modifier, devignetted, roiIn, output, roiOut);
    }

    /// <summary>
    /// Each output pixel reads its red, green and blue (alpha with green) bilinearly at lensfun's source points: four
    /// channels of a pixel at once, one read when red and blue move with green.
    /// Sources are clamped to the whole image first, so a pixel depends only on its own position (tiles agree).
    /// </summary>
    private static void Resample(ProcessContext context, LensModifier modifier, ImageBuffer source, Roi roiIn, ImageBuffer output, Roi roiOut) =>
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            var sampler = new RgbaSampler(source, roiIn);
            var red = Vector128.Create(-1, 0, 0, 0).AsSingle();
            var blue = Vector128.Create(0, 0, -1, 0).AsSingle();
            var sources = ArrayPool<float>.Shared.Rent(roiOut.Width * 6);
            try
            {
                for (var y = y0; y < y1; y++)
                {
                    modifier.Sources(roiOut.X, roiOut.Y + y, roiOut.Width, sources);
                    var target = output.Row(y);
                    for (var x = 0; x < roiOut.Width; x++)
                    {
                        var pixel = sampler.At(sources[x * 6 + 2], sources[x * 6 + 3]);
                        if (modifier.SplitsPlanes)
                            pixel = Vector128.ConditionalSelect(red, sampler.At(sources[x * 6], sources[x * 6 + 1]),
                                Vector128.ConditionalSelect(blue, sampler.At(sources[x * 6 + 4], sources[x * 6 + 5]), pixel));
                        pixel.CopyTo(target.Slice(x * 4, 4));
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(sources);
            }
        });

    /// <summary>Reads a region's RGBA pixels bilinearly at points of the whole image, held at the region's edges (which hold the image's).</summary>
    private readonly struct RgbaSampler(ImageBuffer source, Roi roiIn)
    {
        private readonly float[] _pixels = source.Array;
        private readonly int _offset = source.Offset, _stride = source.Stride, _lastColumn = roiIn.Width - 1, _lastRow = roiIn.Height - 1;
        private readonly float _left = roiIn.X, _top = roiIn.Y, _right = roiIn.Right - 1, _bottom = roiIn.Bottom - 1;

        public Vector128<float> At(float x, float y)
        {
            x = Math.Clamp(x, _left, _right) - _left;
            y = Math.Clamp(y, _top, _bottom) - _top;
            var (x0, y0) = ((int)x, (int)y);
            var (fx, fy) = (Vector128.Create(x - x0), Vector128.Create(y - y0));
            // Indices stay inside the region: the next column and row are the pixel itself at its last ones.
            var (right, down) = ((nuint)(x0 < _lastColumn ? 4 : 0), (nuint)(y0 < _lastRow ? _stride : 0));
            ref var corner = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_pixels), _offset + y0 * _stride + x0 * 4);
            var (topLeft, topRight) = (Vector128.LoadUnsafe(ref corner), Vector128.LoadUnsafe(ref corner, right));
            var (bottomLeft, bottomRight) = (Vector128.LoadUnsafe(ref corner, down), Vector128.LoadUnsafe(ref corner, down + right));
            var a = topLeft + fx * (topRight - topLeft);
            var b = bottomLeft + fx * (bottomRight - bottomLeft);
            return a + fy * (b - a);
        }
    }
}
