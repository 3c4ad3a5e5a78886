using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using RawEngine.Engine.Compute;

namespace RawEngine.Engine.Masks;

/// <summary>
/// Renders a form or group to coverage in [0, 1] over a <see cref="MaskView"/>. The node is compiled
/// once per call (geometry mapped into the view's pixel grid, paths flattened and bucketed by row),
/// then rows render in parallel bands with pooled scratch rows and nothing allocated per pixel.
/// Edges are anti-aliased from each pixel centre's signed distance to the outline (a one-pixel ramp,
/// or the feather where wider). A pixel's value depends only on its grid position, so a window of a
/// view renders exactly the same values as the whole view.
/// </summary>
public static class MaskRasterizer
{
    private static readonly CpuCompute DefaultCpu = new();

    /// <summary>Writes the coverage of <paramref name="node"/>, row-major <c>view.Width * view.Height</c>.</summary>
    public static void Render(MaskNode node, MaskView view, Span<float> coverage) => Render(node, view, coverage, DefaultCpu);

    /// <inheritdoc cref="Render(MaskNode, MaskView, Span{float})"/>
    public static unsafe void Render(MaskNode node, MaskView view, Span<float> coverage, CpuCompute cpu, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(view.Width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(view.Height);
        var pixels = (long)view.Width * view.Height;
        if (coverage.Length < pixels)
            throw new ArgumentException($"The coverage holds {coverage.Length} values, fewer than the {view.Width}x{view.Height} view.", nameof(coverage));
        if (view.Bend is { } bend)
        {
            BentMaskRenderer.Render(node, view, bend, coverage, cpu, cancellation);
            return;
        }
        var compiled = Compile(node, view, "mask");
        var width = view.Width;
        fixed (float* start = coverage)
        {
            var address = (nint)start;
            cpu.ForRows(view.Height, (y0, y1) =>
            {
                var scratch = new RowScratch(width, compiled.Depth);
                try
                {
                    for (var y = y0; y < y1; y++)
                        compiled.RenderRow(view.Top + y, view.Left, new Span<float>((float*)address + (long)y * width, width), scratch, 0);
                }
                finally
                {
                    scratch.Return();
                }
            }, cancellation);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the member and value when a form cannot be rasterised.</summary>
    public static void Check(MaskNode node) => Compile(node, MaskView.Image(1, 1), "mask");

    internal static CompiledMask Compile(MaskNode node, MaskView view, string what) => node switch
    {
        MaskGroup group => new CompiledGroup(group, view, what),
        EllipseForm ellipse => new CompiledEllipse(ellipse, view, what),
        GradientForm gradient => new CompiledGradient(gradient, view, what),
        PathForm path => new CompiledPath(path, view, what),
        BrushForm brush => new CompiledBrush(brush, view, what),
        RasterForm raster => new CompiledRaster(raster, view, what),
        _ => throw new ArgumentException($"{what}: cannot rasterise a {node.GetType().Name}.", nameof(node)),
    };
}

/// <summary>A node ready to render rows of one view.</summary>
internal abstract class CompiledMask
{
    /// <summary>Scratch rows this node needs below its own level (groups combine members through them).</summary>
    public virtual int Depth => 0;

    /// <summary>Writes the coverage of grid row <paramref name="row"/>, columns [<paramref name="left"/>, left + target.Length).</summary>
    public abstract void RenderRow(int row, int left, Span<float> target, RowScratch scratch, int level);
}

/// <summary>One band's pooled scratch: rows for group members, and the buffers a path fill needs.</summary>
internal sealed class RowScratch(int width, int depth)
{
    private readonly float[] _rows = ArrayPool<float>.Shared.Rent(Math.Max(1, depth) * width);
    private float[] _distances = Infinite(width);
    private double[] _crossings = ArrayPool<double>.Shared.Rent(64);
    private int[] _directions = ArrayPool<int>.Shared.Rent(64);

    public Span<float> Row(int level) => _rows.AsSpan(level * width, width);

    /// <summary>One row of distances, all infinite between uses (a user puts back what it changes).</summary>
    public Span<float> Distances => _distances.AsSpan(0, width);

    private static float[] Infinite(int width)
    {
        var distances = ArrayPool<float>.Shared.Rent(width);
        distances.AsSpan(0, width).Fill(float.PositiveInfinity);
        return distances;
    }

    /// <summary>Crossing positions and winding directions, room for at least <paramref name="count"/>.</summary>
    public (double[] Crossings, int[] Directions) Crossings(int count)
    {
        if (_crossings.Length < count)
        {
            ArrayPool<double>.Shared.Return(_crossings);
            ArrayPool<int>.Shared.Return(_directions);
            _crossings = ArrayPool<double>.Shared.Rent(count);
            _directions = ArrayPool<int>.Shared.Rent(count);
        }
        return (_crossings, _directions);
    }

    public void Return()
    {
        ArrayPool<float>.Shared.Return(_rows);
        ArrayPool<float>.Shared.Return(_distances);
        ArrayPool<double>.Shared.Return(_crossings);
        ArrayPool<int>.Shared.Return(_directions);
        _distances = [];
    }
}

/// <summary>How a signed distance (pixels, positive inside) becomes coverage.</summary>
internal readonly struct EdgeProfile
{
    private readonly double _inverseWidth;
    private readonly bool _smooth;

    /// <param name="featherPixels">The soft edge's width in view pixels; below one pixel the edge is a one-pixel anti-aliasing ramp.</param>
    public EdgeProfile(double featherPixels)
    {
        Width = Math.Max(featherPixels, 1.0);
        _inverseWidth = 1.0 / Width;
        _smooth = featherPixels > 1.0;
    }

    /// <summary>The ramp's width in pixels: coverage is 0 and 1 beyond half of it either side of the outline.</summary>
    public double Width { get; }

    public double HalfWidth => Width * 0.5;

    public float Coverage(double signedDistance)
    {
        var t = Math.Clamp(0.5 + signedDistance * _inverseWidth, 0.0, 1.0);
        return (float)(_smooth ? t * t * (3 - 2 * t) : t);
    }
}

internal sealed class CompiledGroup : CompiledMask
{
    private readonly CompiledMask[] _members;
    private readonly CombineMode[] _modes;
    private readonly bool[] _inverted;
    private readonly bool _invertGroup;
    private readonly float _opacity;

    public CompiledGroup(MaskGroup group, MaskView view, string what)
    {
        what = $"{what} group '{group.Id}'";
        if (group.Members is null || group.Members.Count == 0) throw new ArgumentException($"{what} has no members.");
        FormChecks.Fraction(group.Opacity, $"{what} opacity");
        _members = new CompiledMask[group.Members.Count];
        _modes = new CombineMode[_members.Length];
        _inverted = new bool[_members.Length];
        for (var i = 0; i < _members.Length; i++)
        {
            var member = group.Members[i] ?? throw new ArgumentException($"{what} member {i} is null.");
            _members[i] = MaskRasterizer.Compile(member.Node, view, $"{what} member {i}");
            _modes[i] = member.Mode;
            _inverted[i] = member.Inverted;
        }
        _invertGroup = group.Inverted;
        _opacity = (float)group.Opacity;
        Depth = 1 + _members.Max(m => m.Depth);
    }

    public override int Depth { get; }

    public override void RenderRow(int row, int left, Span<float> target, RowScratch scratch, int level)
    {
        _members[0].RenderRow(row, left, target, scratch, level + 1);
        if (_inverted[0]) Invert(target);
        var member = scratch.Row(level);
        for (var m = 1; m < _members.Length; m++)
        {
            _members[m].RenderRow(row, left, member, scratch, level + 1);
            if (_inverted[m]) Invert(member);
            Combine(_modes[m], target, member);
        }
        if (_invertGroup) Invert(target);
        if (_opacity != 1f)
            for (var i = 0; i < target.Length; i++) target[i] *= _opacity;
    }

    private static void Invert(Span<float> values)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        for (var i = 0; i < vectors.Length; i++) vectors[i] = Vector<float>.One - vectors[i];
        for (var i = vectors.Length * Vector<float>.Count; i < values.Length; i++) values[i] = 1f - values[i];
    }

    private static void Combine(CombineMode mode, Span<float> a, ReadOnlySpan<float> m)
    {
        var av = MemoryMarshal.Cast<float, Vector<float>>(a);
        var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
        for (var i = 0; i < av.Length; i++) av[i] = Combine(mode, av[i], mv[i]);
        for (var i = av.Length * Vector<float>.Count; i < a.Length; i++)
            a[i] = Combine(mode, new Vector<float>(a[i]), new Vector<float>(m[i]))[0];
    }

    private static Vector<float> Combine(CombineMode mode, Vector<float> a, Vector<float> m) => mode switch
    {
        CombineMode.Union => Vector.Max(a, m),
        CombineMode.Intersection => Vector.Min(a, m),
        CombineMode.Difference => Vector.Min(a, Vector<float>.One - m),
        CombineMode.Exclusion => Vector.Max(Vector.Min(a, Vector<float>.One - m), Vector.Min(Vector<float>.One - a, m)),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), $"Unknown combine mode {mode}."),
    };
}

/// <summary>Pixel indices from view coordinates, held within +-1e9 so that shapes far off the view cannot overflow.</summary>
internal static class GridIndex
{
    private const double Limit = 1e9;

    public static int Floor(double value) => (int)Math.Floor(Math.Clamp(value, -Limit, Limit));

    public static int Ceiling(double value) => (int)Math.Ceiling(Math.Clamp(value, -Limit, Limit));
}

/// <summary>Checks shared by the forms, with messages naming the form.</summary>
internal static class FormChecks
{
    public static void Fraction(double value, string what)
    {
        if (!(value >= 0 && value <= 1)) throw new ArgumentException($"{what} is {value}, outside [0, 1].");
    }

    public static void NonNegative(double value, string what)
    {
        if (!(value >= 0) || !double.IsFinite(value)) throw new ArgumentException($"{what} is {value}; it must be a finite number >= 0.");
    }

    public static void Positive(double value, string what)
    {
        if (!(value > 0) || !double.IsFinite(value)) throw new ArgumentException($"{what} is {value}; it must be a finite number > 0.");
    }

    public static void Finite(MaskPoint point, string what)
    {
        if (!double.IsFinite(point.X) || !double.IsFinite(point.Y)) throw new ArgumentException($"{what} {point} is not a finite point.");
    }

    public static void Common(MaskForm form, string what)
    {
        NonNegative(form.Feather, $"{what} feather");
        Fraction(form.Opacity, $"{what} opacity");
    }
}
