using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawEngine.Engine.Buffers;

/// <summary>
/// Asks Linux to back a large, freshly allocated array with transparent huge pages (2 MB), which the kernel grants on
/// request where /sys/kernel/mm/transparent_hugepage/enabled is "madvise" (Debian's default) or "always". The first
/// write to each page of a new buffer is a page fault: a 96 MB float mosaic costs 24,000 of them with 4 KB pages, 48
/// with huge pages; on a 24 MP convert the faults were about a tenth of the CPU time. Elsewhere (another system, THP
/// off, a range already touched) the advice changes nothing.
/// </summary>
internal static unsafe partial class HugePages
{
    private const nuint PageBytes = 2 << 20;
    private const int AdviseHugePage = 14; // MADV_HUGEPAGE

    /// <summary>Arrays smaller than this are left alone: they span too few huge pages to matter.</summary>
    public const long MinimumBytes = 4 * (long)PageBytes;

    public static void Advise<T>(T[] array) where T : unmanaged
    {
        var bytes = (nuint)array.Length * (nuint)sizeof(T);
        if (!OperatingSystem.IsLinux() || bytes < (nuint)MinimumBytes) return;
        // Large arrays live in the GC's large-object heap, which does not move them unless asked to compact it; were one
        // moved, the advice would stay on its old range, harmlessly.
        var start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        var first = (start + PageBytes - 1) & ~(PageBytes - 1);
        var end = (start + bytes) & ~(PageBytes - 1);
        if (end > first) _ = Madvise((void*)first, end - first, AdviseHugePage);
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
