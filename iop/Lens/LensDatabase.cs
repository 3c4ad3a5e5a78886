using System.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Lens;

/// <summary>A lens lensfun knows, as matched for one camera: what a modifier is built from.</summary>
public sealed class LensProfile
{
    private readonly LensDatabase _database;   // the lens lives inside it
    internal IntPtr LensPointer { get; }

    internal LensProfile(LensDatabase database, IntPtr lens, string cameraName, float cropFactor)
    {
        _database = database;
        LensPointer = lens;
        CameraName = cameraName;
        CropFactor = cropFactor;
        Name = LensfunNative.Text(LensStruct.Model);
    }

    /// <summary>lensfun's name of the lens ("Canon EF-S 18-55mm f/3.5-5.6 IS").</summary>
    public string Name { get; }

    public string CameraName { get; }

    /// <summary>The camera's crop factor: lensfun rescales the lens's calibration by it.</summary>
    public float CropFactor { get; }

    internal unsafe LensfunLens LensStruct => *(LensfunLens*)LensPointer;

    /// <summary>
    /// A modifier correcting this lens for an image of <paramref name="width"/> x <paramref name="height"/>:
    /// <paramref name="flags"/> (LF_MODIFY_*) are what is asked, the result says what the calibration can do.
    /// <paramref name="simulate"/> makes it draw like the lens instead (lensfun's reverse mode), as synthetic tests need.
    /// </summary>
    internal LensModifier CreateModifier(int width, int height, float focal, float aperture, float distance, int flags, bool simulate = false)
    {
        var handle = LensfunNative.NewModifier(LensPointer, CropFactor, width, height);
        if (handle.IsInvalid) throw new InvalidOperationException($"lensfun could not make a modifier for {Name}.");
        // Scale 0 with LF_MODIFY_SCALE: lensfun zooms just enough that the corrected frame has no empty corners.
        var applied = LensfunNative.Initialize(handle, LensPointer, LensfunNative.PixelFormatF32, focal, aperture, distance,
            scale: simulate ? 1 : 0, LensStruct.Type, simulate ? flags & ~LensfunNative.ModifyScale : flags, reverse: simulate ? 1 : 0);
        return new LensModifier(handle, applied & flags, new ImageSize(width, height));
    }
}

/// <summary>One initialised lensfun modifier and the corrections it performs.</summary>
internal sealed class LensModifier(LensfunModifierHandle handle, int flags, ImageSize size) : IDisposable
{
    public LensfunModifierHandle Handle { get; } = handle;
    public int Flags { get; } = flags;
    private const int Block = 64;

    /// <summary>The image size (at its pipe scale) the modifier was made for.</summary>
    public ImageSize Size { get; } = size;
    public bool Moves => (Flags & (LensfunNative.ModifyDistortion | LensfunNative.ModifyTca | LensfunNative.ModifyScale)) != 0;
    public bool Devignettes => (Flags & LensfunNative.ModifyVignetting) != 0;

    /// <summary>Whether red and blue take their colour from other points than green (TCA).</summary>
    public bool SplitsPlanes => (Flags & LensfunNative.ModifyTca) != 0;

    /// <summary>Where output pixels (x0, y) .. (x0 + count - 1, y) take their red, green and blue from: 6 floats each, in input pixel indices.</summary>
    public void Sources(int x0, int y, int count, Span<float> result)
    {
        if (result.Length < count * 6) throw new ArgumentException("Six floats per pixel.", nameof(result));
        AlignedBlocks(x0, y, count, 6, gains: false, result);
    }

    /// <summary>
    /// As <see cref="Sources"/> for a column of pixels (x, y0) .. (x, y0 + count - 1), in one call: lensfun's answer
    /// may differ from the row-wise one by a few hundredths of a pixel, which is enough to bound a region.
    /// </summary>
    public unsafe void ColumnSources(int x, int y0, int count, Span<float> result)
    {
        if (result.Length < count * 6) throw new ArgumentException("Six floats per pixel.", nameof(result));
        fixed (float* p = result)
            if (LensfunNative.SubpixelGeometry(Handle, x, y0, 1, count, p) == 0) throw NothingToMove();
    }

    /// <summary>
    /// Where continuous output point (x, y) takes its green from, in continuous input coordinates (lensfun's pixel
    /// indices sit at pixel centres): one point per call, so the answer depends on the point alone.
    /// </summary>
    public unsafe (double X, double Y) GreenSource(double x, double y)
    {
        var scratch = stackalloc float[6 + 4];
        var aligned = (float*)(((nint)scratch + 15) & ~(nint)15);
        if (LensfunNative.SubpixelGeometry(Handle, (float)(x - 0.5), (float)(y - 0.5), 1, 1, aligned) == 0) throw NothingToMove();
        return (aligned[2] + 0.5, aligned[3] + 0.5);
    }

    /// <summary>Devignettes one row of RGBA pixels that starts at input pixel (x, y).</summary>
    public void Devignette(Span<float> rgba, int x, int y)
    {
        var count = rgba.Length / 4;
        var gains = ArrayPool<float>.Shared.Rent(rgba.Length);
        try
        {
            AlignedBlocks(x, y, count, 4, gains: true, gains);
            for (var i = 0; i < rgba.Length; i++) rgba[i] *= gains[i];
        }
        finally
        {
            ArrayPool<float>.Shared.Return(gains);
        }
    }

    /// <summary>
    /// lensfun 0.3's answer for a pixel depends on the call, not only on the pixel: it works four pixels at a time (SSE)
    /// from the buffer's first 16-byte boundary, and its iterative inverses (ptlens) start from the previous pixel's
    /// answer and stop when all four lanes converge, which moves a point by up to 0.05 px. So every call here asks for
    /// whole blocks of <see cref="Block"/> pixels that start at multiples of it in x, into an aligned buffer: each
    /// pixel then has one answer whatever region or tile asks (tiled == untiled). <paramref name="gains"/>: the
    /// vignetting gain per channel (a row of ones devignetted) instead of source coordinates.
    /// </summary>
    private unsafe void AlignedBlocks(int x0, int y, int count, int floatsPerPixel, bool gains, Span<float> result)
    {
        var first = x0 / Block * Block;
        var width = (x0 + count - first + Block - 1) / Block * Block;
        var scratch = ArrayPool<float>.Shared.Rent(width * floatsPerPixel + 4);
        try
        {
            fixed (float* pinned = scratch)
            {
                var aligned = (float*)(((nint)pinned + 15) & ~(nint)15);
                if (gains)
                {
                    // A modifier without vignetting leaves the ones alone: gain 1.
                    new Span<float>(aligned, width * floatsPerPixel).Fill(1);
                    LensfunNative.ColorModification(Handle, aligned, first, y, width, 1, LensfunNative.RolesRgba, width * floatsPerPixel * sizeof(float));
                }
                else if (LensfunNative.SubpixelGeometry(Handle, first, y, width, 1, aligned) == 0) throw NothingToMove();
                new ReadOnlySpan<float>(aligned + (x0 - first) * floatsPerPixel, count * floatsPerPixel).CopyTo(result);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private static InvalidOperationException NothingToMove() =>
        new("lensfun was asked where pixels come from by a modifier that corrects no geometry (check Moves first).");

    public void Dispose() => Handle.Dispose();
}

/// <summary>
/// lensfun's database of cameras and lenses, loaded once from the system's data (Debian's liblensfun-data-v1),
/// and the matching rule: the camera by EXIF make and model, the lens by its EXIF name with lensfun's fuzzy
/// scoring, and for a fixed-lens compact (no lens name, or one lensfun does not know) the one lens on the camera's mount.
/// </summary>
public sealed class LensDatabase : IDisposable
{
    private static readonly Lazy<LensDatabase?> SystemDatabase = new(OpenSystem);
    private readonly LensfunDatabaseHandle _handle;

    private LensDatabase(LensfunDatabaseHandle handle) => _handle = handle;

    /// <summary>The system's database; null when liblensfun or its data is not installed (then nothing is corrected).</summary>
    public static LensDatabase? System => SystemDatabase.Value;

    /// <summary>Why <see cref="System"/> is null, for skipped tests and logs; null when it loaded.</summary>
    public static string? UnavailableReason { get; private set; }

    private static LensDatabase? OpenSystem()
    {
        try
        {
            var database = new LensDatabase(LensfunNative.NewDatabase());
            if (LensfunNative.Load(database._handle) == 0) return database;
            database.Dispose();
            UnavailableReason = "lensfun's data (liblensfun-data-v1) is not installed";
        }
        catch (DllNotFoundException)
        {
            UnavailableReason = "liblensfun (liblensfun1) is not installed";
        }
        return null;
    }

    /// <summary>The profile lensfun matches for a capture, or null (camera or lens unknown, or no focal length to pick a calibration).</summary>
    public unsafe LensProfile? Find(CaptureInfo capture)
    {
        var camera = FindCamera(capture.Make, capture.Model);
        if (camera == IntPtr.Zero) return null;
        var lens = string.IsNullOrWhiteSpace(capture.Lens) ? IntPtr.Zero
            : FirstLens(camera, string.IsNullOrWhiteSpace(capture.LensMake) ? null : capture.LensMake, capture.Lens, onlyIfSole: false);
        if (lens == IntPtr.Zero) lens = FirstLens(camera, null, null, onlyIfSole: true);
        if (lens == IntPtr.Zero) return null;
        var cameraStruct = *(LensfunCamera*)camera;
        return new LensProfile(this, lens, LensfunNative.Text(cameraStruct.Model), cameraStruct.CropFactor);
    }

    private unsafe IntPtr FindCamera(string maker, string model)
    {
        if (string.IsNullOrWhiteSpace(model)) return IntPtr.Zero;
        var cameras = LensfunNative.FindCameras(_handle, string.IsNullOrWhiteSpace(maker) ? null : maker, model, 0);
        if (cameras == null) return IntPtr.Zero;
        var first = cameras[0];
        LensfunNative.Free(cameras);
        return first;
    }

    /// <summary>lensfun's best lens for the name on this camera's mount; with <paramref name="onlyIfSole"/>, only when the mount has one lens (a compact's).</summary>
    private unsafe IntPtr FirstLens(IntPtr camera, string? maker, string? name, bool onlyIfSole)
    {
        var lenses = LensfunNative.FindLenses(_handle, camera, maker, name, 0);
        if (lenses == null) return IntPtr.Zero;
        var first = onlyIfSole && lenses[0] != IntPtr.Zero && lenses[1] != IntPtr.Zero ? IntPtr.Zero : lenses[0];
        LensfunNative.Free(lenses);
        return first;
    }

    public void Dispose() => _handle.Dispose();
}
