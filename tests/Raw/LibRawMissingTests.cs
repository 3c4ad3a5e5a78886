using System.Reflection;
using System.Runtime.Loader;
using RawEngine.Engine.Raw;
using RawEngine.Tests.Conformance;

namespace RawEngine.Tests.Raw;

/// <summary>
/// A machine without LibRaw 0.20: the engine is loaded a second time, in a context of its own whose LibRaw shim
/// is one built here against a <c>libraw_r</c> soname no machine has (the loader fails on that dependency exactly
/// as it does for a real shim on a machine without libraw20), and opening a raw must say what to install.
/// </summary>
public sealed class LibRawMissingTests
{
    [Fact]
    public void Opening_a_raw_without_libraw_says_what_to_install()
    {
        var folder = Directory.CreateTempSubdirectory("rawengine-no-libraw-");
        try
        {
            var shim = BuildShimNeedingMissingLibRaw(folder.FullName);
            var context = new ShimContext(shim);
            try
            {
                var engine = context.LoadFromAssemblyPath(typeof(RawDecoder).Assembly.Location);
                var decode = engine.GetType(typeof(RawDecoder).FullName!)!.GetMethod(nameof(RawDecoder.Decode), [typeof(string), typeof(CancellationToken)])!;
                var raw = Path.Combine(folder.FullName, "any.dng");
                File.WriteAllBytes(raw, new byte[64]);

                var thrown = Assert.Throws<TargetInvocationException>(() => decode.Invoke(null, [raw, CancellationToken.None])).InnerException!;

                Assert.Equal("RawEngine.Engine.RawEngineException", thrown.GetType().FullName);
                Assert.Equal("LibRaw 0.20+ (libraw_r) not found: apt-get install libraw20", thrown.Message);
                var loader = Assert.IsType<DllNotFoundException>(thrown.InnerException);
                Assert.Contains("libraw_r.so.999", loader.Message);
            }
            finally
            {
                context.Unload();
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A library named like the shim whose one dependency, <c>libraw_r.so.999</c>, is deleted after linking.</summary>
    private static string BuildShimNeedingMissingLibRaw(string folder)
    {
        var stubSource = Path.Combine(folder, "stub.cpp");
        var shimSource = Path.Combine(folder, "shim.cpp");
        File.WriteAllText(stubSource, "extern \"C\" int libraw_stub() { return 0; }\n");
        File.WriteAllText(shimSource, "extern \"C\" int libraw_stub();\nextern \"C\" unsigned long rawengine_info_size() { return libraw_stub(); }\n");
        var stub = Path.Combine(folder, "libraw_r.so.999");
        var shim = Path.Combine(folder, "librawengine_libraw.so");
        Compile(["-shared", "-fPIC", "-Wl,-soname,libraw_r.so.999", "-o", stub, stubSource]);
        Compile(["-shared", "-fPIC", "-Wl,--no-as-needed", "-o", shim, shimSource, stub]);
        File.Delete(stub);
        return shim;
    }

    private static void Compile(string[] arguments)
    {
        var result = ChildProcess.Run("g++", arguments, TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, $"g++ {string.Join(' ', arguments)}: {result.Error}");
    }

    /// <summary>Loads what it is asked to from the default context, except that the shim comes from <paramref name="shim"/>.</summary>
    private sealed class ShimContext(string shim) : AssemblyLoadContext("no-libraw", isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName name) => null;

        protected override IntPtr LoadUnmanagedDll(string name) =>
            name.Contains("rawengine_libraw", StringComparison.Ordinal) ? LoadUnmanagedDllFromPath(shim) : IntPtr.Zero;
    }
}
