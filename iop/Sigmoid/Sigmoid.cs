using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.Sigmoid;

public sealed record SigmoidParams : OperationParams
{
    [ParamRange(0.2, 5), ParamDescription("Slope of the curve around middle grey; higher is punchier.")]
    public double Contrast { get; init; } = 1.5;

    [ParamRange(0.05, 0.5), ParamDescription("Scene value (linear) that stays where it is, middle grey.")]
    public double MiddleGrey { get; init; } = 0.1845;

    [ParamRange(0.5, 1.5), ParamDescription("Display value the brightest highlights approach.")]
    public double TargetWhite { get; init; } = 1.0;

    [ParamRange(0, 1), ParamDescription("1 keeps each pixel's hue through the curve; 0 curves channels independently.")]
    public double PreserveHue { get; init; } = 1.0;
}

/// <summary>
/// Scene-referred to display-referred tone mapping with a log-logistic curve
/// <c>f(x) = W x^c / (x^c + k)</c>, <c>k</c> chosen so middle grey maps to itself. Applied per channel,
/// which desaturates bright colours gracefully, then the middle channel is moved so the hue (its
/// position between min and max) is the input's. Output stays linear, in [0, W].
/// </summary>
public sealed class SigmoidOperation : ImageOperation<SigmoidParams, SigmoidOperation.Curve>
{
    public override OperationInfo Info { get; } = new(ModuleIds.Sigmoid, 1, "Sigmoid tone mapper",
        OperationFlags.TilingAllowed | OperationFlags.InPlace | OperationFlags.EnabledByDefault | OperationFlags.SupportsBlending,
        new FormatFilter(PixelLayout.Rgba, ColorEncoding.LinearWorking), TilingNeeds.Pointwise);

    protected override Curve Commit(SigmoidParams parameters, CommitContext context) => new(parameters);

    protected override void Process(ProcessContext context, Curve curve, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut)
    {
        var dx = (roiOut.X - roiIn.X) * 4;
        var dy = roiOut.Y - roiIn.Y;
        // In place (the same region of the same pixels) or from another buffer: MapRgba reads each pixel before it writes it.
        context.ForRows(roiOut.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++) curve.MapRgba(input.Row(y + dy).Slice(dx, roiOut.Width * 4), output.Row(y), curve.PreserveHue);
        });
    }

    /// <summary>Sets the middle channel so (mid - min) / (max - min) matches the input's.</summary>
    internal static void RestoreHue(float r, float g, float b, ref float mr, ref float mg, ref float mb, float strength)
    {
        if (r >= g)
        {
            if (g >= b) Middle(r, g, b, mr, ref mg, mb, strength);        // r >= g >= b
            else if (r >= b) Middle(r, b, g, mr, ref mb, mg, strength);   // r >= b > g
            else Middle(b, r, g, mb, ref mr, mg, strength);               // b > r >= g
        }
        else
        {
            if (r >= b) Middle(g, r, b, mg, ref mr, mb, strength);        // g > r >= b
            else if (g >= b) Middle(g, b, r, mg, ref mb, mr, strength);   // g >= b > r
            else Middle(b, g, r, mb, ref mg, mr, strength);               // b > g > r
        }
    }

    private static void Middle(float max, float mid, float min, float mappedMax, ref float mappedMid, float mappedMin, float strength)
    {
        var range = max - min;
        if (!(range > 0)) return;
        var kept = mappedMin + (mid - min) * ((mappedMax - mappedMin) / range);
        mappedMid += strength * (kept - mappedMid);
    }

    /// <summary>
    /// The curve, tabulated on u = x / (x + 1), which maps all of [0, inf) onto [0, 1) and keeps the
    /// table smooth at both ends; linear interpolation between 16k samples stays within 1e-6.
    /// </summary>
    public sealed class Curve
    {
        private const int Size = 1 << 14;
        private readonly float[] _table = new float[Size + 2];

        public Curve(SigmoidParams parameters)
        {
            var (c, g, w) = (parameters.Contrast, parameters.MiddleGrey, parameters.TargetWhite);
            var k = Math.Pow(g, c) * (w / g - 1);
            for (var i = 0; i <= Size; i++)
            {
                var u = (double)i / Size;
                if (i == Size) { _table[i] = (float)w; continue; }
                var p = Math.Pow(u / (1 - u), c);
                _table[i] = (float)(w * p / (p + k));
            }
            _table[Size + 1] = _table[Size];
            PreserveHue = (float)parameters.PreserveHue;
        }

        public float PreserveHue { get; }

        public float Map(float x)
        {
            if (!(x > 0)) return 0f;
            var u = x / (x + 1);
            if (!(u < 1)) return _table[Size];
            var position = u * Size;
            var index = (int)position;
            return _table[index] + (position - index) * (_table[index + 1] - _table[index]);
        }

        /// <summary>
        /// Maps the colour channels of an RGBA row (alpha copied) into <paramref name="target"/>, which may be the
        /// same memory, eight pixels at a time (a vector per channel), then two, where AVX2 gathers are there; with <paramref name="preserveHue"/> &gt; 0 each pixel's middle channel then moves that far toward
        /// keeping its place between the extremes (<see cref="RestoreHue"/>), in the same pass.
        /// </summary>
        public unsafe void MapRgba(ReadOnlySpan<float> source, Span<float> target, float preserveHue)
        {
            var i = 0;
            if (Avx2.IsSupported)
            {
                var size = Vector256.Create((float)Size);
                var strength = Vector256.Create(preserveHue);
                fixed (float* table = _table)
                fixed (float* from = source)
                fixed (float* to = target)
                {
                    for (; i <= source.Length - 32; i += 32)
                    {
                        var (r, g, b, a) = RgbaTranspose.Load(ref from[i]);
                        var (mr, mg, mb) = (Lookup(table, r, size), Lookup(table, g, size), Lookup(table, b, size));
                        if (preserveHue > 0) KeepHue(r, g, b, ref mr, ref mg, ref mb, strength);
                        RgbaTranspose.Store(mr, mg, mb, a, ref to[i]);
                    }
                    for (; i <= source.Length - 8; i += 8)
                    {
                        var x = Avx.LoadVector256(from + i);
                        var mapped = Lookup(table, x, size);
                        if (preserveHue > 0) mapped = KeepHue(x, mapped, strength);
                        Avx.Store(to + i, Avx.BlendVariable(mapped, x, TableLookup.AlphaLanes));
                    }
                }
            }
            // What the vector loop left, a pixel at a time; its input kept aside, as the target may be the same memory.
            Span<float> pixel = stackalloc float[4];
            for (var p = i; p + 3 < source.Length; p += 4)
            {
                source.Slice(p, 4).CopyTo(pixel);
                for (var c = 0; c < 3; c++) target[p + c] = Map(pixel[c]);
                target[p + 3] = pixel[3];
                if (preserveHue > 0) RestoreHue(pixel[0], pixel[1], pixel[2], ref target[p], ref target[p + 1], ref target[p + 2], preserveHue);
            }
        }

        /// <summary>The curve at eight values (NaN and negatives give 0).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe Vector256<float> Lookup(float* table, Vector256<float> x, Vector256<float> size)
        {
            // The upper clamp keeps x / (x + 1) below 1, so the index stays in the table.
            var clamped = Avx.Min(Avx.Max(x, Vector256<float>.Zero), Vector256.Create(1e30f));
            return TableLookup.Interpolate(table, Avx.Multiply(Avx.Divide(clamped, Avx.Add(clamped, Vector256<float>.One)), size));
        }

        /// <summary>
        /// <see cref="KeepHue(Vector256{float}, Vector256{float}, Vector256{float})"/> on eight pixels held one vector per
        /// channel: the same operations on the same values, so the same floats.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void KeepHue(Vector256<float> r, Vector256<float> g, Vector256<float> b,
            ref Vector256<float> mr, ref Vector256<float> mg, ref Vector256<float> mb, Vector256<float> strength)
        {
            var low = Avx.Min(r, Avx.Min(g, b));
            var range = Avx.Subtract(Avx.Max(r, Avx.Max(g, b)), low);
            var mappedLow = Avx.Min(mr, Avx.Min(mg, mb));
            var mappedRange = Avx.Subtract(Avx.Max(mr, Avx.Max(mg, mb)), mappedLow);
            var hasHue = Avx.Compare(range, Vector256<float>.Zero, FloatComparisonMode.OrderedGreaterThanNonSignaling);
            var scale = Avx.Divide(mappedRange, range);
            mr = Kept(r, mr, low, scale, mappedLow, strength, hasHue);
            mg = Kept(g, mg, low, scale, mappedLow, strength, hasHue);
            mb = Kept(b, mb, low, scale, mappedLow, strength, hasHue);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Kept(Vector256<float> x, Vector256<float> mapped, Vector256<float> low, Vector256<float> scale,
            Vector256<float> mappedLow, Vector256<float> strength, Vector256<float> hasHue)
        {
            var kept = Avx.Add(mappedLow, Avx.Multiply(Avx.Subtract(x, low), scale));
            var moved = Avx.Add(mapped, Avx.Multiply(strength, Avx.Subtract(kept, mapped)));
            return Avx.BlendVariable(mapped, moved, hasHue);
        }

        /// <summary>
        /// <see cref="RestoreHue"/> for two RGBA pixels at once, without branches: every colour channel is set toward
        /// min' + (c - min) / (max - min) x (max' - min'), which leaves the extremes where the (rising) curve put them.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> KeepHue(Vector256<float> x, Vector256<float> mapped, Vector256<float> strength)
        {
            const byte GbrA = 0b11_00_10_01, BrgA = 0b11_01_00_10;
            var (xg, xb) = (Avx.Permute(x, GbrA), Avx.Permute(x, BrgA));
            var (mg, mb) = (Avx.Permute(mapped, GbrA), Avx.Permute(mapped, BrgA));
            var low = Avx.Min(x, Avx.Min(xg, xb));
            var range = Avx.Subtract(Avx.Max(x, Avx.Max(xg, xb)), low);
            var mappedLow = Avx.Min(mapped, Avx.Min(mg, mb));
            var mappedRange = Avx.Subtract(Avx.Max(mapped, Avx.Max(mg, mb)), mappedLow);
            var kept = Avx.Add(mappedLow, Avx.Multiply(Avx.Subtract(x, low), Avx.Divide(mappedRange, range)));
            var moved = Avx.Add(mapped, Avx.Multiply(strength, Avx.Subtract(kept, mapped)));
            // Grey (or NaN) pixels have no hue to keep.
            return Avx.BlendVariable(mapped, moved, Avx.Compare(range, Vector256<float>.Zero, FloatComparisonMode.OrderedGreaterThanNonSignaling));
        }
    }
}
