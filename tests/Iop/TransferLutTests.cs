using RawEngine.Engine.Color;
using RawEngine.Iop.ColorOut;

namespace RawEngine.Tests.Iop;

public class TransferLutTests
{
    [Theory]
    [InlineData("srgb")]
    [InlineData("adobe-rgb")]
    [InlineData("prophoto")]
    [InlineData("rec2020")]
    public void RowsEncodeLikeTheCurveAndKeepAlpha(string space)
    {
        var curve = RgbColorSpace.Find(space)!.Transfer;
        var lut = new TransferLut(curve);
        var rng = new Random(3);
        var row = new float[4 * 1001];
        for (var i = 0; i < row.Length; i++) row[i] = (i & 3) == 3 ? 0.25f + i : rng.NextSingle() * 1.2f - 0.1f;
        row[0] = float.NaN;
        var original = row.ToArray();

        lut.EncodeRgba(row);

        Assert.Equal(0f, row[0]);
        for (var i = 1; i < row.Length; i++)
        {
            if ((i & 3) == 3)
            {
                Assert.Equal(original[i], row[i]);
                continue;
            }
            var expected = curve.Encode(Math.Clamp(original[i], 0, 1));
            Assert.True(Math.Abs(expected - row[i]) < 1e-5, $"{space}: {original[i]} encodes to {row[i]}, exactly {expected}");
            Assert.Equal(lut.Encode(original[i]), row[i], 1e-6f);
        }
    }
}
