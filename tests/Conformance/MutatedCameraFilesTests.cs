using RawEngine.Engine.Raw;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Conformance;

/// <summary>
/// Damaged copies of the real camera files (CRW, QTK, KDC, Kodak raw, DNGs), decoded from memory: each must
/// decode to a picture of sane size or fail with a <see cref="RawDecodeException"/>; never another exception,
/// a crash or a hang. Seeded, so a failure names a mutation that can be made again. A few hundred in every
/// run; thousands in the long suite (<c>RAWENGINE_LONG_TESTS=1</c>).
/// </summary>
public class MutatedCameraFilesTests
{
    private static readonly TimeSpan PerFileLimit = TimeSpan.FromSeconds(20);

    /// <summary>Where file headers and first directories sit: mutated apart from the (mostly sensor) data after it.</summary>
    private const int HeadBytes = 4096;

    public static TheoryData<string> Files() => new(ConformanceCorpus.RealFiles);

    [SharedTheory("the raw-real camera files")]
    [MemberData(nameof(Files))]
    public void DamagedCopiesDecodeOrFailWithRawDecodeException(string file) => CheckMutations(file, copies: 10, minimumTried: 40);

    [LongSharedTheory("the raw-real camera files")]
    [MemberData(nameof(Files))]
    public void ManyDamagedCopiesDecodeOrFailWithRawDecodeException(string file) => CheckMutations(file, copies: 120, minimumTried: 360);

    /// <summary>
    /// Cut inside their raw data (a JPEG-compressed SubIFD image from byte 24144 of sample_1mp.dng and 203486 of
    /// the 6D DNG to the very end): the data ends before the image does, however little is missing.
    /// </summary>
    [SharedTheory("the real camera DNGs")]
    [InlineData("raw-real/sample_1mp.dng", 90)]
    [InlineData("raw-real/sample_1mp.dng", 95)]
    [InlineData("raw/canon_eos_6d_linear.dng", 90)]
    [InlineData("raw/canon_eos_6d_linear.dng", 95)]
    public void DngCutInsideItsRawDataIsRefusedAsTruncated(string file, int percentKept)
    {
        var valid = File.ReadAllBytes(Path.Combine(ProtocolConvert.TestData, file));
        var outcome = DecodeOutcome.Of(Path.GetFileName(file), valid[..(valid.Length * percentKept / 100)], PerFileLimit);
        var rejected = Assert.IsType<DecodeOutcome.Rejected>(outcome);
        Assert.Contains("truncated", rejected.Error.Reason, StringComparison.OrdinalIgnoreCase);
    }

    private static void CheckMutations(string file, int copies, int minimumTried)
    {
        var valid = File.ReadAllBytes(Path.Combine(ProtocolConvert.TestData, file));
        var name = Path.GetFileName(file);
        var problems = new List<string>();
        var (tried, decoded) = (0, 0);
        foreach (var (mutation, bytes) in Mutations(valid, seed: 2024 + Array.IndexOf(ConformanceCorpus.RealFiles, file), copies))
        {
            tried++;
            var outcome = DecodeOutcome.Of(name, bytes, PerFileLimit);
            if (outcome is DecodeOutcome.Decoded) decoded++;
            switch (outcome)
            {
                case DecodeOutcome.Decoded picture when SizeProblem(picture.Image) is { } problem:
                    problems.Add($"{mutation}: decoded to {problem}");
                    break;
                case DecodeOutcome.Failed failed:
                    problems.Add($"{mutation}: {failed.Error.GetType().Name}: {failed.Error.Message}");
                    break;
                case DecodeOutcome.Hung:
                    problems.Add($"{mutation}: no answer within {PerFileLimit.TotalSeconds} s");
                    break;
            }
        }
        Assert.True(problems.Count == 0, $"{name}: {problems.Count} of {tried} damaged copies were mishandled:\n{string.Join("\n", problems)}");
        Assert.True(tried >= minimumTried, $"{name}: only {tried} mutations");
        // Changed sensor bytes leave a decodable file: none decoding would mean the mutations never reach the decoder.
        Assert.True(decoded > 0, $"{name}: none of {tried} damaged copies decoded");
    }

    /// <summary>Cut at a few fixed and many random lengths; bytes changed in the head and in the body; runs zeroed.</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> Mutations(byte[] valid, int seed, int copies)
    {
        var random = new Random(seed);
        var lengths = new SortedSet<int> { 0, 1, 8, 64, 512, valid.Length / 2, valid.Length - 1 };
        while (lengths.Count < copies + 7) lengths.Add(random.Next(valid.Length));
        var head = Math.Min(HeadBytes, valid.Length / 2);
        return RawMutations.Truncations(valid, lengths)
            .Concat(RawMutations.ChangedBytes(valid, random, "head", 0, head, copies))
            .Concat(RawMutations.ChangedBytes(valid, random, "body", head, valid.Length, copies))
            .Concat(RawMutations.ZeroedRuns(valid, random, copies));
    }

    /// <summary>Why a decoded picture's geometry cannot be right, or null when it can.</summary>
    private static string? SizeProblem(RawImage image)
    {
        var v = image.Visible;
        if (image.SensorWidth is < 1 or > 65535 || image.SensorHeight is < 1 or > 65535)
            return $"a {image.SensorWidth}x{image.SensorHeight} sensor";
        if (image.Data.Length != (long)image.SensorWidth * image.SensorHeight * image.SamplesPerPixel)
            return $"{image.Data.Length} samples for a {image.SensorWidth}x{image.SensorHeight}x{image.SamplesPerPixel} sensor";
        if (v.Width < 1 || v.Height < 1 || v.X < 0 || v.Y < 0 || v.Right > image.SensorWidth || v.Bottom > image.SensorHeight)
            return $"a visible area {v} outside the {image.SensorWidth}x{image.SensorHeight} sensor";
        return null;
    }
}
