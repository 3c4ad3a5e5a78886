using System.Buffers;

namespace RawEngine.Engine.Masks.Vectorize;

/// <summary>
/// One closed contour: its vertices are <c>Count</c> points from <c>Start</c> in the shared vertex buffer,
/// the last joining back to the first. An outer boundary encloses mask; a hole encloses background.
/// <c>Parent</c> is the index of the contour directly around it (a hole's outer, an island's hole), or -1.
/// </summary>
internal readonly record struct TracedContour(int Start, int Count, int Parent, bool IsOuter, double Area);

/// <summary>
/// The contours of one mask, vertices back to back in one pooled buffer. Contours come in the order they
/// were found (top row first), so a parent always comes before its children.
/// </summary>
internal sealed class TracedContours : IDisposable
{
    private PlanePoint[] _vertices = ArrayPool<PlanePoint>.Shared.Rent(1024);
    private int _vertexCount;

    public List<TracedContour> Contours { get; } = [];

    public ReadOnlySpan<PlanePoint> Vertices(TracedContour contour) => _vertices.AsSpan(contour.Start, contour.Count);

    internal int VertexCount => _vertexCount;

    internal void AddVertex(PlanePoint point)
    {
        if (_vertexCount == _vertices.Length)
        {
            var grown = ArrayPool<PlanePoint>.Shared.Rent(_vertices.Length * 2);
            _vertices.AsSpan(0, _vertexCount).CopyTo(grown);
            ArrayPool<PlanePoint>.Shared.Return(_vertices);
            _vertices = grown;
        }
        _vertices[_vertexCount++] = point;
    }

    /// <summary>Drops the vertices added since <paramref name="start"/> (a contour too small to keep).</summary>
    internal void TruncateVertices(int start) => _vertexCount = start;

    internal PlanePoint LastVertex => _vertices[_vertexCount - 1];

    public void Dispose()
    {
        ArrayPool<PlanePoint>.Shared.Return(_vertices);
        _vertices = [];
        _vertexCount = 0;
    }
}
