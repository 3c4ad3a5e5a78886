namespace RawEngine.Engine.Color;

/// <summary>
/// An RGB encoding curve in the ICC parametric form (type 3): linear = (a·V + b)^g for V >= d, c·V below.
/// One description serves the pixel maths and the ICC profile, so the two cannot disagree.
/// </summary>
public sealed record TransferFunction(string Name, double Gamma, double A, double B, double C, double D)
{
    public static TransferFunction Linear { get; } = new("linear", 1, 1, 0, 1, 0);
    /// <summary>IEC 61966-2-1 (sRGB and Display P3).</summary>
    public static TransferFunction Srgb { get; } = new("srgb", 2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045);
    /// <summary>Adobe RGB (1998): a pure power of 563/256.</summary>
    public static TransferFunction AdobeRgb { get; } = new("adobe-rgb", 563.0 / 256.0, 1, 0, 0, 0);
    /// <summary>ROMM RGB (ProPhoto): 1.8 with a linear segment below 1/512 linear.</summary>
    public static TransferFunction ProPhoto { get; } = new("prophoto", 1.8, 1, 0, 1.0 / 16.0, 1.0 / 32.0);
    /// <summary>ITU-R BT.709 / BT.2020 camera curve.</summary>
    public static TransferFunction Rec709 { get; } = new("rec709", 1 / 0.45, 1 / 1.099, 0.099 / 1.099, 1 / 4.5, 0.081);

    public bool IsLinear => Gamma == 1 && A == 1 && B == 0;

    /// <summary>Encoded value to linear light; negative values mirror.</summary>
    public double Decode(double encoded)
    {
        var v = Math.Abs(encoded);
        var linear = v >= D ? Math.Pow(A * v + B, Gamma) : C * v;
        return Math.CopySign(linear, encoded);
    }

    /// <summary>Linear light to encoded value; negative values mirror.</summary>
    public double Encode(double linear)
    {
        var v = Math.Abs(linear);
        var encoded = v >= C * D ? (Math.Pow(v, 1 / Gamma) - B) / A : v / C;
        return Math.CopySign(encoded, linear);
    }
}
