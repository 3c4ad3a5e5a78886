using System.Globalization;
using RawEngine.Cli.Convert;

namespace RawEngine.Cli.Batch;

/// <summary>
/// One of <see cref="Count"/> disjoint parts of a batch (<c>--shard I/N</c>, I from 0). Inputs are sorted by their
/// path relative to the folder they were found in, and the one at position p belongs to shard p mod N: every input
/// is in exactly one shard, shards differ in size by at most one, and every machine that sees the same files agrees.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    public static readonly Shard Whole = new(0, 1);

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>The shard's journal under <c>OUT/.rawengine/</c>.</summary>
    public string JournalName => $"shard-{Index}-of-{Count}.jsonl";

    /// <summary>This shard's share of <paramref name="items"/>, ordered by <paramref name="key"/> (ordinal).</summary>
    public IReadOnlyList<T> Select<T>(IEnumerable<T> items, Func<T, string> key)
    {
        var (index, count) = (Index, Count);
        return [.. items.Order(Comparer<T>.Create((a, b) => string.CompareOrdinal(key(a), key(b)))).Where((_, position) => position % count == index)];
    }

    /// <summary>Parses <c>I/N</c> (0 &lt;= I &lt; N).</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && TryParseCount(parts[1], out var count) && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return Create(index, count, $"--shard {text}");
        throw new UsageException($"--shard: '{text}' is not I/N (shard I of N, I from 0) or auto");
    }

    /// <summary>
    /// <c>--shard auto</c>: the scheduler's variables. Slurm job arrays give <c>SLURM_ARRAY_TASK_ID</c> with
    /// <c>SLURM_ARRAY_TASK_COUNT</c> (or <c>_MIN</c>/<c>_MAX</c>); Kubernetes Indexed Jobs give <c>JOB_COMPLETION_INDEX</c>,
    /// whose count (the Job's completions) comes from <paramref name="countOption"/> or <c>RAWENGINE_SHARD_COUNT</c>.
    /// </summary>
    public static Shard FromScheduler(Func<string, string?> environment, int? countOption)
    {
        if (environment("SLURM_ARRAY_TASK_ID") is { } slurmId)
        {
            var id = Variable("SLURM_ARRAY_TASK_ID", slurmId);
            var min = environment("SLURM_ARRAY_TASK_MIN") is { } m ? Variable("SLURM_ARRAY_TASK_MIN", m) : 0;
            int count;
            if (countOption is { } given) count = given;
            else if (environment("SLURM_ARRAY_TASK_COUNT") is { } c) count = Variable("SLURM_ARRAY_TASK_COUNT", c);
            else if (environment("SLURM_ARRAY_TASK_MAX") is { } max) count = Variable("SLURM_ARRAY_TASK_MAX", max) - min + 1;
            else throw new UsageException("--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is (not an array job?)");
            // An array with a step (--array=0-15:4) numbers its tasks sparsely: they cannot be shards 0..N-1.
            return Create(id - min, count, $"--shard auto: Slurm task {id} of an array starting at {min} with {count} tasks");
        }
        if (environment("JOB_COMPLETION_INDEX") is { } k8sIndex)
        {
            var index = Variable("JOB_COMPLETION_INDEX", k8sIndex);
            var count = countOption ?? (environment("RAWENGINE_SHARD_COUNT") is { } c
                ? Variable("RAWENGINE_SHARD_COUNT", c)
                : throw new UsageException("--shard auto: JOB_COMPLETION_INDEX is set but the number of shards is not: pass --shard-count N (the Job's completions) or set RAWENGINE_SHARD_COUNT"));
            return Create(index, count, $"--shard auto: Kubernetes completion index {index} of {count}");
        }
        throw new UsageException("--shard auto: no scheduler variables found (SLURM_ARRAY_TASK_ID of a Slurm job array, or JOB_COMPLETION_INDEX of a Kubernetes Indexed Job); use --shard I/N");
    }

    private static Shard Create(int index, int count, string what) =>
        count >= 1 && index >= 0 && index < count ? new Shard(index, count) : throw new UsageException($"{what}: not a shard I/N with 0 <= I < N");

    private static bool TryParseCount(string text, out int count) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count >= 1;

    private static int Variable(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new UsageException($"--shard auto: {name}='{value}' is not a whole number");
}
