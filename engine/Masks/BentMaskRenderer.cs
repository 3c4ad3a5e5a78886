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
        // Each view column's node cell and place across it: the same for every row.
        var cells = ArrayPool<int>.Shared.Rent(view.Width);
        var across = ArrayPool<double>.Shared.Rent(view.Width);
        try
        {
            for (var x = 0; x < view.Width; x++)
            {
                var (cell, t) = Split(view.Left + x + 0.5, spacing);
                (cells[x], across[x]) = (cell - gx0, t);
            }
            cpu.ForRows(rows, (r0, r1) =>
            {
                for (var r = r0; r < r1; r++)
                    for (var c = 0; c < columns; c++)
                        (nodesX[r * columns + c], nodesY[r * columns + c]) = bend.Apply((gx0 + c) * (double)spacing, (gy0 + r) * (double)spacing);
            }, cancellation);
            var nodes = new Nodes(nodesX, nodesY, columns, gx0, gy0, spacing, extent, cells, across);
            if (nodes.Covering(0, rows - 1) is not { } all)
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
            ArrayPool<int>.Shared.Return(cells);
            ArrayPool<double>.Shared.Return(across);
        }
    }

    private static void RenderBand(CompiledMask compiled, MaskView view, Nodes nodes, int y0, int y1, Span<float> target)
    {
        // Each pixel's point on the drawing grid first (held to the image's extent; NaN where the map gives none), so
        // the band rasterises only the rows and columns its points land between.
        var count = (y1 - y0) * view.Width;
        var pointsX = ArrayPool<float>.Shared.Rent(count);
        var pointsY = ArrayPool<float>.Shared.Rent(count);
        var rowX = ArrayPool<double>.Shared.Rent(nodes.Columns);
        var rowY = ArrayPool<double>.Shared.Rent(nodes.Columns);
        float[]? raster = null;
        RowScratch? scratch = null;
        try
        {
            var extent = nodes.Extent;
            var (minX, minY, maxX, maxY) = (double.MaxValue, double.MaxValue, double.MinValue, double.MinValue);
            for (var y = y0; y < y1; y++)
            {
                var (nodeRow, ty) = Split(view.Top + y + 0.5, nodes.Spacing);
                nodes.InterpolateRow(nodeRow - nodes.Top, ty, rowX, rowY);
                for (var x = 0; x < view.Width; x++)
                {
                    var (c, tx) = (nodes.Cells[x], nodes.Across[x]);
                    var px = rowX[c] + tx * (rowX[c + 1] - rowX[c]);
                    var py = rowY[c] + tx * (rowY[c + 1] - rowY[c]);
                    var at = (y - y0) * view.Width + x;
                    if (!double.IsFinite(px) || !double.IsFinite(py))
                    {
                        pointsX[at] = float.NaN;
                        continue;
                    }
                    (px, py) = (Math.Clamp(px, extent.X0, extent.X1), Math.Clamp(py, extent.Y0, extent.Y1));
                    (pointsX[at], pointsY[at]) = ((float)px, (float)py);
                    (minX, minY, maxX, maxY) = (Math.Min(minX, px), Math.Min(minY, py), Math.Max(maxX, px), Math.Max(maxY, py));
                }
            }
            if (minX > maxX)
            {
                target.Clear();
                return;
            }
            var window = Window.Around(minX, minY, maxX, maxY);
            raster = ArrayPool<float>.Shared.Rent(window.Width * window.Height);
            scratch = new RowScratch(window.Width, compiled.Depth);
            for (var j = 0; j < window.Height; j++)
                compiled.RenderRow(window.Top + j, window.Left, raster.AsSpan(j * window.Width, window.Width), scratch, 0);
            for (var at = 0; at < count; at++)
            {
                if (float.IsNaN(pointsX[at]))
                {
                    target[at] = 0;
                    continue;
                }
                // Pixel centres of the drawing grid lie at i + 0.5: read the four around the point.
                var u = pointsX[at] - 0.5f - window.Left;
                var v = pointsY[at] - 0.5f - window.Top;
                var (i, k) = (Math.Clamp((int)MathF.Floor(u), 0, window.Width - 2), Math.Clamp((int)MathF.Floor(v), 0, window.Height - 2));
                var (fu, fv) = (u - i, v - k);
                var row = k * window.Width + i;
                var top = raster[row] + fu * (raster[row + 1] - raster[row]);
                var bottom = raster[row + window.Width] + fu * (raster[row + window.Width + 1] - raster[row + window.Width]);
                target[at] = top + fv * (bottom - top);
            }
        }
        finally
        {
            scratch?.Return();
            if (raster is not null) ArrayPool<float>.Shared.Return(raster);
            ArrayPool<float>.Shared.Return(pointsX);
            ArrayPool<float>.Shared.Return(pointsY);
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

    private readonly record struct Window(int Left, int Top, int Width, int Height)
    {
        /// <summary>The drawing-grid pixels bilinear reads for points within these bounds: the pixel centres on either side.</summary>
        public static Window Around(double x0, double y0, double x1, double y1)
        {
            var (left, top) = ((int)Math.Floor(x0 - 0.5), (int)Math.Floor(y0 - 0.5));
            var (right, bottom) = ((int)Math.Floor(x1 - 0.5) + 1, (int)Math.Floor(y1 - 0.5) + 1);
            return new Window(left, top, right - left + 1, bottom - top + 1);
        }
    }

    /// <summary>The bend at the nodes, row-major from node (<see cref="Left"/>, <see cref="Top"/>).</summary>
    private sealed class Nodes(double[] x, double[] y, int columns, int left, int top, int spacing, (double X0, double Y0, double X1, double Y1) extent,
        int[] cells, double[] across)
    {
        /// <summary>Each view column's node column (from <see cref="Left"/>) and its place across the cell.</summary>
        public int[] Cells => cells;
        public double[] Across => across;

        public int Spacing => spacing;
        public int Columns => columns;
        public int Left => left;
        public int Top => top;
        public (double X0, double Y0, double X1, double Y1) Extent => extent;

        /// <summary>
        /// The drawing-grid pixels that points interpolated between node rows <paramref name="first"/> and
        /// <paramref name="last"/> read, held to the image's extent; null when no node maps to a finite point.
        /// </summary>
        public Window? Covering(int first, int last)
        {
            var (x0, y0, x1, y1) = (double.MaxValue, double.MaxValue, double.MinValue, double.MinValue);
            for (var i = first * columns; i < (last + 1) * columns; i++)
            {
                if (!double.IsFinite(x[i]) || !double.IsFinite(y[i])) continue;
                (x0, y0, x1, y1) = (Math.Min(x0, x[i]), Math.Min(y0, y[i]), Math.Max(x1, x[i]), Math.Max(y1, y[i]));
            }
            // A convex combination of nodes stays within their bounds.
            return x0 > x1 ? null : Window.Around(Math.Clamp(x0, extent.X0, extent.X1), Math.Clamp(y0, extent.Y0, extent.Y1),
                Math.Clamp(x1, extent.X0, extent.X1), Math.Clamp(y1, extent.Y0, extent.Y1));
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
