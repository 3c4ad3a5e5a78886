namespace RawEngine.AI.Segmentation;

/// <summary>
/// The picture the encoder saw, kept with its embeddings to refine masks against: the frame's 8-bit RGB at
/// frame size (at most 1024 on the long side) and, per cell of the decoder's 256x256 logit grid (4x4 frame
/// pixels), the cell's mean colour and its bin in a 16x16x16 RGB histogram.
/// </summary>
public sealed class FrameGuide
{
    public const int CellSide = SamFrame.Side / SamFrame.LowResSide;
    public const int BinsPerChannel = 16;

    /// <summary>Builds the guide from the frame as the resampler made it: RGBA floats 0..255, <paramref name="width"/> x <paramref name="height"/>.</summary>
    internal FrameGuide(ReadOnlySpan<float> frameRgba, int width, int height)
    {
        Width = width;
        Height = height;
        CellsWide = (width + CellSide - 1) / CellSide;
        CellsHigh = (height + CellSide - 1) / CellSide;
        Rgb = new byte[3 * width * height];
        for (var p = 0; p < width * height; p++)
            for (var c = 0; c < 3; c++)
                Rgb[3 * p + c] = (byte)Math.Clamp(MathF.Round(frameRgba[4 * p + c]), 0, 255);
        CellColour = new float[3 * SamFrame.LowResSide * SamFrame.LowResSide];
        CellBin = new short[SamFrame.LowResSide * SamFrame.LowResSide];
        for (var cy = 0; cy < CellsHigh; cy++)
            for (var cx = 0; cx < CellsWide; cx++)
            {
                float r = 0, g = 0, b = 0;
                var n = 0;
                for (var y = cy * CellSide; y < Math.Min(height, (cy + 1) * CellSide); y++)
                    for (var x = cx * CellSide; x < Math.Min(width, (cx + 1) * CellSide); x++)
                    {
                        var q = 3 * (y * width + x);
                        (r, g, b, n) = (r + Rgb[q], g + Rgb[q + 1], b + Rgb[q + 2], n + 1);
                    }
                var cell = cy * SamFrame.LowResSide + cx;
                (CellColour[3 * cell], CellColour[3 * cell + 1], CellColour[3 * cell + 2]) = (r / n, g / n, b / n);
                CellBin[cell] = (short)Bin(r / n, g / n, b / n);
            }
    }

    /// <summary>The frame's size: the image's extent in SAM's frame.</summary>
    public int Width { get; }
    public int Height { get; }

    /// <summary>Logit cells that cover the image (the rest of the 256x256 grid is padding).</summary>
    internal int CellsWide { get; }
    internal int CellsHigh { get; }

    /// <summary>RGB per frame pixel, rows packed.</summary>
    internal byte[] Rgb { get; }

    /// <summary>Mean RGB (0..255) per logit cell, on the 256x256 grid.</summary>
    internal float[] CellColour { get; }

    /// <summary>Histogram bin of each cell's mean colour, on the 256x256 grid.</summary>
    internal short[] CellBin { get; }

    internal static int Bin(float r, float g, float b)
    {
        const float per = 256f / BinsPerChannel;
        int Index(float v) => Math.Clamp((int)(v / per), 0, BinsPerChannel - 1);
        return (Index(r) * BinsPerChannel + Index(g)) * BinsPerChannel + Index(b);
    }
}
