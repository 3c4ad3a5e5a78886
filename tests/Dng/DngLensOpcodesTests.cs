using System.Buffers.Binary;
using RawEngine.Engine.Dng;

namespace RawEngine.Tests.Dng;

/// <summary>Which opcodes of a DNG's lists correct the lens, so a lensfun profile is not applied on top of them.</summary>
public class DngLensOpcodesTests
{
    /// <summary>An opcode list (big-endian, DNG 1.4 chapter 6) of opcodes with the given ids and parameter sizes.</summary>
    private static byte[] List(params (uint Id, int Bytes)[] opcodes)
    {
        var list = new byte[4 + opcodes.Sum(o => 16 + o.Bytes)];
        BinaryPrimitives.WriteUInt32BigEndian(list, (uint)opcodes.Length);
        var offset = 4;
        foreach (var (id, bytes) in opcodes)
        {
            BinaryPrimitives.WriteUInt32BigEndian(list.AsSpan(offset), id);
            BinaryPrimitives.WriteUInt32BigEndian(list.AsSpan(offset + 4), 0x01030000);
            BinaryPrimitives.WriteUInt32BigEndian(list.AsSpan(offset + 12), (uint)bytes);
            offset += 16 + bytes;
        }
        return list;
    }

    [Fact]
    public void LensOpcodesAreNamedAcrossTheLists()
    {
        // GainMap (9) in list 2 as phones write it; TrimBounds (6) and MapPolynomial (8) do not correct the lens;
        // WarpRectilinear (1) and FixVignetteRadial (3) in list 3.
        var names = DngLensOpcodes.Of(null, List((6, 16), (9, 100)), List((8, 40), (1, 60), (3, 56), (9, 100)));
        Assert.Equal(["GainMap", "WarpRectilinear", "FixVignetteRadial"], names);
    }

    [Fact]
    public void OtherOpcodesOrNoListsNameNothing()
    {
        Assert.Empty(DngLensOpcodes.Of(null, null, null));
        Assert.Empty(DngLensOpcodes.Of(List((6, 16), (8, 40))));
    }

    [Fact]
    public void ATruncatedListKeepsWhatItRead()
    {
        var list = List((3, 56), (1, 60));
        Assert.Equal(["FixVignetteRadial"], DngLensOpcodes.Of(list[..(4 + 16 + 56 + 20)]));
    }
}
