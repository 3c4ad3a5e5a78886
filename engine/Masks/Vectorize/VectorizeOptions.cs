namespace RawEngine.Engine.Masks.Vectorize;

/// <summary>How <see cref="MaskVectorizer"/> turns a raster mask into paths. Distances and areas are in mask pixels.</summary>
public sealed record VectorizeOptions
{
    /// <summary>Id of the mask group made.</summary>
    public string GroupId { get; init; } = "vectorized";

    /// <summary>Coverage at or above this is inside; the outline runs where the soft mask crosses it.</summary>
    public float Threshold { get; init; } = 0.5f;

    /// <summary>
    /// Islands and holes enclosing less than this many square pixels are noise: a small island is dropped
    /// and a small hole filled (with whatever lies inside either).
    /// </summary>
    public double MinimumArea { get; init; } = 4;

    /// <summary>Largest distance of the traced outline from the fitted curves.</summary>
    public double FitTolerance { get; init; } = 0.5;

    /// <summary>Tolerance of the polygon simplification whose vertices are the corner candidates.</summary>
    public double CornerTolerance { get; init; } = 1.0;

    /// <summary>A simplified vertex where the outline turns by at least this many degrees stays a sharp corner.</summary>
    public double CornerAngle { get; init; } = 40;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(GroupId)) throw new ArgumentException("VectorizeOptions.GroupId must not be empty.", "options");
        if (!(Threshold > 0 && Threshold < 1)) throw new ArgumentOutOfRangeException("options", Threshold, "VectorizeOptions.Threshold must lie strictly between 0 and 1.");
        if (!(MinimumArea >= 0) || double.IsInfinity(MinimumArea)) throw new ArgumentOutOfRangeException("options", MinimumArea, "VectorizeOptions.MinimumArea must be a finite number >= 0.");
        if (!(FitTolerance > 0) || double.IsInfinity(FitTolerance)) throw new ArgumentOutOfRangeException("options", FitTolerance, "VectorizeOptions.FitTolerance must be a finite number > 0 (pixels).");
        if (!(CornerTolerance > 0) || double.IsInfinity(CornerTolerance)) throw new ArgumentOutOfRangeException("options", CornerTolerance, "VectorizeOptions.CornerTolerance must be a finite number > 0 (pixels).");
        if (!(CornerAngle > 0 && CornerAngle <= 180)) throw new ArgumentOutOfRangeException("options", CornerAngle, "VectorizeOptions.CornerAngle must lie in (0, 180] degrees.");
    }
}
