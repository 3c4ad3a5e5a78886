using System.Diagnostics;
using RawEngine.AI.Kernels;
using RawEngine.Engine.Raw;

namespace RawEngine.Bench.Ai;

/// <summary>Megapixels per second of the CPU pre/post-processing kernels on a 2048x2048 image.</summary>
internal static class KernelThroughput
{
    private const int Size = 2048;
    private const int Rounds = 7;

    public static void Run()
    {
        const int pixels = Size * Size;
        var rgba = new float[4 * pixels];
        var planar = new float[3 * pixels];
        var cfa = new float[pixels];
        var weights = new float[pixels];
        var sums = new float[3 * pixels];
        var logits = new float[256 * 256];
        var mask = new float[pixels];
        for (var i = 0; i < rgba.Length; i++) rgba[i] = i % 997 / 997f;
        for (var i = 0; i < cfa.Length; i++) cfa[i] = i % 991 / 991f;
        for (var i = 0; i < logits.Length; i++) logits[i] = i % 61 - 30f;
        var sam = ChannelAffine.Normalise([123.675f, 116.28f, 103.53f], [58.395f, 57.12f, 57.375f], 255f);
        var tile = new TilePlacement(0, 0, Size, Size, 32, TileEdges.Left | TileEdges.Right | TileEdges.Top | TileEdges.Bottom);

        Console.WriteLine();
        Console.WriteLine($"{"CPU kernel, 2048x2048, median",-44} {"MP/s",10}");
        Measure("ai.kernel.rgba_to_planar", "RGBA -> planar, sRGB encode, normalise", () => CpuKernels.RgbaToPlanar(rgba, Size, Size, 4 * Size, planar, Transfer.SrgbEncode, sam));
        Measure("ai.kernel.rgba_to_planar_linear", "RGBA -> planar, no curve", () => CpuKernels.RgbaToPlanar(rgba, Size, Size, 4 * Size, planar, Transfer.None, ChannelAffine.Identity));
        Measure("ai.kernel.planar_to_rgba", "planar -> RGBA, sRGB decode", () => CpuKernels.PlanarToRgba(planar, Size, Size, ChannelAffine.Identity, Transfer.SrgbDecode, ChannelAffine.Identity, rgba, 4 * Size));
        Measure("ai.kernel.cfa_to_masked_mosaic", "CFA -> masked mosaic (X-Trans), encode", () => CpuKernels.CfaToMaskedMosaic(cfa, Size, Size, Size, CfaPattern.XTrans, Transfer.SrgbEncode, planar));
        Measure("ai.kernel.accumulate_tile", "tile blend accumulate", () => CpuKernels.AccumulateTile(planar, tile, sums, weights, Size, Size));
        Measure("ai.kernel.resolve_accumulated", "tile blend resolve", () => CpuKernels.ResolveAccumulated(sums, weights, Size, Size));
        Measure("ai.kernel.mask_from_logits", "mask 256 -> 2048 resize + sigmoid", () => CpuKernels.MaskFromLogits(logits, 256, 256, mask, Size, Size));
    }

    private static void Measure(string name, string label, Action kernel)
    {
        kernel();
        var times = new double[Rounds];
        for (var i = 0; i < Rounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            kernel();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(times);
        var mps = Size * (double)Size / 1e6 / times[Rounds / 2];
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { name, value = Math.Round(mps, 1), unit = "MP/s", baseline = (double?)null, ratio = (double?)null }));
        Console.WriteLine($"{label,-44} {mps,10:F1}");
    }
}
