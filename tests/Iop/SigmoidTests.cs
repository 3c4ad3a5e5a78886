using RawEngine.Iop.Sigmoid;

namespace RawEngine.Tests.Iop;

public class SigmoidTests
{
    [Fact]
    public void MiddleGreyStaysAndHighlightsApproachTheTargetWhite()
    {
        var curve = new SigmoidOperation.Curve(new SigmoidParams());
        Assert.Equal(0.1845f, curve.Map(0.1845f), 1e-5f);
        Assert.Equal(0f, curve.Map(0f));
        Assert.Equal(0f, curve.Map(float.NaN));
        Assert.InRange(curve.Map(1000f), 0.99f, 1.0f);
        Assert.Equal(1f, curve.Map(float.PositiveInfinity));
        for (var x = 0.001f; x < 100; x *= 1.5f) Assert.True(curve.Map(x * 1.5f) > curve.Map(x), $"not increasing at {x}");
    }

    [Fact]
    public void RowsMapLikeSingleValuesAndKeepAlpha()
    {
        var curve = new SigmoidOperation.Curve(new SigmoidParams { Contrast = 2.1 });
        var rng = new Random(5);
        var source = new float[4 * 777];
        for (var i = 0; i < source.Length; i++) source[i] = (i & 3) == 3 ? i : MathF.Exp(rng.NextSingle() * 16 - 10) * (rng.Next(10) == 0 ? -1 : 1);
        source[0] = float.NaN;
        source[1] = 3e35f;
        var target = new float[source.Length];

        curve.MapRgba(source, target, preserveHue: 0);

        for (var i = 0; i < source.Length; i++)
            Assert.Equal((i & 3) == 3 ? source[i] : curve.Map(source[i]), target[i], 1e-6f);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.4)]
    public void HueIsKeptLikeThePixelByPixelRule(double strength)
    {
        var curve = new SigmoidOperation.Curve(new SigmoidParams { Contrast = 1.8 });
        var rng = new Random(7);
        var source = new float[4 * 501];
        for (var i = 0; i < source.Length; i++) source[i] = (i & 3) == 3 ? 1 : MathF.Exp(rng.NextSingle() * 8 - 6);
        source[4] = source[5] = source[6] = 0.3f; // grey: nothing to keep
        source[8] = source[9] = 0.7f;             // a tie for the largest channel
        var target = new float[source.Length];
        var expected = new float[source.Length];

        curve.MapRgba(source, target, (float)strength);

        curve.MapRgba(source, expected, preserveHue: 0);
        for (var i = 0; i < source.Length; i += 4)
            SigmoidOperation.RestoreHue(source[i], source[i + 1], source[i + 2], ref expected[i], ref expected[i + 1], ref expected[i + 2], (float)strength);
        for (var i = 0; i < source.Length; i++)
            Assert.Equal(expected[i], target[i], 2e-6f);
        // Kept hue differs from independent channels somewhere, or the test checks nothing.
        curve.MapRgba(source, expected, preserveHue: 0);
        Assert.Contains(Enumerable.Range(0, source.Length), i => Math.Abs(expected[i] - target[i]) > 1e-3f);
    }
}
