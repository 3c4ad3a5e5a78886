using System.Buffers;
using RawEngine.AI.Kernels;
using RawEngine.Engine.Buffers;

namespace RawEngine.AI.Segmentation;

/// <summary>
/// A display-referred render handed to the encoder: interleaved RGBA floats, 0..1 in the display's
/// encoding (sRGB), rows <see cref="Stride"/> floats apart. Any size: it is resampled into SAM's frame.
/// </summary>
public readonly record struct DisplayRender(ReadOnlyMemory<float> Rgba, int Width, int Height, int Stride)
{
    /// <summary>A pipe's RGBA output as it stands (no copy); the buffer must outlive the encode.</summary>
    public static DisplayRender Of(ImageBuffer buffer) =>
        buffer.Channels == 4
            ? new DisplayRender(buffer.Array.AsMemory(buffer.Offset), buffer.Width, buffer.Height, buffer.Stride)
            : throw new ArgumentException($"The segmenter needs an RGBA render, not a {buffer.Channels}-channel buffer.", nameof(buffer));

    internal void Validate()
    {
        if (Width < 1 || Height < 1) throw new ArgumentException($"The render size {Width}x{Height} is empty.");
        if (Stride < 4 * Width) throw new ArgumentException($"A render row of {Width} RGBA pixels needs a stride of at least {4 * Width} floats, not {Stride}.");
        if (Rgba.Length < (long)(Height - 1) * Stride + 4L * Width)
            throw new ArgumentException($"A {Width}x{Height} RGBA render with stride {Stride} needs {(long)(Height - 1) * Stride + 4L * Width} floats; it holds {Rgba.Length}.");
    }
}

/// <summary>
/// Where an image sits in SAM's square input frame: scaled so its long side is <see cref="Side"/> pixels,
/// at the top-left, zero-padded right and bottom (segment-anything's ResizeLongestSide). Points map by the
/// same scale; the decoder's low-resolution logits cover the whole frame at a quarter of its size.
/// </summary>
public readonly record struct SamFrame
{
    public const int Side = 1024;
    public const int LowResSide = 256;

    // ImageNet statistics on 0..255 values, as SAM 1 and SAM 2 normalise.
    private static readonly float[] Mean = [123.675f, 116.28f, 103.53f];
    private static readonly float[] Std = [58.395f, 57.12f, 57.375f];

    public SamFrame(int imageWidth, int imageHeight)
    {
        if (imageWidth < 1 || imageHeight < 1) throw new ArgumentOutOfRangeException(nameof(imageWidth), $"The image size {imageWidth}x{imageHeight} is empty.");
        ImageWidth = imageWidth;
        ImageHeight = imageHeight;
        Scale = Side / (double)Math.Max(imageWidth, imageHeight);
        Width = Math.Clamp((int)Math.Floor(imageWidth * Scale + 0.5), 1, Side);
        Height = Math.Clamp((int)Math.Floor(imageHeight * Scale + 0.5), 1, Side);
    }

    /// <summary>The image's size at scale 1: the coordinates prompts are given in.</summary>
    public int ImageWidth { get; }
    public int ImageHeight { get; }

    /// <summary>Frame pixels per image pixel.</summary>
    public double Scale { get; }

    /// <summary>The image's extent inside the frame.</summary>
    public int Width { get; }
    public int Height { get; }

    /// <summary>An image point in frame pixels: pixel centres map to pixel centres (index i has its centre at i + 0.5 in both).</summary>
    public (float X, float Y) ToFrame(double x, double y) => ((float)((x + 0.5) * Scale - 0.5), (float)((y + 0.5) * Scale - 0.5));

    /// <summary>
    /// Fills the encoder's [1,3,Side,Side] input: <paramref name="render"/> quantised to 8 bits (it is an
    /// 8-bit display render), resampled to the frame (triangle filter, widened when shrinking, as PIL's
    /// bilinear resize), normalised with the ImageNet mean and std, and zero beyond the image. Returns the
    /// resampled picture as the guide that masks are refined against.
    /// </summary>
    public FrameGuide FillEncoderInput(DisplayRender render, Span<float> tensor)
    {
        render.Validate();
        const int plane = Side * Side;
        if (tensor.Length < 3 * plane) throw new ArgumentException($"The encoder input holds {tensor.Length} floats; {3 * plane} are needed.", nameof(tensor));
        var frame = ArrayPool<float>.Shared.Rent(4 * Width * Height);
        var planar = ArrayPool<float>.Shared.Rent(3 * Width * Height);
        try
        {
            FrameResampler.Resample(render, frame, Width, Height);
            CpuKernels.RgbaToPlanar(frame.AsMemory(0, 4 * Width * Height), Width, Height, 4 * Width, planar.AsMemory(0, 3 * Width * Height),
                Transfer.None, ChannelAffine.Normalise(Mean, Std));
            tensor[..(3 * plane)].Clear();
            for (var c = 0; c < 3; c++)
                for (var y = 0; y < Height; y++)
                    planar.AsSpan(c * Width * Height + y * Width, Width).CopyTo(tensor.Slice(c * plane + y * Side, Width));
            return new FrameGuide(frame.AsSpan(0, 4 * Width * Height), Width, Height);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(frame);
            ArrayPool<float>.Shared.Return(planar);
        }
    }
}

/// <summary>Separable resampling of an RGBA render to 8-bit values (0..255 as floats) at another size.</summary>
internal static class FrameResampler
{
    public static void Resample(DisplayRender render, float[] output, int width, int height)
    {
        var columns = Taps.For(render.Width, width);
        var rows = Taps.For(render.Height, height);
        var across = ArrayPool<float>.Shared.Rent(4 * width * render.Height);
        try
        {
            // Horizontal pass over every source row, quantised first.
            Parallel.For(0, render.Height, () => new float[4 * render.Width], (y, _, quantised) =>
            {
                var source = render.Rgba.Span.Slice(y * render.Stride, 4 * render.Width);
                for (var i = 0; i < quantised.Length; i++) quantised[i] = MathF.Round(Math.Clamp(source[i], 0f, 1f) * 255f, MidpointRounding.AwayFromZero);
                var target = across.AsSpan(y * 4 * width, 4 * width);
                for (var x = 0; x < width; x++)
                {
                    float r = 0, g = 0, b = 0;
                    var (start, count, offset) = columns.Of(x);
                    for (var k = 0; k < count; k++)
                    {
                        var w = columns.Weights[offset + k];
                        var s = 4 * (start + k);
                        r += w * quantised[s];
                        g += w * quantised[s + 1];
                        b += w * quantised[s + 2];
                    }
                    target[4 * x] = r;
                    target[4 * x + 1] = g;
                    target[4 * x + 2] = b;
                    target[4 * x + 3] = 255f;
                }
                return quantised;
            }, _ => { });
            // Vertical pass, one output row at a time.
            Parallel.For(0, height, y =>
            {
                var target = output.AsSpan(y * 4 * width, 4 * width);
                target.Clear();
                var (start, count, offset) = rows.Of(y);
                for (var k = 0; k < count; k++)
                {
                    var w = rows.Weights[offset + k];
                    var source = across.AsSpan((start + k) * 4 * width, 4 * width);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(source, w, target, target);
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(across);
        }
    }

    /// <summary>For each output position along one axis: the first source sample, how many, and their weights.</summary>
    private sealed class Taps
    {
        private int[] _start = [], _count = [], _offset = [];

        public float[] Weights { get; private init; } = [];

        public (int Start, int Count, int Offset) Of(int i) => (_start[i], _count[i], _offset[i]);

        public static Taps For(int sourceSize, int targetSize)
        {
            var scale = sourceSize / (double)targetSize;
            var support = Math.Max(1.0, scale);
            var starts = new int[targetSize];
            var counts = new int[targetSize];
            var offsets = new int[targetSize];
            var weights = new List<float>();
            for (var i = 0; i < targetSize; i++)
            {
                var centre = (i + 0.5) * scale;
                var first = Math.Max(0, (int)Math.Floor(centre - support));
                var last = Math.Min(sourceSize - 1, (int)Math.Ceiling(centre + support));
                var taps = new List<double>();
                for (var j = first; j <= last; j++) taps.Add(Math.Max(0, 1 - Math.Abs(j + 0.5 - centre) / support));
                var sum = taps.Sum();
                starts[i] = first;
                counts[i] = taps.Count;
                offsets[i] = weights.Count;
                weights.AddRange(taps.Select(t => (float)(t / sum)));
            }
            return new Taps { _start = starts, _count = counts, _offset = offsets, Weights = [.. weights] };
        }
    }
}
