using System.Buffers.Binary;

namespace RawEngine.Engine.Tiff;

/// <summary>
/// Writes a little-endian classic TIFF: header, then every directory of the tree depth-first, each followed
/// by its out-of-line values, then the data blocks (16-byte aligned) in the order their directories met them.
/// </summary>
public static class TiffFileWriter
{
    private const int HeaderSize = 8;
    private const int BlockAlignment = 16;

    public static void Write(Stream stream, TiffDirectory root)
    {
        var directories = new List<TiffDirectory>();
        var blocks = new List<TiffDataBlock>();
        Collect(root, directories, blocks);

        // Sizes do not depend on pointer values, so one pass assigns every offset.
        var directoryOffsets = new Dictionary<TiffDirectory, long>(ReferenceEqualityComparer.Instance);
        long position = HeaderSize;
        foreach (var directory in directories)
        {
            directoryOffsets[directory] = position;
            position += SizeOf(directory);
        }
        var blockOffsets = new Dictionary<TiffDataBlock, long>(ReferenceEqualityComparer.Instance);
        foreach (var block in blocks)
        {
            position = Align(position);
            blockOffsets[block] = position;
            position += block.Length;
        }
        if (position > uint.MaxValue)
            throw new InvalidOperationException($"The TIFF would be {position} bytes, more than a 32-bit TIFF can address.");

        var header = new byte[HeaderSize];
        header[0] = (byte)'I';
        header[1] = (byte)'I';
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), HeaderSize);
        stream.Write(header);
        long written = HeaderSize;
        foreach (var directory in directories)
        {
            var bytes = Encode(directory, directoryOffsets[directory], directoryOffsets, blockOffsets);
            stream.Write(bytes);
            written += bytes.Length;
        }
        Span<byte> padding = stackalloc byte[BlockAlignment];
        foreach (var block in blocks)
        {
            var pad = (int)(Align(written) - written);
            stream.Write(padding[..pad]);
            block.WriteTo(stream);
            written += pad + block.Length;
        }
        if (written != position)
            throw new InvalidOperationException($"The TIFF data blocks wrote {written} bytes in all where {position} were laid out.");
    }

    private static void Collect(TiffDirectory directory, List<TiffDirectory> directories, List<TiffDataBlock> blocks)
    {
        directories.Add(directory);
        foreach (var entry in directory.Entries)
        {
            if (entry.Block is not null) blocks.Add(entry.Block);
            foreach (var child in entry.Children ?? []) Collect(child, directories, blocks);
        }
    }

    private static long SizeOf(TiffDirectory directory)
    {
        long size = 2 + 4;
        foreach (var entry in directory.Entries)
            size += 12 + (entry.Value.Length > 4 ? Even(entry.Value.Length) : 0);
        return size;
    }

    private static byte[] Encode(TiffDirectory directory, long offset, Dictionary<TiffDirectory, long> directoryOffsets, Dictionary<TiffDataBlock, long> blockOffsets)
    {
        var entries = directory.Entries.ToList();
        var bytes = new byte[SizeOf(directory)];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(span, checked((ushort)entries.Count));
        var valuePosition = 2 + 12 * entries.Count + 4; // the next-IFD pointer after the entries stays 0
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var value = ResolvePointers(entry, directoryOffsets, blockOffsets);
            var at = span[(2 + 12 * i)..];
            BinaryPrimitives.WriteUInt16LittleEndian(at, entry.Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(at[2..], (ushort)entry.Type);
            BinaryPrimitives.WriteUInt32LittleEndian(at[4..], (uint)entry.Count);
            if (value.Length <= 4)
                value.CopyTo(at[8..]);
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(at[8..], (uint)(offset + valuePosition));
                value.CopyTo(span[valuePosition..]);
                valuePosition += Even(value.Length);
            }
        }
        return bytes;
    }

    private static byte[] ResolvePointers(TiffEntry entry, Dictionary<TiffDirectory, long> directoryOffsets, Dictionary<TiffDataBlock, long> blockOffsets)
    {
        if (entry.Block is not null)
        {
            var value = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)blockOffsets[entry.Block]);
            return value;
        }
        if (entry.Children is { } children)
        {
            var value = new byte[children.Length * 4];
            for (var i = 0; i < children.Length; i++)
                BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(i * 4), (uint)directoryOffsets[children[i]]);
            return value;
        }
        return entry.Value;
    }

    private static long Align(long position) => (position + BlockAlignment - 1) / BlockAlignment * BlockAlignment;
    private static int Even(int length) => (length + 1) & ~1;
}
