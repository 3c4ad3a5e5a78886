namespace RawEngine.Iop.Demosaic;

/// <summary>The demosaic algorithms <see cref="DemosaicKernels"/> offers.</summary>
public enum DemosaicMethod
{
    /// <summary>Each colour averaged from its nearest samples (3x3 tent); the reference. Bayer and X-Trans.</summary>
    Bilinear,

    /// <summary>
    /// Bayer only, high quality: directional LMMSE green (Zhang &amp; Wu 2005) on a perceptually encoded
    /// (gamma 2.7) mosaic, then red/blue by edge-weighted colour-difference interpolation. Kodak24: 40.47 dB.
    /// </summary>
    Lmmse,

    /// <summary>
    /// X-Trans only, high quality: green and red/blue in turn by edge-weighted colour-difference
    /// interpolation, three rounds, on a perceptually encoded mosaic. Kodak24: 37.79 dB (X-Trans bilinear 29.28).
    /// </summary>
    XTransColorDifference,

    /// <summary>Preview: each 2x2 (Bayer) or 3x3 (X-Trans) block becomes one pixel; output is half or a third the size.</summary>
    HalfSize,
}
