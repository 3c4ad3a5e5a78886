using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Demosaic;

/// <summary>
/// A one-channel CFA mosaic in float, row by row: linear values, 1.0 = white, white balance already
/// applied. <paramref name="Pattern"/> is stated at the plane's top-left pixel; <paramref name="Stride"/> counts floats.
/// </summary>
public readonly record struct CfaPlane(ReadOnlyMemory<float> Data, int Width, int Height, int Stride, CfaPattern Pattern)
{
    internal void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(Pattern, $"{name}.Pattern");
        if (Width < Pattern.Width || Height < Pattern.Height)
            throw new ArgumentException($"{name}: a {Width}x{Height} mosaic is smaller than its {Pattern.Width}x{Pattern.Height} CFA period.", name);
        if (Stride < Width)
            throw new ArgumentException($"{name}: stride {Stride} is less than the width {Width}.", name);
        if (Data.Length < (long)(Height - 1) * Stride + Width)
            throw new ArgumentException($"{name}: {Data.Length} floats cannot hold {Width}x{Height} at stride {Stride}.", name);
    }
}
