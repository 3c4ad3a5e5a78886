using RawEngine.Engine.Buffers;

namespace RawEngine.Engine.Pipeline;

/// <summary>The output of a pipe's first <see cref="Stages"/> modules over <see cref="Roi"/>, held for the modules after them.</summary>
internal readonly record struct StageOutput(int Stages, ImageBuffer Buffer, Roi Roi);

/// <summary>
/// A region of a pipe rendered a band of rows at a time, as libvips renders regions on demand: memory
/// follows the band, not the image. Modules whose input for one output row is their whole input (a
/// highlight reconstruction that gathers image-wide statistics) run once, on the whole region, the first
/// time a band is asked for; their output is held and every band runs only the modules after them.
/// Thread-safe: bands may be rendered in any order, from any thread.
/// </summary>
public sealed class PipeStrips : IDisposable
{
    private readonly Pipe _pipe;
    private readonly PipeProgram _program;
    private readonly Lock _lock = new();
    private StageOutput? _held;
    private bool _disposed;

    internal PipeStrips(Pipe pipe, PipeProgram program, Roi region)
    {
        _pipe = pipe;
        _program = program;
        Region = region;
        WholeRegionStages = WholeInputStages(program, region);
    }

    /// <summary>The region, in the finished image at its scale, that bands are cut from.</summary>
    public Roi Region { get; }

    /// <summary>How many leading modules run once on the whole region rather than per band.</summary>
    public int WholeRegionStages { get; }

    /// <summary>Rows [<paramref name="y"/>, <paramref name="y"/> + <paramref name="rows"/>) of <see cref="Region"/>, a pooled buffer the caller disposes.</summary>
    public ImageBuffer Render(int y, int rows, CancellationToken cancellation = default, IProgress<PipeProgress>? progress = null)
    {
        if (y < 0 || rows < 1 || y + rows > Region.Height)
            throw new ArgumentOutOfRangeException(nameof(y), $"Rows {y}..{y + rows - 1} are outside the region's 0..{Region.Height - 1}.");
        var held = Held(cancellation, progress);
        var band = Region with { Y = Region.Y + y, Height = rows };
        return _pipe.RenderStage(_program, _program.Nodes.Count, band, held, cacheStages: false, cancellation, progress);
    }

    private StageOutput? Held(CancellationToken cancellation, IProgress<PipeProgress>? progress)
    {
        if (WholeRegionStages == 0) return null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_held is null)
            {
                var count = _program.Nodes.Count;
                var roiIn = new Roi[count];
                var roiOut = new Roi[count];
                Pipe.WalkBack(_program, WholeRegionStages, count, Region, roiIn, roiOut);
                var stageRoi = WholeRegionStages == count ? Region : roiIn[WholeRegionStages];
                var buffer = _pipe.RenderStage(_program, WholeRegionStages, stageRoi, start: null, cacheStages: true, cancellation, progress);
                _held = new StageOutput(WholeRegionStages, buffer, stageRoi);
            }
            return _held;
        }
    }

    /// <summary>One past the last module whose input for a single row in the middle of the region is its input for the whole region.</summary>
    private static int WholeInputStages(PipeProgram program, Roi region)
    {
        var count = program.Nodes.Count;
        var wholeIn = new Roi[count];
        var rowIn = new Roi[count];
        var unused = new Roi[count];
        Pipe.WalkBack(program, 0, count, region, wholeIn, unused);
        Pipe.WalkBack(program, 0, count, region with { Y = region.Y + region.Height / 2, Height = 1 }, rowIn, unused);
        for (var i = count - 1; i >= 0; i--)
            if (rowIn[i] == wholeIn[i]) return i + 1;
        return 0;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _held?.Buffer.Dispose();
            _held = null;
        }
    }
}
