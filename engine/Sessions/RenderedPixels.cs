using RawEngine.Engine.Buffers;
using RawEngine.Engine.Export;
using RawEngine.Engine.Pipeline;

namespace RawEngine.Engine.Sessions;

/// <summary>
/// A region of a developed image handed to the exporter band by band: each band is rendered when the
/// exporter opens it and released when it moves on, so a full-size export holds the encoder's samples and
/// one band of pipe stages, never the whole float image at every stage. Bands are sized from the engine's
/// memory budget.
/// </summary>
public sealed class RenderedPixels : IExportPixels, IDisposable
{
    /// <summary>
    /// Budget bytes per pixel of a band row: a band's RGBA float stage (16 bytes a pixel) takes a sixteenth of the
    /// budget, so a module's input, output, halo and tiles stay well inside it. Measured on a 24 MP convert: a
    /// band of a quarter of the budget peaks at 620 MB, a sixteenth at 425 MB, a sixty-fourth at 385 MB, for the same CPU time.
    /// </summary>
    private const int BytesPerPixelInFlight = 256;
    private const int MinBandHeight = 32;

    private readonly PipeStrips _strips;
    private readonly IProgress<PipeProgress>? _progress;
    private ImageBuffer? _band;
    private int _bandTop;

    internal RenderedPixels(PipeStrips strips, BufferFormat format, long memoryBudgetBytes, IProgress<PipeProgress>? progress)
    {
        _strips = strips;
        _progress = progress;
        Format = format;
        Width = strips.Region.Width;
        Height = strips.Region.Height;
        var rows = memoryBudgetBytes / ((long)Width * BytesPerPixelInFlight);
        BandHeight = (int)Math.Clamp(rows, Math.Min(MinBandHeight, Height), Height);
    }

    public int Width { get; }
    public int Height { get; }
    public int Channels => 4;

    /// <summary>What the pixels are: the pipe's output format (its colour space and whether they were oriented).</summary>
    public BufferFormat Format { get; }
    public int BandHeight { get; }

    public IDisposable? OpenBand(int y, int rows, CancellationToken cancellation)
    {
        if (_band is not null) throw new InvalidOperationException("A band is already open; dispose it before opening the next.");
        _band = _strips.Render(y, rows, cancellation);
        _bandTop = y;
        _progress?.Report(new PipeProgress((y + rows + BandHeight - 1) / BandHeight, (Height + BandHeight - 1) / BandHeight, "band"));
        return new BandHandle(this);
    }

    public ReadOnlySpan<float> Row(int y) =>
        (_band ?? throw new InvalidOperationException("Open a band before reading its rows.")).Row(y - _bandTop);

    public void Dispose()
    {
        CloseBand();
        _strips.Dispose();
    }

    private void CloseBand()
    {
        _band?.Dispose();
        _band = null;
    }

    private sealed class BandHandle(RenderedPixels owner) : IDisposable
    {
        public void Dispose() => owner.CloseBand();
    }
}
