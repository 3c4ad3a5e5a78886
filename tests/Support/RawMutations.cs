using RawEngine.Engine.Raw;

namespace RawEngine.Tests.Support;

/// <summary>Seeded damage to a valid raw file, as building blocks: cut short, bytes changed in a region, runs zeroed.</summary>
internal static class RawMutations
{
    public static IEnumerable<(string Name, byte[] Bytes)> Truncations(byte[] valid, IEnumerable<int> lengths)
    {
        foreach (var length in lengths)
            yield return ($"truncated-{length}", valid[..length]);
    }

    /// <summary><paramref name="copies"/> copies, each with 1 to 4 bytes in [<paramref name="start"/>, <paramref name="end"/>) set at random.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> ChangedBytes(byte[] valid, Random random, string region, int start, int end, int copies)
    {
        for (var i = 0; i < copies; i++)
        {
            var bytes = valid.ToArray();
            var count = random.Next(1, 5);
            for (var k = 0; k < count; k++) bytes[random.Next(start, end)] = (byte)random.Next(256);
            yield return ($"{region}-bytes-{i}", bytes);
        }
    }

    /// <summary><paramref name="copies"/> copies, each with a run of 4 to 256 bytes zeroed somewhere.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> ZeroedRuns(byte[] valid, Random random, int copies)
    {
        for (var i = 0; i < copies; i++)
        {
            var bytes = valid.ToArray();
            var start = random.Next(valid.Length);
            var length = Math.Min(random.Next(4, 257), valid.Length - start);
            Array.Clear(bytes, start, length);
            yield return ($"zeroed-{start}+{length}", bytes);
        }
    }
}

/// <summary>What decoding a (damaged) file from memory came to.</summary>
internal abstract record DecodeOutcome
{
    public sealed record Decoded(RawImage Image) : DecodeOutcome;
    public sealed record Rejected(RawDecodeException Error) : DecodeOutcome;
    /// <summary>Any exception but <see cref="RawDecodeException"/>: a bug.</summary>
    public sealed record Failed(Exception Error) : DecodeOutcome;
    public sealed record Hung : DecodeOutcome;

    /// <summary>Decodes <paramref name="bytes"/> through <see cref="RawDecoder.Decode(ReadOnlyMemory{byte}, string, CancellationToken)"/>, giving up waiting after <paramref name="limit"/>.</summary>
    public static DecodeOutcome Of(string name, byte[] bytes, TimeSpan limit)
    {
        // A thread of its own: a pool thread may wait long behind other tests' blocked ones, which would look like a hang.
        var decode = Task.Factory.StartNew(() => RawDecoder.Decode(bytes, name), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            return decode.Wait(limit) ? new Decoded(decode.Result) : new Hung();
        }
        catch (AggregateException e) when (e.InnerException is RawDecodeException rejected)
        {
            return new Rejected(rejected);
        }
        catch (AggregateException e)
        {
            return new Failed(e.InnerException ?? e);
        }
    }
}
