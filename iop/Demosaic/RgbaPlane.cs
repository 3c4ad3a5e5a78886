namespace RawEngine.Iop.Demosaic;

/// <summary>
/// Interleaved float RGBA pixels, row by row; <paramref name="Stride"/> counts floats (at least 4 x width).
/// Demosaic writes R, G and B and leaves A as it finds it.
/// </summary>
public readonly record struct RgbaPlane(Memory<float> Data, int Width, int Height, int Stride)
{
    internal void Validate(string name)
    {
        if (Width < 1 || Height < 1)
            throw new ArgumentException($"{name}: a {Width}x{Height} plane has no pixels.", name);
        if (Stride < 4 * Width)
            throw new ArgumentException($"{name}: stride {Stride} is less than 4 x width {Width}.", name);
        if (Data.Length < (long)(Height - 1) * Stride + 4 * Width)
            throw new ArgumentException($"{name}: {Data.Length} floats cannot hold {Width}x{Height} RGBA at stride {Stride}.", name);
    }
}
