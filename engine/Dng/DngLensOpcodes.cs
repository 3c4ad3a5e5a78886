using System.Buffers.Binary;

namespace RawEngine.Engine.Dng;

/// <summary>
/// Which of a DNG's opcodes correct the lens, read from the opcode lists' headers only (DNG 1.4 spec, chapter 6:
/// a big-endian count, then per opcode its id, version, flags and parameter byte count). Whoever applies the
/// opcodes parses them fully; this only tells a profile-based lens correction to step aside.
/// </summary>
public static class DngLensOpcodes
{
    private static readonly Dictionary<uint, string> LensOpcodeNames = new()
    {
        [1] = "WarpRectilinear",
        [3] = "FixVignetteRadial",
        [9] = "GainMap",
    };

    /// <summary>The names of the lens-correcting opcodes in opcode lists (a DNG's OpcodeList1/2/3), in list order, each once.</summary>
    public static IReadOnlyList<string> Of(params ReadOnlySpan<byte[]?> lists)
    {
        var names = new List<string>();
        foreach (var list in lists)
            foreach (var id in Ids(list))
                if (LensOpcodeNames.TryGetValue(id, out var name) && !names.Contains(name)) names.Add(name);
        return names;
    }

    private static IEnumerable<uint> Ids(byte[]? list)
    {
        if (list is null || list.Length < 4) yield break;
        var count = BinaryPrimitives.ReadUInt32BigEndian(list);
        var offset = 4;
        for (var i = 0; i < count && offset + 16 <= list.Length; i++)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(list.AsSpan(offset + 12));
            if (size > list.Length - offset - 16) yield break;   // cut off: the opcodes before it stand
            yield return BinaryPrimitives.ReadUInt32BigEndian(list.AsSpan(offset));
            offset += 16 + (int)size;
        }
    }
}
