using RawEngine.Engine.Masks.Vectorize;

namespace RawEngine.Tests.Masks.Vectorize;

public sealed class IsoContourTracerTests
{
    private static TracedContours Trace(float[] mask, int width, int height)
    {
        var traced = new TracedContours();
        IsoContourTracer.Trace(mask, width, height, 0.5f, traced);
        return traced;
    }

    [Fact]
    public void Nested_rings_form_a_chain_of_outer_boundaries_and_holes()
    {
        // Concentric squares alternating mask and background, sides 100, 80 (hole), 60, 40 (hole), 20.
        const int size = 120;
        var mask = new float[size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var ring = Math.Max(Math.Abs(x - 59.5), Math.Abs(y - 59.5));
                mask[y * size + x] = ring < 50 && (int)(ring / 10) % 2 == 0 ? 1 : 0;
            }
        using var traced = Trace(mask, size, size);

        var contours = traced.Contours;
        Assert.Equal(5, contours.Count);
        for (var i = 0; i < contours.Count; i++)
        {
            Assert.Equal(i - 1, contours[i].Parent);
            Assert.Equal(i % 2 == 0, contours[i].IsOuter);
            // Each traced square runs along pixel edges and cuts its four corners by an eighth of a pixel.
            var side = 100 - 20 * i;
            Assert.Equal(side * side - 0.5, contours[i].Area, 9);
        }
    }

    [Fact]
    public void Sub_pixel_crossings_follow_the_soft_values_and_saddles_follow_the_cell_mean()
    {
        // Two pixels touching diagonally: apart while the cell between them is dim on average, one
        // region once its mean reaches the level.
        const int width = 6, height = 6;
        var mask = new float[width * height];
        mask[2 * width + 2] = 0.9f;
        mask[3 * width + 3] = 0.9f;
        using (var apart = Trace(mask, width, height))
            Assert.Equal(2, apart.Contours.Count);
        mask[2 * width + 3] = 0.3f;
        mask[3 * width + 2] = 0.3f;
        using var joined = Trace(mask, width, height);
        var contour = Assert.Single(joined.Contours);
        Assert.True(contour.IsOuter);
        // Between (2, 2) = 0.9 and (3, 2) = 0.3 the level 0.5 lies 2/3 of the way, on the row of centres y = 2.5.
        Assert.Contains(joined.Vertices(contour).ToArray(), p => Math.Abs(p.Y - 2.5) < 1e-9 && Math.Abs(p.X - (2.5 + 2.0 / 3)) < 1e-6);
    }
}
