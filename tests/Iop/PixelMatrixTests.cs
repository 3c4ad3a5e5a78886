using RawEngine.Engine.Raw;
using RawEngine.Iop.Shared;

namespace RawEngine.Tests.Iop;

public class PixelMatrixTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(37)]
    public void RowsGetTheSameFloatsAsThePixelByPixelProductAndKeepAlpha(int pixels)
    {
        var m = new Matrix3(1.7f, -0.6f, -0.1f, -0.2f, 1.4f, -0.2f, 0.05f, -0.45f, 1.4f);
        var random = new Random(7);
        var source = new float[4 * pixels];
        for (var i = 0; i < source.Length; i++) source[i] = random.NextSingle() * 3 - 0.5f;
        var target = new float[source.Length];

        new PixelMatrix.RowMatrix(m).Apply(source, target);

        for (var p = 0; p < source.Length; p += 4)
        {
            float r = source[p], g = source[p + 1], b = source[p + 2];
            Assert.Equal(m.M00 * r + m.M01 * g + m.M02 * b, target[p]);
            Assert.Equal(m.M10 * r + m.M11 * g + m.M12 * b, target[p + 1]);
            Assert.Equal(m.M20 * r + m.M21 * g + m.M22 * b, target[p + 2]);
            Assert.Equal(source[p + 3], target[p + 3]);
        }
    }
}
