using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using RawEngine.Engine.Raw;

namespace RawEngine.AI.Kernels;

/// <summary>
/// Pre- and post-processing around a network on the CPU: packing interleaved RGBA into planar NCHW
/// and back, transfer curves, normalisation, CFA to masked-mosaic planes, tile blending, and mask
/// logits to a resized probability mask. Rows run in parallel bands; inner loops are vectorised
/// (System.Numerics.Tensors / Vector&lt;float&gt;). <see cref="GpuKernels"/> holds the same maths for ILGPU; production
/// reaches either through <see cref="IPixelKernels"/>.
/// </summary>
public static class CpuKernels
{
    private const float EncodeKnee = 0.0031308f;
    private const float DecodeKnee = 0.04045f;

    /// <summary>RGB of interleaved RGBA rows (<paramref name="rowStride"/> floats apart) into three
    /// planes of width x height, through <paramref name="transfer"/> then <paramref name="affine"/>.</summary>
    public static void RgbaToPlanar(ReadOnlyMemory<float> rgba, int width, int height, int rowStride, Memory<float> planar, Transfer transfer, ChannelAffine affine)
    {
        Check(rgba.Length, (long)(height - 1) * rowStride + 4L * width, "rgba");
        Check(planar.Length, 3L * width * height, "planar");
        var plane = width * height;
        ForBands(height, width, (y0, y1, scratch) =>
        {
            var src = rgba.Span;
            var dst = planar.Span;
            for (var y = y0; y < y1; y++)
            {
                var row = src.Slice(y * rowStride, 4 * width);
                Span<float> r = dst.Slice(y * width, width), g = dst.Slice(plane + y * width, width), b = dst.Slice(2 * plane + y * width, width);
                for (var x = 0; x < width; x++)
                {
                    r[x] = row[4 * x];
                    g[x] = row[4 * x + 1];
                    b[x] = row[4 * x + 2];
                }
                for (var c = 0; c < 3; c++)
                {
                    var p = dst.Slice(c * plane + y * width, width);
                    ApplyTransfer(p, transfer, scratch);
                    TensorPrimitives.Multiply(p, affine.Scale(c), p);
                    TensorPrimitives.Add(p, affine.Bias(c), p);
                }
            }
        });
    }

    /// <summary>Three planes back into interleaved RGBA rows: the affine undone, then <paramref name="transfer"/>,
    /// then <paramref name="after"/> (white balance put back, say); alpha 1.</summary>
    public static void PlanarToRgba(ReadOnlyMemory<float> planar, int width, int height, ChannelAffine affine, Transfer transfer, ChannelAffine after,
        Memory<float> rgba, int rowStride)
    {
        Check(planar.Length, 3L * width * height, "planar");
        Check(rgba.Length, (long)(height - 1) * rowStride + 4L * width, "rgba");
        var plane = width * height;
        ForBands(height, width * 3, (y0, y1, scratch) =>
        {
            var src = planar.Span;
            var dst = rgba.Span;
            var rowBuffer = scratch[..(3 * width)];
            var transferScratch = scratch[(3 * width)..];
            for (var y = y0; y < y1; y++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var p = rowBuffer.Slice(c * width, width);
                    TensorPrimitives.Subtract(src.Slice(c * plane + y * width, width), affine.Bias(c), p);
                    TensorPrimitives.Multiply(p, 1f / affine.Scale(c), p);
                    ApplyTransfer(p, transfer, transferScratch);
                    if (after.Scale(c) != 1f) TensorPrimitives.Multiply(p, after.Scale(c), p);
                    if (after.Bias(c) != 0f) TensorPrimitives.Add(p, after.Bias(c), p);
                }
                var row = dst.Slice(y * rowStride, 4 * width);
                for (var x = 0; x < width; x++)
                {
                    row[4 * x] = rowBuffer[x];
                    row[4 * x + 1] = rowBuffer[width + x];
                    row[4 * x + 2] = rowBuffer[2 * width + x];
                    row[4 * x + 3] = 1f;
                }
            }
        }, extraScratch: 3 * width);
    }

    /// <summary>
    /// A one-channel CFA mosaic into three masked planes (demosaicnet's input): plane c holds the
    /// value where <paramref name="pattern"/> (stated at the buffer's top-left) has colour c, else 0.
    /// </summary>
    public static void CfaToMaskedMosaic(ReadOnlyMemory<float> cfa, int width, int height, int rowStride, CfaPattern pattern, Transfer transfer, Memory<float> planes)
    {
        Check(cfa.Length, (long)(height - 1) * rowStride + width, "cfa");
        Check(planes.Length, 3L * width * height, "planes");
        var plane = width * height;
        ForBands(height, width, (y0, y1, scratch) =>
        {
            var src = cfa.Span;
            var dst = planes.Span;
            var encoded = scratch[..width];
            for (var y = y0; y < y1; y++)
            {
                src.Slice(y * rowStride, width).CopyTo(encoded);
                ApplyTransfer(encoded, transfer, scratch[width..]);
                Span<float> r = dst.Slice(y * width, width), g = dst.Slice(plane + y * width, width), b = dst.Slice(2 * plane + y * width, width);
                r.Clear();
                g.Clear();
                b.Clear();
                for (var x = 0; x < width; x++)
                {
                    var target = pattern.ColorAt(y, x) switch { 0 => r, 1 => g, _ => b };
                    target[x] = encoded[x];
                }
            }
        }, extraScratch: width);
    }

    /// <summary>Adds a planar RGB tile into planar sums with its blend weight, and the weight into
    /// <paramref name="weights"/>; <see cref="ResolveAccumulated"/> divides at the end.</summary>
    public static void AccumulateTile(ReadOnlyMemory<float> tile, TilePlacement place, Memory<float> sums, Memory<float> weights, int imageWidth, int imageHeight)
    {
        if (place.X < 0 || place.Y < 0 || place.X + place.Width > imageWidth || place.Y + place.Height > imageHeight)
            throw new ArgumentOutOfRangeException(nameof(place), $"tile {place.Width}x{place.Height} at ({place.X},{place.Y}) leaves the {imageWidth}x{imageHeight} image");
        AccumulateTile(tile, place.Width, place.Height, 0, 0, place, sums, weights, new TileRegion(0, 0, imageWidth, imageHeight));
    }

    /// <summary>
    /// Adds the part of a placed tile that falls inside <paramref name="region"/> into planar sums (and
    /// weights) covering just that region. The network's output <paramref name="tensor"/> is planar RGB of
    /// <paramref name="tensorWidth"/> x <paramref name="tensorHeight"/>; placement pixel (0, 0) is tensor
    /// pixel (<paramref name="offsetX"/>, <paramref name="offsetY"/>). Weights are those of the whole placement.
    /// </summary>
    public static void AccumulateTile(ReadOnlyMemory<float> tensor, int tensorWidth, int tensorHeight, int offsetX, int offsetY, TilePlacement place,
        Memory<float> sums, Memory<float> weights, TileRegion region)
    {
        Check(tensor.Length, 3L * tensorWidth * tensorHeight, "tensor");
        Check(sums.Length, 3L * region.Width * region.Height, "sums");
        Check(weights.Length, (long)region.Width * region.Height, "weights");
        if (offsetX < 0 || offsetY < 0 || offsetX + place.Width > tensorWidth || offsetY + place.Height > tensorHeight)
            throw new ArgumentOutOfRangeException(nameof(place), $"placement {place.Width}x{place.Height} at ({offsetX},{offsetY}) leaves the {tensorWidth}x{tensorHeight} tensor");
        int x0 = Math.Max(place.X, region.X), x1 = Math.Min(place.X + place.Width, region.X + region.Width);
        int y0 = Math.Max(place.Y, region.Y), y1 = Math.Min(place.Y + place.Height, region.Y + region.Height);
        if (x0 >= x1 || y0 >= y1) return;
        int width = x1 - x0, tensorPlane = tensorWidth * tensorHeight, plane = region.Width * region.Height;
        ForBands(y1 - y0, width, (b0, b1, scratch) =>
        {
            var src = tensor.Span;
            var sum = sums.Span;
            var weight = weights.Span;
            var wx = scratch[..width];
            var w = scratch[width..];
            for (var i = 0; i < width; i++) wx[i] = place.WeightX(x0 - place.X + i);
            for (var b = b0; b < b1; b++)
            {
                var y = y0 + b;
                TensorPrimitives.Multiply(wx, place.WeightY(y - place.Y), w);
                var offset = (y - region.Y) * region.Width + x0 - region.X;
                TensorPrimitives.Add(weight.Slice(offset, width), w, weight.Slice(offset, width));
                var source = (offsetY + y - place.Y) * tensorWidth + offsetX + x0 - place.X;
                for (var c = 0; c < 3; c++)
                {
                    var dst = sum.Slice(c * plane + offset, width);
                    TensorPrimitives.FusedMultiplyAdd(src.Slice(c * tensorPlane + source, width), w, dst, dst);
                }
            }
        }, extraScratch: width);
    }

    /// <summary>Divides the accumulated sums by their weights (pixels no tile reached stay 0).</summary>
    public static void ResolveAccumulated(Memory<float> sums, ReadOnlyMemory<float> weights, int imageWidth, int imageHeight)
    {
        var plane = imageWidth * imageHeight;
        ForBands(imageHeight, imageWidth, (y0, y1, scratch) =>
        {
            var sum = sums.Span;
            var inverse = scratch[..imageWidth];
            for (var y = y0; y < y1; y++)
            {
                var w = weights.Span.Slice(y * imageWidth, imageWidth);
                for (var x = 0; x < imageWidth; x++) inverse[x] = w[x] > 0 ? 1f / w[x] : 0f;
                for (var c = 0; c < 3; c++)
                {
                    var row = sum.Slice(c * plane + y * imageWidth, imageWidth);
                    TensorPrimitives.Multiply(row, inverse, row);
                }
            }
        });
    }

    /// <summary>Low-resolution mask logits to a probability mask of another size: bilinear resize
    /// (half-pixel centres, as PyTorch's align_corners=False) followed by the logistic sigmoid. The mask
    /// covers the top-left <paramref name="regionWidth"/> x <paramref name="regionHeight"/> logits (in logit
    /// pixels, fractions allowed; 0 = all): SAM's image fills only part of its padded square frame.</summary>
    public static void MaskFromLogits(ReadOnlyMemory<float> logits, int logitsWidth, int logitsHeight, Memory<float> mask, int width, int height,
        float regionWidth = 0, float regionHeight = 0)
    {
        Check(logits.Length, (long)logitsWidth * logitsHeight, "logits");
        Check(mask.Length, (long)width * height, "mask");
        var (sx, sy) = MaskScale(logitsWidth, logitsHeight, width, height, regionWidth, regionHeight);
        // Column taps once per call; each row blends its two source rows first (vectorised), then gathers.
        var columns = ArrayPool<int>.Shared.Rent(2 * width);
        var weights = ArrayPool<float>.Shared.Rent(width);
        try
        {
            for (var x = 0; x < width; x++)
            {
                var (xA, xB, fx) = Sample(x, sx, logitsWidth);
                (columns[2 * x], columns[2 * x + 1], weights[x]) = (xA, xB, fx);
            }
            ForBands(height, logitsWidth, (y0, y1, line) =>
            {
                var src = logits.Span;
                var dst = mask.Span;
                for (var y = y0; y < y1; y++)
                {
                    var (yA, yB, fy) = Sample(y, sy, logitsHeight);
                    var top = src.Slice(yA * logitsWidth, logitsWidth);
                    TensorPrimitives.Subtract(src.Slice(yB * logitsWidth, logitsWidth), top, line);
                    TensorPrimitives.MultiplyAdd(line, fy, top, line);
                    var row = dst.Slice(y * width, width);
                    for (var x = 0; x < width; x++)
                    {
                        float a = line[columns[2 * x]], b = line[columns[2 * x + 1]];
                        row[x] = a + weights[x] * (b - a);
                    }
                    TensorPrimitives.Sigmoid(row, row);
                }
            });
        }
        finally
        {
            ArrayPool<int>.Shared.Return(columns);
            ArrayPool<float>.Shared.Return(weights);
        }
    }

    /// <summary>Logit pixels per mask pixel for a mask covering the top-left region of the logits (0 = the whole side).</summary>
    internal static (float X, float Y) MaskScale(int logitsWidth, int logitsHeight, int width, int height, float regionWidth, float regionHeight)
    {
        if (regionWidth < 0 || regionWidth > logitsWidth || regionHeight < 0 || regionHeight > logitsHeight)
            throw new ArgumentOutOfRangeException(nameof(regionWidth), $"The region {regionWidth}x{regionHeight} does not fit the {logitsWidth}x{logitsHeight} logits.");
        return ((regionWidth > 0 ? regionWidth : logitsWidth) / width, (regionHeight > 0 ? regionHeight : logitsHeight) / height);
    }

    /// <summary>The two source samples and the weight of the second for bilinear output position <paramref name="i"/>.</summary>
    internal static (int A, int B, float Fraction) Sample(int i, float scale, int size)
    {
        var s = MathF.Max(0f, (i + 0.5f) * scale - 0.5f);
        var a = Math.Min((int)s, size - 1);
        return (a, Math.Min(a + 1, size - 1), s - a);
    }

    /// <summary>Applies a transfer curve in place; <paramref name="scratch"/> holds at least values.Length floats.</summary>
    public static void ApplyTransfer(Span<float> values, Transfer transfer, Span<float> scratch)
    {
        if (transfer == Transfer.None) return;
        var tmp = scratch[..values.Length];
        TensorPrimitives.Abs(values, tmp);
        if (transfer == Transfer.SrgbEncode)
        {
            Pow(tmp, 1f / 2.4f);
            Blend(values, tmp, EncodeKnee, linearScale: 12.92f, curveScale: 1.055f, curveOffset: -0.055f);
        }
        else
        {
            TensorPrimitives.Add(tmp, 0.055f, tmp);
            TensorPrimitives.Multiply(tmp, 1f / 1.055f, tmp);
            Pow(tmp, 2.4f);
            Blend(values, tmp, DecodeKnee, linearScale: 1f / 12.92f, curveScale: 1f, curveOffset: 0f);
        }
    }

    /// <summary>x^y in place for x &gt;= 0 as 2^(y log2 x): both halves are vectorised, where the
    /// general Pow is not.</summary>
    private static void Pow(Span<float> values, float exponent)
    {
        TensorPrimitives.Log2(values, values);
        TensorPrimitives.Multiply(values, exponent, values);
        TensorPrimitives.Exp2(values, values);
    }

    /// <summary>values = sign(v) * (|v| &lt;= knee ? |v| * linearScale : curve * curveScale + curveOffset).</summary>
    private static void Blend(Span<float> values, ReadOnlySpan<float> curve, float knee, float linearScale, float curveScale, float curveOffset)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var kneeV = new Vector<float>(knee);
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values[i..]);
                var a = Vector.Abs(v);
                var r = Vector.ConditionalSelect(Vector.LessThanOrEqual(a, kneeV), a * linearScale, new Vector<float>(curve[i..]) * curveScale + new Vector<float>(curveOffset));
                Vector.ConditionalSelect(Vector.LessThan(v, Vector<float>.Zero), -r, r).CopyTo(values[i..]);
            }
        }
        for (; i < values.Length; i++)
        {
            var a = MathF.Abs(values[i]);
            var r = a <= knee ? a * linearScale : curve[i] * curveScale + curveOffset;
            values[i] = values[i] < 0 ? -r : r;
        }
    }

    private delegate void BandAction(int y0, int y1, Span<float> scratch);

    /// <summary>Runs row bands in parallel, each with its own pooled scratch row (rented once per band).</summary>
    private static void ForBands(int height, int rowFloats, BandAction action, int extraScratch = 0)
    {
        if (height <= 0) return;
        var bands = Math.Min(height, Environment.ProcessorCount * 4);
        var bandHeight = (height + bands - 1) / bands;
        Parallel.For(0, (height + bandHeight - 1) / bandHeight, band =>
        {
            var size = rowFloats + extraScratch;
            var scratch = ArrayPool<float>.Shared.Rent(size);
            try { action(band * bandHeight, Math.Min(height, (band + 1) * bandHeight), scratch.AsSpan(0, size)); }
            finally { ArrayPool<float>.Shared.Return(scratch); }
        });
    }

    internal static void Check(long have, long need, string name)
    {
        if (have < need) throw new ArgumentException($"{name} holds {have} floats; {need} are needed.", name);
    }
}
