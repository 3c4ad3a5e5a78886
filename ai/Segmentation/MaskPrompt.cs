namespace RawEngine.AI.Segmentation;

/// <summary>A click in image pixels (after orientation, scale 1): on the object (positive) or not.</summary>
public readonly record struct PromptPoint(double X, double Y, bool Positive = true)
{
    /// <summary>Throws when the point is not inside a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The point lies outside the image (the message says where and the image's size).</exception>
    public void CheckInside(int width, int height)
    {
        if (!double.IsFinite(X) || !double.IsFinite(Y) || X < 0 || Y < 0 || X >= width || Y >= height)
            throw new ArgumentOutOfRangeException("point", $"point ({X},{Y}) is outside the {width}x{height} image (x 0..{width - 1}, y 0..{height - 1})");
    }
}

/// <summary>A box around the object in image pixels, corners in any order.</summary>
public readonly record struct PromptBox(double X0, double Y0, double X1, double Y1)
{
    /// <summary>The same box with (X0, Y0) top-left and (X1, Y1) bottom-right.</summary>
    public PromptBox Normalised() => new(Math.Min(X0, X1), Math.Min(Y0, Y1), Math.Max(X0, X1), Math.Max(Y0, Y1));

    /// <summary>Throws when the box has no area or reaches outside a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The box is empty or outside the image.</exception>
    public void CheckInside(int width, int height)
    {
        var b = Normalised();
        var described = $"box ({X0},{Y0})-({X1},{Y1})";
        if (!double.IsFinite(b.X0) || !double.IsFinite(b.Y0) || !double.IsFinite(b.X1) || !double.IsFinite(b.Y1))
            throw new ArgumentOutOfRangeException("box", $"{described} has a coordinate that is not a number");
        if (b.X1 - b.X0 <= 0 || b.Y1 - b.Y0 <= 0)
            throw new ArgumentOutOfRangeException("box", $"{described} has zero area");
        if (b.X0 < 0 || b.Y0 < 0 || b.X1 > width || b.Y1 > height)
            throw new ArgumentOutOfRangeException("box", $"{described} reaches outside the {width}x{height} image");
    }
}

/// <summary>
/// The prompts for one object in one encoded image: every click so far and an optional box. Each change
/// decodes with all of them plus the previous decode's low-resolution logits as mask input, and returns
/// the mask at image size. Not thread-safe (one object, one user).
/// </summary>
public sealed class MaskPrompt
{
    private readonly SamSegmenter _segmenter;
    private readonly List<PromptPoint> _points = [];
    private float[]? _previous;

    internal MaskPrompt(SamSegmenter segmenter, SegmentationTarget target, bool refine)
    {
        _segmenter = segmenter;
        Target = target;
        Refine = refine;
    }

    public SegmentationTarget Target { get; }

    /// <summary>Whether each mask is refined against the picture (<see cref="MaskRefiner"/>) or is the network's alone.</summary>
    public bool Refine { get; }

    public IReadOnlyList<PromptPoint> Points => _points;

    public PromptBox? Box { get; private set; }

    /// <summary>Adds a click and decodes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The point lies outside the image.</exception>
    public SegmentationMask Click(PromptPoint point, CancellationToken cancellation = default)
    {
        point.CheckInside(Target.ImageWidth, Target.ImageHeight);
        _points.Add(point);
        return Decode(cancellation);
    }

    /// <summary>Sets (replaces) the box and decodes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The box has no area or reaches outside the image.</exception>
    public SegmentationMask SetBox(PromptBox box, CancellationToken cancellation = default)
    {
        box.CheckInside(Target.ImageWidth, Target.ImageHeight);
        var b = box.Normalised();
        Box = b;
        return Decode(cancellation);
    }

    /// <summary>Decodes the prompts as they stand (after a click, the same as that click's result).</summary>
    public SegmentationMask Decode(CancellationToken cancellation = default)
    {
        if (_points.Count == 0 && Box is null) throw new InvalidOperationException("Nothing to segment: add a point or a box first.");
        var (logits, score, index) = _segmenter.Decode(Target, _points, Box, _previous, cancellation);
        _previous = logits;
        PromptPoint? lastPositive = null;
        for (var i = _points.Count - 1; i >= 0 && lastPositive is null; i--)
            if (_points[i].Positive) lastPositive = _points[i];
        return SegmentationMask.FromLogits(logits, Target.Frame, lastPositive, score, index, Refine ? new MaskRefiner(Target.Guide, _points) : null, _segmenter.Kernels);
    }

    /// <summary>Forgets every prompt and the previous mask.</summary>
    public void Reset()
    {
        _points.Clear();
        Box = null;
        _previous = null;
    }
}
