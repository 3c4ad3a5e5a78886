using RawEngine.Engine.Color;
using RawEngine.Iop.Shared;

namespace RawEngine.Iop.ColorOut;

/// <summary>
/// A transfer curve's encoding as a table sampled on sqrt(v), which spreads samples into the dark end
/// where curves bend most; linear interpolation keeps it within 1e-5 of the exact curve on [0, 1].
/// </summary>
public sealed class TransferLut
{
    private const int Size = 4096;
    private readonly float[] _table = new float[Size + 2];

    public TransferLut(TransferFunction function)
    {
        for (var i = 0; i <= Size; i++)
        {
            var u = (double)i / Size;
            _table[i] = (float)function.Encode(u * u);
        }
        _table[Size + 1] = _table[Size];
    }

    /// <summary>Encodes a linear value, clamped to [0, 1].</summary>
    public float Encode(float linear)
    {
        var u = MathF.Sqrt(Math.Clamp(linear, 0f, 1f)) * Size;
        var index = (int)u;
        var fraction = u - index;
        return _table[index] + fraction * (_table[index + 1] - _table[index]);
    }

    /// <summary>The table as a per-channel map for <see cref="PixelMatrix"/>.</summary>
    public readonly struct Encoder(TransferLut lut) : IValueMap
    {
        public float Map(float value) => lut.Encode(value);
    }
}
