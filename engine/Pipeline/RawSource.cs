using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Raw;

namespace RawEngine.Engine.Pipeline;

/// <summary>
/// The pipe's first stage: the raw image's visible area as float pixels, unscaled sensor values
/// (black not subtracted, <see cref="BufferFormat.White"/> = the raw's white level, encoding
/// <see cref="ColorEncoding.RawCamera"/>). Normalising to 1.0 = white is rawprepare's job, an ordinary
/// module that reads black levels from <see cref="CommitContext.Image"/> (sensor row = visible row + Visible.Y).
/// A CFA mosaic is read at scale 1 only (a demosaic maps the scale); linear RGB at any scale, each
/// output pixel the mean of the sensor pixels its footprint covers, so any region gives the same pixels.
/// </summary>
public sealed class RawSource(RawImage image)
{
    public RawImage Image { get; } = image;

    public ImageSize Size { get; } = new(image.Visible.Width, image.Visible.Height);

    public BufferFormat Format { get; } = image.IsCfa
        ? new BufferFormat(PixelLayout.Cfa, ColorEncoding.RawCamera, image.White, image.Cfa)
        : new BufferFormat(PixelLayout.Rgba, ColorEncoding.RawCamera, image.White);

    /// <summary>Fills <paramref name="output"/> with the pixels of <paramref name="roi"/>.</summary>
    public void Read(Roi roi, ImageBuffer output, CpuCompute cpu, CancellationToken cancellation)
    {
        if (!Roi.Full(Size, roi.Scale).Contains(roi) || roi.IsEmpty)
            throw new PipeException($"the raw source was asked for {roi}, outside the {Size.Scaled(roi.Scale)} image at that scale");
        if (Image.IsCfa && roi.Scale != 1.0)
            throw new PipeException($"a CFA mosaic is read at scale 1 only, but the first module asked for scale {roi.Scale}; a demosaic module must map the scale");
        if (Image.SamplesPerPixel is not (1 or 3))
            throw new PipeException($"raw data with {Image.SamplesPerPixel} samples per pixel cannot be read (1 or 3 expected)");

        var data = Image.Data;
        var spp = Image.SamplesPerPixel;
        var sensorWidth = Image.SensorWidth;
        var visible = Image.Visible;
        if (roi.Scale == 1.0)
        {
            cpu.ForRows(roi.Height, (y0, y1) =>
            {
                for (var y = y0; y < y1; y++)
                {
                    var source = data.AsSpan(((visible.Y + roi.Y + y) * sensorWidth + visible.X + roi.X) * spp, roi.Width * spp);
                    var row = output.Row(y);
                    if (spp == 1)
                        Simd.Widen(source, row);
                    else
                        for (int x = 0, s = 0, t = 0; x < roi.Width; x++, s += 3, t += 4)
                        {
                            row[t] = source[s];
                            row[t + 1] = source[s + 1];
                            row[t + 2] = source[s + 2];
                            row[t + 3] = 1f;
                        }
                }
            }, cancellation);
            return;
        }

        cpu.ForRows(roi.Height, (y0, y1) =>
        {
            for (var y = y0; y < y1; y++)
            {
                var (sy0, sy1) = Footprint(roi.Y + y, roi.Scale, Size.Height);
                var row = output.Row(y);
                for (var x = 0; x < roi.Width; x++)
                {
                    var (sx0, sx1) = Footprint(roi.X + x, roi.Scale, Size.Width);
                    float r = 0, g = 0, b = 0;
                    for (var sy = sy0; sy < sy1; sy++)
                    {
                        var offset = ((visible.Y + sy) * sensorWidth + visible.X + sx0) * 3;
                        for (var sx = sx0; sx < sx1; sx++, offset += 3)
                        {
                            r += data[offset];
                            g += data[offset + 1];
                            b += data[offset + 2];
                        }
                    }
                    var inverse = 1f / ((sy1 - sy0) * (sx1 - sx0));
                    row[4 * x] = r * inverse;
                    row[4 * x + 1] = g * inverse;
                    row[4 * x + 2] = b * inverse;
                    row[4 * x + 3] = 1f;
                }
            }
        }, cancellation);
    }

    /// <summary>The sensor pixels [start, end) under output pixel <paramref name="index"/> at <paramref name="scale"/>.</summary>
    private static (int Start, int End) Footprint(int index, double scale, int limit)
    {
        var start = Math.Min(limit - 1, (int)Math.Floor(index / scale));
        var end = Math.Clamp((int)Math.Ceiling((index + 1) / scale), start + 1, limit);
        return (start, end);
    }
}
