using RawEngine.Engine.Masks;

namespace RawEngine.Tests.Masks;

public class MaskRasterizerTests
{
    private static float[] Render(MaskNode node, MaskView view)
    {
        var coverage = new float[view.Width * view.Height];
        MaskRasterizer.Render(node, view, coverage);
        return coverage;
    }

    private static double Area(float[] coverage) => coverage.Sum(v => (double)v);

    private static MaskGroup Group(string id, params GroupMember[] members) => new(id, members);

    /// <summary>Shoelace area of a polygon given in pixels.</summary>
    private static double PolygonArea((double X, double Y)[] p)
    {
        var area = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var (a, b) = (p[i], p[(i + 1) % p.Length]);
            area += a.X * b.Y - b.X * a.Y;
        }
        return Math.Abs(area) / 2;
    }

    [Theory]
    [InlineData(300, 200)]
    [InlineData(157, 263)]
    public void APolygonPathCoversItsArea(int width, int height)
    {
        // An irregular concave polygon (a star), straight segments: corners whose controls are the anchors.
        var pixels = Enumerable.Range(0, 14).Select(k =>
        {
            var angle = k * Math.PI / 7 + 0.3;
            var radius = (k % 2 == 0 ? 0.42 : 0.2) * Math.Min(width, height);
            return (X: width * 0.52 + radius * Math.Cos(angle), Y: height * 0.47 + radius * Math.Sin(angle));
        }).ToArray();
        var path = new PathForm(pixels.Select(p => PathNode.Corner(p.X / width, p.Y / height)).ToArray());
        var coverage = Render(path, MaskView.Image(width, height));
        var expected = PolygonArea(pixels);
        Assert.InRange(Area(coverage) / expected, 0.995, 1.005);
        Assert.All(coverage, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(1f, coverage[(int)(height * 0.47) * width + (int)(width * 0.52)]);
        Assert.Equal(0f, coverage[0]);
    }

    [Fact]
    public void ABezierPathCoversTheAreaGreensTheoremGives()
    {
        const int width = 320, height = 240;
        // A blob of four curved segments with asymmetric controls.
        PathNode Node(double x, double y, double dx, double dy, double scaleIn) =>
            new(new MaskPoint(x, y), new MaskPoint(x - dx * scaleIn, y - dy * scaleIn), new MaskPoint(x + dx, y + dy));
        var path = new PathForm([
            Node(0.5, 0.15, 0.25, 0.02, 1.0), Node(0.85, 0.5, 0.03, 0.3, 0.6), Node(0.45, 0.85, -0.3, 0.0, 1.2), Node(0.2, 0.45, 0.05, -0.25, 0.8),
        ]);
        // Green's theorem: area = 1/2 |sum of the integral of (x y' - y x') dt|, exact with 3-point Gauss-Legendre (degree 5 integrand).
        double[] nodes = [-Math.Sqrt(0.6), 0, Math.Sqrt(0.6)];
        double[] weights = [5.0 / 9, 8.0 / 9, 5.0 / 9];
        var area = 0.0;
        for (var i = 0; i < path.Nodes.Count; i++)
        {
            var (a, b) = (path.Nodes[i], path.Nodes[(i + 1) % path.Nodes.Count]);
            (double X, double Y)[] p = [(a.Anchor.X * width, a.Anchor.Y * height), (a.ControlOut.X * width, a.ControlOut.Y * height),
                (b.ControlIn.X * width, b.ControlIn.Y * height), (b.Anchor.X * width, b.Anchor.Y * height)];
            for (var g = 0; g < 3; g++)
            {
                var t = (nodes[g] + 1) / 2;
                var s = 1 - t;
                var x = s * s * s * p[0].X + 3 * s * s * t * p[1].X + 3 * s * t * t * p[2].X + t * t * t * p[3].X;
                var y = s * s * s * p[0].Y + 3 * s * s * t * p[1].Y + 3 * s * t * t * p[2].Y + t * t * t * p[3].Y;
                var dx = 3 * (s * s * (p[1].X - p[0].X) + 2 * s * t * (p[2].X - p[1].X) + t * t * (p[3].X - p[2].X));
                var dy = 3 * (s * s * (p[1].Y - p[0].Y) + 2 * s * t * (p[2].Y - p[1].Y) + t * t * (p[3].Y - p[2].Y));
                area += weights[g] / 2 * (x * dy - y * dx) / 2;
            }
        }
        var coverage = Render(path, MaskView.Image(width, height));
        Assert.InRange(Area(coverage) / Math.Abs(area), 0.995, 1.005);
    }

    [Theory]
    [InlineData(400, 250, 0.3, 0.3, 0)]
    [InlineData(400, 250, 0.35, 0.12, 33)]
    [InlineData(180, 320, 0.2, 0.4, -70)]
    public void AnEllipseCoversPiAB(int width, int height, double rx, double ry, double rotation)
    {
        var shorter = Math.Min(width, height);
        var coverage = Render(new EllipseForm(new MaskPoint(0.5, 0.5), rx, ry, rotation), MaskView.Image(width, height));
        Assert.InRange(Area(coverage) / (Math.PI * rx * ry * shorter * shorter), 0.995, 1.005);
    }

    [Fact]
    public void EqualRadiiMakeARoundCircleOnAWideImage()
    {
        const int width = 400, height = 200;
        var coverage = Render(new EllipseForm(new MaskPoint(0.5, 0.5), 0.25, 0.25), MaskView.Image(width, height));
        // Radius 0.25 of the shorter side = 50 px both across and down.
        var across = Enumerable.Range(0, width).Sum(x => (double)coverage[100 * width + x]);
        var down = Enumerable.Range(0, height).Sum(y => (double)coverage[y * width + 200]);
        Assert.InRange(across, 99, 101);
        Assert.InRange(down, 99, 101);
    }

    [Fact]
    public void RotationTurnsCounterClockwise()
    {
        const int size = 200;
        // A long thin ellipse turned 45 degrees counter-clockwise points up-right as seen (y down).
        var coverage = Render(new EllipseForm(new MaskPoint(0.5, 0.5), 0.4, 0.05, 45), MaskView.Image(size, size));
        Assert.Equal(1f, coverage[50 * size + 150]);
        Assert.Equal(0f, coverage[150 * size + 150]);
    }

    [Fact]
    public void FeatherSoftensTheEdgeAroundTheOutline()
    {
        const int size = 200;
        var coverage = Render(new EllipseForm(new MaskPoint(0.5, 0.5), 0.25, 0.25) { Feather = 0.1 }, MaskView.Image(size, size));
        // Outline at x = 150 on the middle row; the 20 px soft edge runs from 140 to 160.
        float At(int x) => coverage[100 * size + x];
        Assert.Equal(1f, At(138));
        Assert.InRange(At(149), 0.5f, 0.65f);
        Assert.InRange(At(150), 0.35f, 0.5f);
        Assert.Equal(0f, At(161));
        for (var x = 139; x < 162; x++) Assert.True(At(x) <= At(x - 1), $"coverage rises at {x}");
    }

    [Fact]
    public void AGradientMasksTheSideItsAnglePointsTo()
    {
        const int size = 100;
        var up = Render(new GradientForm(new MaskPoint(0.5, 0.5), 90) { Feather = 0.2 }, MaskView.Image(size, size));
        Assert.Equal(1f, up[5 * size + 50]);
        Assert.Equal(0f, up[95 * size + 50]);
        Assert.Equal(0.5f, up[49 * size + 10] + up[50 * size + 10] - 0.5f, 3);
        var right = Render(new GradientForm(new MaskPoint(0.3, 0.5), 0), MaskView.Image(size, size));
        Assert.Equal(0f, right[50 * size + 28]);
        Assert.Equal(1f, right[50 * size + 31]);
        Assert.InRange(Area(right), 69.5 * size, 70.5 * size);
    }

    [Fact]
    public void ABrushStrokeCoversItsCapsule()
    {
        const int width = 300, height = 200;
        var stroke = new BrushForm([new BrushPoint(new MaskPoint(0.25, 0.5), 0.1), new BrushPoint(new MaskPoint(0.75, 0.5), 0.1)]);
        var coverage = Render(stroke, MaskView.Image(width, height));
        // Radius 20 px, length 150 px: two half discs and a rectangle.
        Assert.InRange(Area(coverage) / (Math.PI * 20 * 20 + 40 * 150), 0.995, 1.005);
        var soft = Render(new BrushForm([new BrushPoint(new MaskPoint(0.5, 0.5), 0.2, 0.5)]), MaskView.Image(width, height));
        Assert.Equal(1f, soft[100 * width + 150 + 19]);
        Assert.InRange(soft[100 * width + 150 + 30], 0.2f, 0.8f);
        Assert.Equal(0f, soft[100 * width + 150 + 41]);
    }

    [Fact]
    public void ARasterIsSampledOverTheWholeImage()
    {
        var bytes = new byte[4 * 2];
        bytes[1] = 255;
        bytes[6] = 128;
        var raster = new RasterForm(4, 2, bytes) { Opacity = 0.5 };
        var same = Render(raster, MaskView.Image(4, 2));
        Assert.Equal(bytes.Select(b => b / 255f * 0.5f).ToArray(), same, new FloatTolerance(1e-6f));
        var doubled = Render(raster, MaskView.Image(8, 4));
        // Pixels 2 and 3 sit a quarter texel either side of texel 1 (255): three quarters of it, at opacity 0.5.
        Assert.Equal(0.375f, doubled[2], 5);
        Assert.Equal(0.375f, doubled[3], 5);
        Assert.Equal(0f, doubled[0]);
    }

    [Fact]
    public void GroupsFollowSetAlgebraOnHardMasks()
    {
        const int width = 37, height = 23;
        var random = new Random(7);
        bool[] Bits() => Enumerable.Range(0, width * height).Select(_ => random.Next(2) == 1).ToArray();
        RasterForm Raster(bool[] bits) => new(width, height, bits.Select(b => b ? (byte)255 : (byte)0).ToArray());
        var (a, b, c) = (Bits(), Bits(), Bits());
        var view = MaskView.Image(width, height);
        void Check(MaskGroup group, Func<bool, bool, bool, bool> expected)
        {
            var coverage = Render(group, view);
            for (var i = 0; i < coverage.Length; i++)
                Assert.Equal(expected(a[i], b[i], c[i]) ? 1f : 0f, coverage[i]);
        }
        GroupMember M(bool[] bits, CombineMode mode = CombineMode.Union, bool inverted = false) => new(Raster(bits), mode, inverted);
        Check(Group("u", M(a), M(b), M(c)), (x, y, z) => x || y || z);
        Check(Group("i", M(a), M(b, CombineMode.Intersection)), (x, y, _) => x && y);
        Check(Group("d", M(a), M(b, CombineMode.Difference)), (x, y, _) => x && !y);
        Check(Group("x", M(a), M(b, CombineMode.Exclusion)), (x, y, _) => x ^ y);
        Check(Group("n", M(a, inverted: true), M(b, CombineMode.Intersection)), (x, y, _) => !x && y);
        Check(Group("g", M(a), new GroupMember(Group("inner", M(b), M(c, CombineMode.Intersection)), CombineMode.Difference)), (x, y, z) => x && !(y && z));
        Check(Group("v", M(a), M(b)) with { Inverted = true }, (x, y, _) => !(x || y));
    }

    [Fact]
    public void GroupOpacityAndFormOpacityScaleCoverage()
    {
        var view = MaskView.Image(50, 50);
        var group = Group("g", new GroupMember(new GradientForm(new MaskPoint(0, 0.5), 0) { Opacity = 0.5 })) with { Opacity = 0.5 };
        Assert.All(Render(group, view), v => Assert.Equal(0.25f, v));
    }

    [Fact]
    public void AWindowRendersExactlyItsPartOfTheView()
    {
        var view = MaskView.Image(211, 137);
        var mask = Group("w",
            new GroupMember(new EllipseForm(new MaskPoint(0.4, 0.5), 0.3, 0.2, 20) { Feather = 0.05 }),
            new GroupMember(new PathForm([PathNode.Corner(0.5, 0.1), new PathNode(new MaskPoint(0.9, 0.5), new MaskPoint(0.9, 0.3), new MaskPoint(0.9, 0.7)), PathNode.Corner(0.5, 0.9)]) { Feather = 0.02 }, CombineMode.Exclusion),
            new GroupMember(new BrushForm([new BrushPoint(new MaskPoint(0.1, 0.1), 0.05, 0.3), new BrushPoint(new MaskPoint(0.3, 0.9), 0.1)])));
        var whole = Render(mask, view);
        var (left, top, width, height) = (57, 31, 101, 64);
        var window = Render(mask, view.Window(left, top, width, height));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                Assert.Equal(whole[(top + y) * view.Width + left + x], window[y * width + x]);
    }

    [Fact]
    public void ATurnedViewShowsTheMaskTurned()
    {
        // The image is 120 x 80; a view of it turned a quarter (orientation 6) is 80 x 120.
        const int width = 120, height = 80;
        var mask = new PathForm([PathNode.Corner(0.1, 0.2), PathNode.Corner(0.4, 0.2), PathNode.Corner(0.4, 0.5), PathNode.Corner(0.1, 0.5)]);
        var upright = Render(mask, MaskView.Image(width, height));
        var turned = MaskView.Image(width, height) with { Width = height, Height = width, PixelToImage = Affine2.FromOriented(6, width, height).Then(Affine2.Scaling(1.0 / width, 1.0 / height)) };
        var shown = Render(mask, turned);
        for (var y = 0; y < width; y++)
            for (var x = 0; x < height; x++)
                Assert.Equal(upright[(height - 1 - x) * width + y], shown[y * height + x]);
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public void OrientedPixelsConvertBothWays(int orientation)
    {
        const int width = 60, height = 40;   // the oriented image
        var point = MaskCoordinates.FromOrientedPixel(12.5, 30.25, width, height, orientation);
        Assert.InRange(point.X, 0, 1);
        Assert.InRange(point.Y, 0, 1);
        var (x, y) = MaskCoordinates.ToOrientedPixel(point, width, height, orientation);
        Assert.Equal(12.5, x, 9);
        Assert.Equal(30.25, y, 9);
        if (orientation == 1) Assert.Equal(new MaskPoint(12.5 / 60, 30.25 / 40), point);
        // Orientation 6 shows the stored image turned clockwise: the oriented top-left corner is the stored bottom-left.
        if (orientation == 6) Assert.Equal(new MaskPoint(0, 1), MaskCoordinates.FromOrientedPixel(0, 0, width, height, 6));
    }

    [Fact]
    public void BadFormsNameWhatIsWrong()
    {
        var view = MaskView.Image(10, 10);
        var error = Assert.Throws<ArgumentException>(() => Render(Group("g", new GroupMember(new EllipseForm(new MaskPoint(0.5, 0.5), -1, 0.1))), view));
        Assert.Contains("group 'g' member 0 ellipse radius_x is -1", error.Message);
        error = Assert.Throws<ArgumentException>(() => Render(new RasterForm(3, 3, new byte[4]), view));
        Assert.Contains("raster holds 4 bytes, not 3x3", error.Message);
        error = Assert.Throws<ArgumentException>(() => Render(new PathForm([PathNode.Corner(0, 0)]), view));
        Assert.Contains("a closed path needs at least 2", error.Message);
        Assert.Throws<ArgumentException>(() => MaskRasterizer.Render(new GradientForm(default, 0), view, new float[99]));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
