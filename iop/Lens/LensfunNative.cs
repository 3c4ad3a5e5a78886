using System.Runtime.InteropServices;

namespace RawEngine.Iop.Lens;

/// <summary>Owns a lensfun database (<c>lfDatabase</c>); the cameras and lenses it hands out live as long as it does.</summary>
internal sealed class LensfunDatabaseHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LensfunNative.DestroyDatabase(handle);
        return true;
    }
}

/// <summary>Owns one lensfun modifier (<c>lfModifier</c>): a lens at one focal length, aperture and image size.</summary>
internal sealed class LensfunModifierHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LensfunNative.DestroyModifier(handle);
        return true;
    }
}

/// <summary>The leading fields of lensfun 0.3's <c>lfCamera</c> (lensfun.h), as far as we read them.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LensfunCamera
{
    public IntPtr Maker, Model, Variant, Mount;
    public float CropFactor;
}

/// <summary>The leading fields of lensfun 0.3's <c>lfLens</c> (lensfun.h), as far as we read them.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LensfunLens
{
    public IntPtr Maker, Model;
    public float MinFocal, MaxFocal, MinAperture, MaxAperture;
    public IntPtr Mounts;
    public float CenterX, CenterY, CropFactor, AspectRatio;
    public int Type;
}

/// <summary>
/// lensfun's C API (liblensfun 0.3, Debian's <c>liblensfun1</c>), called directly: it is flat C, so no shim is needed.
/// Bound by SONAME so the runtime package alone suffices.
/// </summary>
internal static unsafe partial class LensfunNative
{
    private const string Library = "liblensfun.so.1";

    public const int ModifyTca = 0x01;
    public const int ModifyVignetting = 0x02;
    public const int ModifyDistortion = 0x08;
    public const int ModifyScale = 0x20;
    public const int PixelFormatF32 = 3;
    /// <summary><c>LF_CR_4(RED, GREEN, BLUE, UNKNOWN)</c>: our RGBA pixels, alpha left alone.</summary>
    public const int RolesRgba = 4 | (5 << 4) | (6 << 8) | (2 << 12);
    public const int SearchLoose = 1;

    [LibraryImport(Library, EntryPoint = "lf_db_new")]
    public static partial LensfunDatabaseHandle NewDatabase();

    [LibraryImport(Library, EntryPoint = "lf_db_destroy")]
    public static partial void DestroyDatabase(IntPtr database);

    [LibraryImport(Library, EntryPoint = "lf_db_load")]
    public static partial int Load(LensfunDatabaseHandle database);

    /// <summary>A null-terminated array of <c>lfCamera*</c> to free with <see cref="Free"/>, or null.</summary>
    [LibraryImport(Library, EntryPoint = "lf_db_find_cameras_ext", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr* FindCameras(LensfunDatabaseHandle database, string? maker, string? model, int flags);

    /// <summary>A null-terminated array of <c>lfLens*</c>, best match first, to free with <see cref="Free"/>, or null.</summary>
    [LibraryImport(Library, EntryPoint = "lf_db_find_lenses_hd", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr* FindLenses(LensfunDatabaseHandle database, IntPtr camera, string? maker, string? lens, int flags);

    [LibraryImport(Library, EntryPoint = "lf_free")]
    public static partial void Free(void* data);

    [LibraryImport(Library, EntryPoint = "lf_modifier_new")]
    public static partial LensfunModifierHandle NewModifier(IntPtr lens, float crop, int width, int height);

    [LibraryImport(Library, EntryPoint = "lf_modifier_destroy")]
    public static partial void DestroyModifier(IntPtr modifier);

    /// <summary>Returns the LF_MODIFY_* flags the lens's calibration can actually do.</summary>
    [LibraryImport(Library, EntryPoint = "lf_modifier_initialize")]
    public static partial int Initialize(LensfunModifierHandle modifier, IntPtr lens, int format, float focal, float aperture,
        float distance, float scale, int targetGeometry, int flags, int reverse);

    /// <summary>For each output pixel of the block, where its red, green and blue lie in the input (6 floats per pixel).</summary>
    [LibraryImport(Library, EntryPoint = "lf_modifier_apply_subpixel_geometry_distortion")]
    public static partial int SubpixelGeometry(LensfunModifierHandle modifier, float x, float y, int width, int height, float* result);

    /// <summary>For each output pixel of the block, where it lies in the input (2 floats per pixel), all channels alike.</summary>
    [LibraryImport(Library, EntryPoint = "lf_modifier_apply_geometry_distortion")]
    public static partial int Geometry(LensfunModifierHandle modifier, float x, float y, int width, int height, float* result);

    /// <summary>Devignettes a block of input pixels in place (input coordinates).</summary>
    [LibraryImport(Library, EntryPoint = "lf_modifier_apply_color_modification")]
    public static partial int ColorModification(LensfunModifierHandle modifier, float* pixels, float x, float y, int width, int height,
        int componentRoles, int rowStrideBytes);

    /// <summary>The default (untranslated) text of an <c>lfMLstr</c>: its first string, which is the database's own name.</summary>
    public static string Text(IntPtr multiLanguageString) => Marshal.PtrToStringUTF8(multiLanguageString) ?? "";
}
