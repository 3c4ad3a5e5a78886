namespace RawEngine.Engine.Masks.Vectorize;

/// <summary>A fitted closed outline in pixel units: its segments, and its place in the nesting.</summary>
internal readonly record struct FittedOutline(int FirstSegment, int SegmentCount, int Parent, bool IsOuter);

/// <summary>
/// Traces a mask, drops noise, and fits Bézier segments to every outline that stays. Holds its pooled
/// buffers between calls; not thread-safe.
/// </summary>
internal sealed class OutlineVectorizer : IDisposable
{
    private readonly TracedContours _traced = new();
    private readonly BezierFitter _fitter = new();
    private readonly List<int> _keptIndex = [];

    public List<FittedOutline> Outlines { get; } = [];

    public List<CubicSegment> Segments { get; } = [];

    public void Run(ReadOnlySpan<float> mask, int width, int height, VectorizeOptions options)
    {
        Outlines.Clear();
        Segments.Clear();
        _keptIndex.Clear();
        _traced.Contours.Clear();
        _traced.TruncateVertices(0);
        IsoContourTracer.Trace(mask, width, height, options.Threshold, _traced);

        foreach (var contour in _traced.Contours)
        {
            // Parents come before their children. A child of a dropped outline lies inside it, so it is
            // smaller and dropped too; the parent check only makes that explicit.
            var parent = contour.Parent < 0 ? -1 : _keptIndex[contour.Parent];
            var keep = contour.Area >= options.MinimumArea && contour.Count >= 3 && (contour.Parent < 0 || parent >= 0);
            if (!keep)
            {
                _keptIndex.Add(-1);
                continue;
            }
            _keptIndex.Add(Outlines.Count);
            var first = Segments.Count;
            _fitter.FitClosed(_traced.Vertices(contour), options.FitTolerance, options.CornerTolerance, options.CornerAngle, Segments);
            if (Segments.Count - first == 1)
            {
                // A closed path needs two nodes.
                var (head, tail) = Segments[first].Halves();
                Segments[first] = head;
                Segments.Add(tail);
            }
            Outlines.Add(new FittedOutline(first, Segments.Count - first, parent, contour.IsOuter));
        }
    }

    public void Dispose()
    {
        _traced.Dispose();
        _fitter.Dispose();
    }
}
