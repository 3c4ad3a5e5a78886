using System.Runtime.InteropServices;

namespace RawEngine.Engine.Raw;

/// <summary>Owns one LibRaw processor (and its in-memory file copy) opened through our shim.</summary>
internal sealed class LibRawHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibRawNative.Close(handle);
        return true;
    }
}

/// <summary>The shim's view of a decoded file; field order and types mirror <c>rawengine_info</c> in the C source.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LibRawInfo
{
    public int RawWidth, RawHeight, RawPitchBytes;
    public int TopMargin, LeftMargin, Width, Height;
    public int SamplesPerPixel, Filters, Colors, Flip, DngVersion;
    public uint Black;
    public fixed uint ChannelBlack[4];
    public uint BlackPatternRows, BlackPatternCols;
    public fixed uint BlackPattern[36];
    public uint Maximum;
    public uint DngWhite, DngBlack;
    public fixed uint DngChannelBlack[42];
    public fixed float DngNeutral[4];
    public fixed float CamMul[4];
    public fixed float PreMul[4];
    public fixed float CamXyz[12];
    public fixed float DngMatrix[18];
    public fixed int DngIlluminant[2];
    public float BaselineExposure;
    public float Iso, Shutter, Aperture, FocalLength;
    public long Timestamp;
    public double GpsLatitude, GpsLongitude, GpsAltitude;
    public int GpsValid;
    public fixed byte Make[128];
    public fixed byte Model[128];
    public fixed byte LensMake[128];
    public fixed byte Lens[128];
    public fixed byte Artist[128];
    public fixed byte Description[512];
    public fixed byte ColorLetters[8];
    public double PixelAspect;
    public int FujiWidth;
    public int IsFoveon;
    public int RawColor;
    public fixed float RgbCam[12];
    public fixed long LinearMax[4];
    public long DataOffset, DataSize, FileSize;
    public fixed byte Decoder[128];
}

internal static unsafe partial class LibRawNative
{
    private const string Library = "rawengine_libraw";

    public const int Success = 0;
    public const int FileUnsupported = -2;
    public const int OutOfMemory = -100007;
    public const int DataError = -100008;
    public const int IoError = -100009;
    public const int CancelledByCallback = -100010;
    public const int BadCrop = -100011;
    public const int TooBig = -100012;

    /// <summary>LibRaw's sentinel for a BaselineExposure the file does not have (-999).</summary>
    public const float AbsentBaselineExposure = -999f;

    [LibraryImport(Library, EntryPoint = "rawengine_open_file", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFile(string path, out IntPtr handle);

    [LibraryImport(Library, EntryPoint = "rawengine_open_buffer")]
    private static partial int OpenBuffer(byte* data, nuint size, out IntPtr handle);

    [LibraryImport(Library, EntryPoint = "rawengine_close")]
    public static partial void Close(IntPtr handle);

    [LibraryImport(Library, EntryPoint = "rawengine_cancel")]
    public static partial void Cancel(LibRawHandle handle);

    [LibraryImport(Library, EntryPoint = "rawengine_unpack")]
    public static partial int Unpack(LibRawHandle handle);

    [LibraryImport(Library, EntryPoint = "rawengine_data_errors")]
    public static partial int DataErrors(LibRawHandle handle, out int firstOffset);

    [LibraryImport(Library, EntryPoint = "rawengine_color_at")]
    public static partial int ColorAt(LibRawHandle handle, int row, int col);

    [LibraryImport(Library, EntryPoint = "rawengine_get_info")]
    public static partial void GetInfo(LibRawHandle handle, out LibRawInfo info);

    [LibraryImport(Library, EntryPoint = "rawengine_info_size")]
    public static partial nuint InfoSize();

    [LibraryImport(Library, EntryPoint = "rawengine_copy_raw")]
    public static partial int CopyRaw(LibRawHandle handle, ushort* destination, nuint count);

    [LibraryImport(Library, EntryPoint = "rawengine_thumbnail")]
    public static partial int Thumbnail(LibRawHandle handle, out byte* data, out uint length, out int format, out int width, out int height);

    [LibraryImport(Library, EntryPoint = "rawengine_strerror")]
    private static partial IntPtr StrError(int code);

    [LibraryImport(Library, EntryPoint = "rawengine_libraw_version")]
    private static partial IntPtr VersionPointer();

    public static string Version
    {
        get
        {
            EnsureLoaded();
            return Marshal.PtrToStringUTF8(VersionPointer()) ?? "unknown";
        }
    }

    public static string Describe(int code) => Marshal.PtrToStringUTF8(StrError(code)) ?? $"LibRaw error {code}";

    /// <summary>Opens a file; the returned handle is valid even on failure so it is always released.</summary>
    public static int Open(string path, out LibRawHandle handle)
    {
        EnsureLoaded();
        var rc = OpenFile(path, out var raw);
        handle = Wrap(raw);
        return rc;
    }

    public static int Open(ReadOnlySpan<byte> bytes, out LibRawHandle handle)
    {
        EnsureLoaded();
        int rc;
        IntPtr raw;
        fixed (byte* data = bytes) rc = OpenBuffer(data, (nuint)bytes.Length, out raw);
        handle = Wrap(raw);
        return rc;
    }

    private static LibRawHandle Wrap(IntPtr raw)
    {
        var handle = new LibRawHandle();
        Marshal.InitHandle(handle, raw);
        return handle;
    }

    private static bool _loaded;

    /// <summary>
    /// Loads the shim, and through it the system's libraw_r, on first use: a missing LibRaw becomes one
    /// <see cref="RawEngineException"/> that says what to install, not a bare <see cref="DllNotFoundException"/>.
    /// Then checks that the shim was built from the same struct layout as this assembly.
    /// </summary>
    private static void EnsureLoaded()
    {
        if (_loaded) return;
        nuint native;
        try
        {
            native = InfoSize();
        }
        catch (DllNotFoundException e)
        {
            throw new RawEngineException(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
                ? "LibRaw 0.20+ (libraw_r) not found: apt-get install libraw20"
                : $"RawEngine's LibRaw shim is built for linux-x64 only, not {RuntimeInformation.RuntimeIdentifier}", e);
        }
        if (native != (nuint)sizeof(LibRawInfo))
            throw new InvalidOperationException($"The LibRaw shim's info struct is {native} bytes but RawEngine expects {sizeof(LibRawInfo)}: rebuild the shim.");
        _loaded = true;
    }

    public static string Text(byte* field, int capacity) =>
        Marshal.PtrToStringUTF8((IntPtr)field, new ReadOnlySpan<byte>(field, capacity).IndexOf((byte)0) is var n and >= 0 ? n : capacity).Trim();
}
