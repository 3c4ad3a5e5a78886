using System.Buffers;
using RawEngine.Engine.Compute;

namespace RawEngine.Engine.Masks;

/// <summary>
/// Renders a view whose pixels reach the image through a map that bends (<see cref="MaskView.Bend"/>): the mask is
/// rasterised on the drawing grid, where the map to the image is affine and the rasteriser exact, and each view pixel
/// reads it bilinearly at its own point there. The bend is evaluated on nodes a few view pixels apart, anchored to the
/// view's whole grid, and interpolated bilinearly between them; a pixel's value so depends only on its grid position
/// (windows and tiles agree). The interpolation is off by spacing^2 / 8 times the map's curvature, which for a lens
/// is about its distortion over the frame's size: the spacing grows as the square root of the frame's diagonal
/// (3 px at 600 x 400, 13 px at 24 MP), holding that to a few hundredths of a pixel for a strong barrel.
/// Bands of rows render in parallel, each reading only the part of the drawing grid its pixels land on.
/// </summary>
internal static class BentMaskRenderer
{
    private const int BandRows = 32;

    public static unsafe void Render(MaskNode node, MaskView view, PointMap bend, Span<float> coverage, CpuCompute cpu, CancellationToken cancellation)
    {
        var drawing = view with { Bend = null };
        var extent = ImageExtent(drawing.PixelToImage);
        var spacing = Math.Clamp((int)Math.Sqrt(Math.Sqrt(Math.Pow(extent.X1 - extent.X0, 2) + Math.Pow(extent.Y1 - extent.Y0, 2)) / 38), 2, 16);
        var (gx0, gy0) = (FloorDiv(view.Left, spacing), FloorDiv(view.Top, spacing));
        var (columns, rows) = (FloorDiv(view.Left + view.Width, spacing) + 2 - gx0, FloorDiv(view.Top + view.Height, spacing) + 2 - gy0);
        var nodesX = ArrayPool<double>.Shared.Rent(columns * rows);
        var nodesY = ArrayPool<double>.Shared.Rent(columns * rows);
        try
        {
            cpu.ForRows(rows, (r0, r1) =>
            {
                for (var r = r0; r < r1; r++)
                    for (var c = 0; c < columns; c++)
                        (nodesX[r * columns + c], nodesY[r * columns + c]) = bend.Apply((gx0 + c) * (double)spacing, (gy0 + r) * (double)spacing);
            }, cancellation);
            var nodes = new Nodes(nodesX, nodesY, columns, gx0, gy0, spacing, extent);
            if (nodes.Window(0, rows - 1) is not { } all)
            {
                coverage[..(view.Width * view.Height)].Clear();
                return;
            }
            // Compiled once for the part of the drawing grid any band reads (paths bucket the rows of their view).
            var compiled = MaskRasterizer.Compile(node, drawing.Window(all.Left, all.Top, all.Width, all.Height), "mask");
            var bands = (view.Height + BandRows - 1) / BandRows;
            fixed (float* start = coverage)
            {
                var address = (nint)start;
                cpu.ForRows(bands, (b0, b1) =>
                {
                    for (var b = b0; b < b1; b++)
                    {
                        var y0 = b * BandRows;
                        var y1 = Math.Min(view.Height, y0 + BandRows);
                        var target = new Span<float>((float*)address + (long)y0 * view.Width, (y1 - y0) * view.Width);
                        RenderBand(compiled, view, nodes, y0, y1, target);
                    }
                }, cancellation);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(nodesX);
            ArrayPool<double>.Shared.Return(nodesY);
        }
    }

    private static void RenderBand(CompiledMask compiled, MaskView view, Nodes nodes, int y0, int y1, Span<float> target)
    {
        var firstRow = FloorDiv(view.Top + y0, nodes.Spacing) - nodes.Top;
        var lastRow = FloorDiv(view.Top + y1 - 1, nodes.Spacing) - nodes.Top + 1;
        if (nodes.Window(firstRow, lastRow) is not { } window)
        {
            target.Clear();
            return;
        }
        var raster = ArrayPool<float>.Shared.Rent(window.Width * window.Height);
        var rowX = ArrayPool<double>.Shared.Rent(nodes.Columns);
        var rowY = ArrayPool<double>.Shared.Rent(nodes.Columns);
        var scratch = new RowScratch(window.Width, compiled.Depth);
        try
        {
            for (var j = 0; j < window.Height; j++)
                compiled.RenderRow(window.Top + j, window.Left, raster.AsSpan(j * window.Width, window.Width), scratch, 0);
            var extent = nodes.Extent;
            for (var y = y0; y < y1; y++)
            {
                var (nodeRow, ty) = Split(view.Top + y + 0.5, nodes.Spacing);
                nodes.InterpolateRow(nodeRow - nodes.Top, ty, rowX, rowY);
                var output = target.Slice((y - y0) * view.Width, view.Width);
                for (var x = 0; x < view.Width; x++)
                {
                    var (nodeColumn, tx) = Split(view.Left + x + 0.5, nodes.Spacing);
                    var c = nodeColumn - nodes.Left;
                    var px = rowX[c] + tx * (rowX[c + 1] - rowX[c]);
                    var py = rowY[c] + tx * (rowY[c + 1] - rowY[c]);
                    if (!double.IsFinite(px) || !double.IsFinite(py))
                    {
                        output[x] = 0;
                        continue;
                    }
                    // Pixel centres of the drawing grid lie at i + 0.5: read the four around the point.
                    var u = Math.Clamp(px, extent.X0, extent.X1) - 0.5 - window.Left;
                    var v = Math.Clamp(py, extent.Y0, extent.Y1) - 0.5 - window.Top;
                    var (i, k) = (Math.Clamp((int)Math.Floor(u), 0, window.Width - 2), Math.Clamp((int)Math.Floor(v), 0, window.Height - 2));
                    var (fu, fv) = ((float)(u - i), (float)(v - k));
                    var top = raster[k * window.Width + i] + fu * (raster[k * window.Width + i + 1] - raster[k * window.Width + i]);
                    var bottom = raster[(k + 1) * window.Width + i] + fu * (raster[(k + 1) * window.Width + i + 1] - raster[(k + 1) * window.Width + i]);
                    output[x] = top + fv * (bottom - top);
                }
            }
        }
        finally
        {
            scratch.Return();
            ArrayPool<float>.Shared.Return(raster);
            ArrayPool<double>.Shared.Return(rowX);
            ArrayPool<double>.Shared.Return(rowY);
        }
    }

    private static int FloorDiv(int value, int spacing) => (int)Math.Floor(value / (double)spacing);

    /// <summary>The node cell a continuous coordinate falls in and its place across the cell.</summary>
    private static (int Node, double Fraction) Split(double coordinate, int spacing)
    {
        var node = (int)Math.Floor(coordinate / spacing);
        return (node, (coordinate - node * (double)spacing) / spacing);
    }

    /// <summary>The image [0, 1]^2 in drawing-grid coordinates: points beyond it read its edge, so no band reads further.</summary>
    private static (double X0, double Y0, double X1, double Y1) ImageExtent(Affine2 pixelToImage)
    {
        var toPixel = pixelToImage.Inverse();
        var (x0, y0, x1, y1) = (double.MaxValue, double.MaxValue, double.MinValue, double.MinValue);
        foreach (var (u, v) in new[] { (0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0) })
        {
            var (x, y) = toPixel.Apply(u, v);
            (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x), Math.Max(y1, y));
        }
        return (x0, y0, x1, y1);
    }

    private readonly record struct Window(int Left, int Top, int Width, int Height);

    /// <summary>The bend at the nodes, row-major from node (<see cref="Left"/>, <see cref="Top"/>).</summary>
    private sealed class Nodes(double[] x, double[] y, int columns, int left, int top, int spacing, (double X0, double Y0, double X1, double Y1) extent)
    {
        public int Spacing => spacing;
        public int Columns => columns;
        public int Left => left;
        public int Top => top;
        public (double X0, double Y0, double X1, double Y1) Extent => extent;

        /// <summary>
        /// The drawing-grid pixels that points interpolated between node rows <paramref name="first"/> and
        /// <paramref name="last"/> read, held to the image's extent; null when no node maps to a finite point.
        /// </summary>
        public Window? Window(int first, int last)
        {
            var (x0, y0, x1, y1) = (double.MaxValue, double.MaxValue, double.MinValue, double.MinValue);
            for (var i = first * columns; i < (last + 1) * columns; i++)
            {
                if (!double.IsFinite(x[i]) || !double.IsFinite(y[i])) continue;
                (x0, y0, x1, y1) = (Math.Min(x0, x[i]), Math.Min(y0, y[i]), Math.Max(x1, x[i]), Math.Max(y1, y[i]));
            }
            if (x0 > x1) return null;
            // A convex combination of nodes stays within their bounds; bilinear reads the pixel centre on either side.
            var left = (int)Math.Floor(Math.Clamp(x0, extent.X0, extent.X1) - 0.5);
            var right = (int)Math.Floor(Math.Clamp(x1, extent.X0, extent.X1) - 0.5) + 1;
            var upper = (int)Math.Floor(Math.Clamp(y0, extent.Y0, extent.Y1) - 0.5);
            var lower = (int)Math.Floor(Math.Clamp(y1, extent.Y0, extent.Y1) - 0.5) + 1;
            return new Window(left, upper, right - left + 1, lower - upper + 1);
        }

        /// <summary>Node row <paramref name="row"/> and the next mixed at <paramref name="t"/>, for every node column.</summary>
        public void InterpolateRow(int row, double t, double[] rowX, double[] rowY)
        {
            for (var c = 0; c < columns; c++)
            {
                var (a, b) = (row * columns + c, (row + 1) * columns + c);
                rowX[c] = x[a] + t * (x[b] - x[a]);
                rowY[c] = y[a] + t * (y[b] - y[a]);
            }
        }
    }
}
