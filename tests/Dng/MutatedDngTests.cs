using RawEngine.Engine.Dng;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Synthetic;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Dng;

/// <summary>
/// Bad input: a few hundred damaged DNGs (truncated, bytes changed, regions zeroed) and non-raw bytes must
/// each decode or fail with a RawDecodeException, never another exception, a crash or a hang; a truncated
/// file must always fail.
/// </summary>
public class MutatedDngTests
{
    private static readonly TimeSpan PerFileLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public void DamagedFilesDecodeOrFailWithRawDecodeException()
    {
        var valid = DngWriter.ToBytes(SyntheticRaw.Chart(64, 48, new SyntheticRawOptions { Noise = SensorNoise.AtIso(400), Seed = 3 }));
        var problems = new List<string>();
        var (decoded, tried) = (0, 0);
        foreach (var (name, bytes) in DngMutations.All(valid, seed: 2024))
        {
            tried++;
            var outcome = DecodeOutcome.Of(name + ".dng", bytes, PerFileLimit);
            if (outcome is DecodeOutcome.Decoded) decoded++;
            if (outcome is DecodeOutcome.Decoded && name.StartsWith("truncated", StringComparison.Ordinal))
                problems.Add($"{name}: decoded without error");
            if (outcome is DecodeOutcome.Failed failed)
                problems.Add($"{name}: {failed.Error.GetType().Name}: {failed.Error.Message}");
            if (outcome is DecodeOutcome.Hung)
                problems.Add($"{name}: no answer within {PerFileLimit.TotalSeconds} s");
        }
        Assert.True(problems.Count == 0, $"{problems.Count} damaged files were mishandled:\n{string.Join("\n", problems)}");
        Assert.True(decoded > 0, "flipping bytes in the sensor data should still decode");
        Assert.InRange(tried, 300, 1000);
    }

    [Fact]
    public void ACutInsideTheLastSampleIsAnError()
    {
        var valid = DngWriter.ToBytes(SyntheticRaw.Chart(64, 48));
        Assert.Throws<RawDecodeException>(() => RawDecoder.Decode(valid.AsMemory(0, valid.Length - 1), "cut.dng"));
    }

    [Fact]
    public void NonRawInputsAreRejected()
    {
        var png = File.ReadAllBytes(SharedData.Kodak(1));
        var random = new Random(11);
        var inputs = new List<(string, byte[])>
        {
            ("png", png),
            ("png-head", png[..4096]),
            ("tiff-header-only", "II*\0\b\0\0\0"u8.ToArray()),
            ("one-byte", [0x49]),
        };
        foreach (var size in new[] { 16, 1000, 70_000 })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            inputs.Add(($"random-{size}", bytes));
        }
        foreach (var (name, bytes) in inputs)
            Assert.IsType<DecodeOutcome.Rejected>(DecodeOutcome.Of(name + ".dng", bytes, PerFileLimit));
        Assert.Throws<RawDecodeException>(() => RawDecoder.Decode(ReadOnlyMemory<byte>.Empty, "empty.dng"));
    }
}

/// <summary>Seeded damage to a valid file: truncations, changed bytes in header, directories and data, zeroed runs.</summary>
internal static class DngMutations
{
    public static IEnumerable<(string Name, byte[] Bytes)> All(byte[] valid, int seed)
    {
        var random = new Random(seed);
        var dataStart = DataOffset(valid);

        // Every length through header and directories (every 4th byte after the first 64), then spread over the data.
        var lengths = new SortedSet<int>();
        for (var length = 0; length < dataStart; length += length < 64 ? 1 : 4) lengths.Add(length);
        for (var i = 1; i <= 40; i++) lengths.Add(dataStart + (valid.Length - dataStart) * i / 41);
        lengths.UnionWith([dataStart, dataStart + 1, valid.Length - 2]);
        foreach (var mutation in RawMutations.Truncations(valid, lengths)) yield return mutation;
        // Half of the last sample missing: must not crash; whether it is flagged is ACutInsideTheLastSampleIsAnError's concern.
        yield return ("cut-inside-last-sample", valid[..^1]);

        foreach (var (region, start, end) in new[] { ("header", 0, 8), ("directory", 8, dataStart), ("data", dataStart, valid.Length) })
            foreach (var mutation in RawMutations.ChangedBytes(valid, random, region, start, end, copies: 40)) yield return mutation;

        foreach (var mutation in RawMutations.ZeroedRuns(valid, random, copies: 30)) yield return mutation;
    }

    /// <summary>The first strip offset (tag 273) of IFD0, where the sensor data begins.</summary>
    private static int DataOffset(byte[] tiff)
    {
        var ifd = BitConverter.ToInt32(tiff, 4);
        int entries = BitConverter.ToUInt16(tiff, ifd);
        for (var i = 0; i < entries; i++)
        {
            var entry = ifd + 2 + i * 12;
            if (BitConverter.ToUInt16(tiff, entry) == 273) return BitConverter.ToInt32(tiff, entry + 8);
        }
        throw new InvalidDataException("the DNG has no StripOffsets");
    }
}
