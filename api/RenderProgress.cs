using RawEngine.Engine.Pipeline;

namespace RawEngine;

/// <summary>
/// How far a render or export has come. <see cref="Fraction"/> runs from 0 to 1 and never goes back within one call;
/// the last report of a call that succeeds is (1, <see cref="Done"/>). <see cref="Stage"/> names the step:
/// <list type="bullet">
/// <item>previews: <c>"source"</c> (the raw read), then each module instance as it finishes or works through its tiles
/// (<c>"rawprepare"</c>, <c>"demosaic"</c>, <c>"demosaic_nn"</c>, <c>"exposure"</c>, ... in pipe order), then <c>"done"</c>;</item>
/// <item>exports: <c>"render"</c> as each band of rows is developed (the encoder takes them as they come), <c>"write"</c>
/// once the last band is (the encoder finishes and the file is written), then <c>"done"</c>.</item>
/// </list>
/// Reports are made synchronously on the thread doing the work (a thread-pool thread), never on the caller's:
/// pass a <see cref="Progress{T}"/> made on a UI thread to have them posted there. Without a synchronisation context
/// <see cref="Progress{T}"/> posts each report to the pool, where handlers may run out of order; an
/// <see cref="IProgress{T}"/> of your own receives them in order.
/// </summary>
public readonly record struct RenderProgress(double Fraction, string Stage)
{
    /// <summary>The last report of a call that succeeded, at fraction 1.</summary>
    public const string Done = "done";

    /// <summary>An export developing its bands of rows.</summary>
    public const string Render = "render";

    /// <summary>An export past its last band: the encoder finishing and the file being written.</summary>
    public const string Write = "write";
}

/// <summary>Turns the pipe's step counts into one monotone fraction per call.</summary>
/// <remarks>The pipe's steps map onto [<paramref name="start"/>, <paramref name="end"/>]; <paramref name="stage"/>, when given, names
/// them, and <paramref name="lastStage"/> the report of the last step (what comes after it).</remarks>
internal sealed class ProgressFraction(IProgress<RenderProgress> target, double start, double end, string? stage = null, string? lastStage = null)
    : IProgress<PipeProgress>
{
    private readonly Lock _lock = new();
    private double _last = -1;

    /// <summary>A pipe step: <c>Step</c> steps done of <c>Steps</c>, plus <c>Tile</c> of <c>Tiles</c> of the one in progress.</summary>
    public void Report(PipeProgress value)
    {
        if (value.Steps <= 0) return;
        var within = value.Tiles > 0 ? (double)value.Tile / value.Tiles : 0;
        var name = lastStage is not null && value.Step >= value.Steps ? lastStage : stage ?? value.Stage;
        Report(start + (end - start) * Math.Clamp((value.Step + within) / value.Steps, 0, 1), name);
    }

    /// <summary>Passes <paramref name="fraction"/> on unless it would go back (bands and tiles may finish out of order).</summary>
    public void Report(double fraction, string stage)
    {
        lock (_lock)
        {
            if (fraction < _last) return;
            _last = fraction;
            target.Report(new RenderProgress(fraction, stage));
        }
    }
}
