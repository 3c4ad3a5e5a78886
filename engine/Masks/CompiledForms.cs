namespace RawEngine.Engine.Masks;

/// <summary>An ellipse: signed distance to the outline from the implicit function's first-order expansion (exact for circles).</summary>
internal sealed class CompiledEllipse : CompiledMask
{
    private readonly Affine2 _pixelToLocal;
    private readonly double _a, _b, _inverseA2, _inverseB2, _pixelsPerUnit;
    private readonly EdgeProfile _edge;
    private readonly float _opacity;
    private readonly double _y0, _y1, _outerScale, _innerScale;

    public CompiledEllipse(EllipseForm form, MaskView view, string what)
    {
        what = $"{what} ellipse";
        FormChecks.Common(form, what);
        FormChecks.Finite(form.Center, $"{what} centre");
        FormChecks.Positive(form.RadiusX, $"{what} radius_x");
        FormChecks.Positive(form.RadiusY, $"{what} radius_y");
        if (!double.IsFinite(form.RotationDegrees)) throw new ArgumentException($"{what} rotation is {form.RotationDegrees}.");
        var toIsotropic = view.PixelToIsotropic;
        var unitsPerPixel = Math.Sqrt(Math.Abs(toIsotropic.Determinant));
        _pixelsPerUnit = 1 / unitsPerPixel;
        var (cx, cy) = view.ImageToIsotropic.Apply(form.Center.X, form.Center.Y);
        // Counter-clockwise as seen, with y pointing down: the local X axis is (cos, -sin).
        var angle = form.RotationDegrees * Math.PI / 180;
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        _pixelToLocal = toIsotropic.Then(Affine2.Translation(-cx, -cy)).Then(new Affine2(cos, -sin, sin, cos, 0, 0));
        (_a, _b) = (form.RadiusX, form.RadiusY);
        (_inverseA2, _inverseB2) = (1 / (_a * _a), 1 / (_b * _b));
        _edge = new EdgeProfile(form.Feather * _pixelsPerUnit);
        _opacity = (float)form.Opacity;

        // Scaling the ellipse by 1 +- r / min(a, b) moves every point of its outline at least r out or in
        // (its support function grows by at least r), so these bound the soft edge; a pixel's margin added.
        var reach = _edge.HalfWidth * unitsPerPixel + unitsPerPixel;
        _outerScale = 1 + reach / Math.Min(_a, _b);
        _innerScale = 1 - reach / Math.Min(_a, _b);
        var toPixel = _pixelToLocal.Inverse();
        (_y0, _y1) = (double.MaxValue, double.MinValue);
        foreach (var (lx, ly) in new[] { (-1, -1), (1, -1), (-1, 1), (1, 1) })
        {
            var (_, py) = toPixel.Apply(lx * _a * _outerScale, ly * _b * _outerScale);
            (_y0, _y1) = (Math.Min(_y0, py), Math.Max(_y1, py));
        }
    }

    public override void RenderRow(int row, int left, Span<float> target, RowScratch scratch, int level)
    {
        target.Clear();
        var y = row + 0.5;
        if (y < _y0 || y > _y1) return;
        // Only the band around the outline is evaluated: inside the inner ellipse every pixel is
        // covered, outside the outer one none is (both hold the soft edge's half width off the outline).
        var (outerStart, outerEnd) = Span(y, _outerScale, left, target.Length);
        if (outerStart >= outerEnd) return;
        var (innerStart, innerEnd) = _innerScale > 0 ? Span(y, _innerScale, left, target.Length) : (0, 0);
        if (innerStart >= innerEnd) (innerStart, innerEnd) = (outerEnd, outerEnd);
        Evaluate(y, outerStart, innerStart, left, target);
        target[(innerStart - left)..(innerEnd - left)].Fill(_opacity);
        Evaluate(y, innerEnd, outerEnd, left, target);
    }

    /// <summary>The columns [start, end) whose pixel centres on row centre <paramref name="y"/> lie inside the ellipse scaled by <paramref name="scale"/>, clipped to the target.</summary>
    private (int Start, int End) Span(double y, double scale, int left, int length)
    {
        // Along the row, local = p + x d; solve |local / (scale * radii)|^2 = 1 for x.
        var m = _pixelToLocal;
        var (px, py) = (m.M12 * y + m.OffsetX, m.M22 * y + m.OffsetY);
        var (ia, ib) = (_inverseA2 / (scale * scale), _inverseB2 / (scale * scale));
        var a = m.M11 * m.M11 * ia + m.M21 * m.M21 * ib;
        var b = 2 * (px * m.M11 * ia + py * m.M21 * ib);
        var c = px * px * ia + py * py * ib - 1;
        var discriminant = b * b - 4 * a * c;
        if (discriminant < 0 || a <= 0) return (left, left);
        var root = Math.Sqrt(discriminant);
        var (x0, x1) = ((-b - root) / (2 * a), (-b + root) / (2 * a));
        var start = Math.Clamp((int)Math.Ceiling(x0 - 0.5), left, left + length);
        var end = Math.Clamp((int)Math.Floor(x1 - 0.5) + 1, start, left + length);
        return (start, end);
    }

    private void Evaluate(double y, int start, int end, int left, Span<float> target)
    {
        var m = _pixelToLocal;
        for (var i = start; i < end; i++)
        {
            var x = i + 0.5;
            var lx = m.M11 * x + m.M12 * y + m.OffsetX;
            var ly = m.M21 * x + m.M22 * y + m.OffsetY;
            var k0 = Math.Sqrt(lx * lx * _inverseA2 + ly * ly * _inverseB2);
            var gx = lx * _inverseA2;
            var gy = ly * _inverseB2;
            var k1 = Math.Sqrt(gx * gx + gy * gy);
            // Inside is positive; the centre itself (k1 = 0) is as deep as the shorter radius.
            var inside = k1 > 1e-300 ? k0 * (1 - k0) / k1 : Math.Min(_a, _b);
            target[i - left] = _edge.Coverage(inside * _pixelsPerUnit) * _opacity;
        }
    }
}

/// <summary>A linear gradient: coverage from the signed distance to its line.</summary>
internal sealed class CompiledGradient : CompiledMask
{
    private readonly Affine2 _pixelToDistance;
    private readonly EdgeProfile _edge;
    private readonly float _opacity;

    public CompiledGradient(GradientForm form, MaskView view, string what)
    {
        what = $"{what} gradient";
        FormChecks.Common(form, what);
        FormChecks.Finite(form.Anchor, $"{what} anchor");
        if (!double.IsFinite(form.AngleDegrees)) throw new ArgumentException($"{what} angle is {form.AngleDegrees}.");
        var toIsotropic = view.PixelToIsotropic;
        var pixelsPerUnit = 1 / Math.Sqrt(Math.Abs(toIsotropic.Determinant));
        var (ax, ay) = view.ImageToIsotropic.Apply(form.Anchor.X, form.Anchor.Y);
        var angle = form.AngleDegrees * Math.PI / 180;
        var (dx, dy) = (Math.Cos(angle) * pixelsPerUnit, -Math.Sin(angle) * pixelsPerUnit);
        _pixelToDistance = toIsotropic.Then(new Affine2(dx, dy, 0, 0, -(dx * ax + dy * ay), 0));
        _edge = new EdgeProfile(form.Feather * pixelsPerUnit);
        _opacity = (float)form.Opacity;
    }

    public override void RenderRow(int row, int left, Span<float> target, RowScratch scratch, int level)
    {
        var m = _pixelToDistance;
        var rowStart = m.M12 * (row + 0.5) + m.OffsetX;
        var (start, end) = (left, left + target.Length);
        if (Math.Abs(m.M11) > 1e-12)
        {
            // The distance is linear along the row: constant 0 or 1 outside the band |d| < half width.
            var x0 = (-_edge.HalfWidth - rowStart) / m.M11 - 0.5;
            var x1 = (_edge.HalfWidth - rowStart) / m.M11 - 0.5;
            start = Math.Clamp((int)Math.Floor(Math.Min(x0, x1)) - 1, left, left + target.Length);
            end = Math.Clamp((int)Math.Ceiling(Math.Max(x0, x1)) + 2, start, left + target.Length);
            var (before, after) = m.M11 > 0 ? (0f, _opacity) : (_opacity, 0f);
            target[..(start - left)].Fill(before);
            target[(end - left)..].Fill(after);
        }
        for (var i = start; i < end; i++)
            target[i - left] = _edge.Coverage(m.M11 * (i + 0.5) + rowStart) * _opacity;
    }
}

/// <summary>A brush stroke as tapered capsules between consecutive dabs, in view pixels.</summary>
internal sealed class CompiledBrush : CompiledMask
{
    private readonly (double X, double Y, double Radius, double Inner)[] _dabs;
    private readonly (int Row0, int Row1, double Reach)[] _bounds;
    private readonly float _opacity;

    public CompiledBrush(BrushForm form, MaskView view, string what)
    {
        what = $"{what} brush";
        FormChecks.Common(form, what);
        if (form.Points is null || form.Points.Count == 0) throw new ArgumentException($"{what} has no points.");
        var pixelsPerUnit = 1 / Math.Sqrt(Math.Abs(view.PixelToIsotropic.Determinant));
        var toPixel = view.PixelToImage.Inverse();
        var halfFeather = form.Feather * pixelsPerUnit / 2;
        _dabs = new (double, double, double, double)[form.Points.Count];
        for (var i = 0; i < _dabs.Length; i++)
        {
            var point = form.Points[i];
            FormChecks.Finite(point.Position, $"{what} point {i}");
            FormChecks.Positive(point.Radius, $"{what} point {i} radius");
            FormChecks.Fraction(point.Hardness, $"{what} point {i} hardness");
            var (x, y) = toPixel.Apply(point.Position.X, point.Position.Y);
            var radius = point.Radius * pixelsPerUnit;
            _dabs[i] = (x, y, radius + halfFeather, radius * point.Hardness - halfFeather);
        }
        _bounds = new (int, int, double)[Math.Max(1, _dabs.Length - 1)];
        for (var s = 0; s < _bounds.Length; s++)
        {
            var (a, b) = (_dabs[s], _dabs[Math.Min(s + 1, _dabs.Length - 1)]);
            var reach = Math.Max(a.Radius, b.Radius) + 1;
            _bounds[s] = ((int)Math.Floor(Math.Min(a.Y, b.Y) - reach), (int)Math.Ceiling(Math.Max(a.Y, b.Y) + reach), reach);
        }
        _opacity = (float)form.Opacity;
    }

    public override void RenderRow(int row, int left, Span<float> target, RowScratch scratch, int level)
    {
        target.Clear();
        var y = row + 0.5;
        for (var s = 0; s < _bounds.Length; s++)
        {
            var (row0, row1, reach) = _bounds[s];
            if (row < row0 || row > row1) continue;
            var a = _dabs[s];
            var b = _dabs[Math.Min(s + 1, _dabs.Length - 1)];
            var (dx, dy) = (b.X - a.X, b.Y - a.Y);
            var length2 = dx * dx + dy * dy;
            // Columns within reach: the part of the spine within reach of this row, widened by the reach.
            var (ta, tb) = dy == 0 ? (0.0, 1.0) : (Math.Clamp((y - reach - a.Y) / dy, 0, 1), Math.Clamp((y + reach - a.Y) / dy, 0, 1));
            var (xa, xb) = (a.X + ta * dx, a.X + tb * dx);
            var first = Math.Max(left, (int)Math.Floor(Math.Min(xa, xb) - reach));
            var end = Math.Min(left + target.Length, (int)Math.Ceiling(Math.Max(xa, xb) + reach) + 1);
            for (var i = first; i < end; i++)
            {
                var (px, py) = (i + 0.5 - a.X, y - a.Y);
                var t = length2 > 0 ? Math.Clamp((px * dx + py * dy) / length2, 0, 1) : 0;
                var (ex, ey) = (px - t * dx, py - t * dy);
                var distance = Math.Sqrt(ex * ex + ey * ey);
                var outer = a.Radius + t * (b.Radius - a.Radius);
                if (distance >= outer + 0.5) continue;
                var inner = a.Inner + t * (b.Inner - a.Inner);
                var value = Ramp(distance, inner, outer);
                if (value > target[i - left]) target[i - left] = value;
            }
        }
        if (_opacity != 1f)
            for (var i = 0; i < target.Length; i++) target[i] *= _opacity;
    }

    /// <summary>1 inside <paramref name="inner"/>, 0 past <paramref name="outer"/>, smooth between; at least a one-pixel anti-aliasing ramp.</summary>
    private static float Ramp(double distance, double inner, double outer)
    {
        if (outer - inner < 1)
        {
            var middle = (inner + outer) / 2;
            return (float)Math.Clamp(middle + 0.5 - distance, 0, 1);
        }
        var t = Math.Clamp((outer - distance) / (outer - inner), 0, 1);
        return (float)(t * t * (3 - 2 * t));
    }
}

/// <summary>A stored coverage grid sampled bilinearly (edge texels extend past the border).</summary>
internal sealed class CompiledRaster : CompiledMask
{
    private readonly RasterForm _form;
    private readonly Affine2 _pixelToTexel;
    private readonly double _scale;

    public CompiledRaster(RasterForm form, MaskView view, string what)
    {
        what = $"{what} raster";
        FormChecks.Fraction(form.Opacity, $"{what} opacity");
        if (form.Width <= 0 || form.Height <= 0) throw new ArgumentException($"{what} is {form.Width}x{form.Height}; both sides must be positive.");
        if (form.Coverage is null || form.Coverage.Length != (long)form.Width * form.Height)
            throw new ArgumentException($"{what} holds {form.Coverage?.Length ?? 0} bytes, not {form.Width}x{form.Height}.");
        _form = form;
        _pixelToTexel = view.PixelToImage.Then(new Affine2(form.Width, 0, 0, form.Height, -0.5, -0.5));
        _scale = form.Opacity / 255.0;
    }

    public override void RenderRow(int row, int left, Span<float> target, RowScratch scratch, int level)
    {
        var m = _pixelToTexel;
        var (width, height, data) = (_form.Width, _form.Height, _form.Coverage);
        var y = row + 0.5;
        for (var i = 0; i < target.Length; i++)
        {
            var x = left + i + 0.5;
            var u = Math.Clamp(m.M11 * x + m.M12 * y + m.OffsetX, 0, width - 1);
            var v = Math.Clamp(m.M21 * x + m.M22 * y + m.OffsetY, 0, height - 1);
            var (u0, v0) = ((int)u, (int)v);
            var (u1, v1) = (Math.Min(u0 + 1, width - 1), Math.Min(v0 + 1, height - 1));
            var (fu, fv) = ((float)(u - u0), (float)(v - v0));
            var top = data[v0 * width + u0] + fu * (data[v0 * width + u1] - data[v0 * width + u0]);
            var bottom = data[v1 * width + u0] + fu * (data[v1 * width + u1] - data[v1 * width + u0]);
            // In double, so 255 at opacity 1 is exactly 1.
            target[i] = (float)((top + fv * (bottom - top)) * _scale);
        }
    }
}
