using System.Text.Json.Nodes;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;

namespace RawEngine.Engine.Pipeline;

/// <summary>
/// One image operation as the pipe and the edit loader see it. Write modules by deriving from
/// <see cref="ImageOperation{TParams,TState}"/>; this interface is what the registry holds.
/// </summary>
public interface IImageOperation
{
    OperationInfo Info { get; }

    /// <summary>The params record type (derived from <see cref="OperationParams"/>).</summary>
    Type ParamsType { get; }

    /// <summary>Upgrades params JSON written by params version <paramref name="fromVersion"/> to <c>fromVersion + 1</c>.</summary>
    JsonObject UpgradeParams(int fromVersion, JsonObject parameters);

    /// <summary>Turns params into per-pipe state once; the result maps regions and processes pixels.</summary>
    ICommittedOperation Commit(OperationParams parameters, CommitContext context);
}

/// <summary>A module with committed params, ready to run in one pipe.</summary>
public interface ICommittedOperation
{
    BufferFormat OutputFormat { get; }
    TilingNeeds Tiling { get; }

    /// <summary>Whether <c>Process</c> may get one buffer as input and output (see <see cref="OperationFlags.InPlace"/>).</summary>
    bool InPlace { get; }

    /// <summary>The region of output that an input region becomes (whole image at scale 1 gives the output size).</summary>
    Roi ModifyRoiOut(Roi roiIn);

    /// <summary>The input region (halo included) needed to produce <paramref name="roiOut"/>.</summary>
    Roi ModifyRoiIn(Roi roiOut);

    /// <summary>
    /// Where a point of the output lies in the input: from continuous pixel coordinates of the whole
    /// output at <paramref name="outputScale"/> (pixel i spans [i, i + 1]) to those of the whole input at
    /// <paramref name="inputScale"/>: affine, or bending (distortion correction). The pipe chains these to
    /// rasterise masks in any module's pixels.
    /// </summary>
    PointMap OutputToInput(double outputScale, double inputScale);

    /// <summary>
    /// Pure: reads <paramref name="input"/> (covering <paramref name="roiIn"/>) and writes every pixel of
    /// <paramref name="output"/> (covering <paramref name="roiOut"/>). No global state, no I/O.
    /// </summary>
    void Process(ProcessContext context, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut);
}

/// <summary>
/// The base of every module: an immutable params record in, a state committed from it, and a pure
/// <c>Process</c>. Override the virtuals only where the module differs from a same-size,
/// same-format operation whose halo is <see cref="TilingNeeds.Overlap"/>.
/// </summary>
public abstract class ImageOperation<TParams, TState> : IImageOperation
    where TParams : OperationParams, new()
{
    public abstract OperationInfo Info { get; }

    public Type ParamsType => typeof(TParams);

    protected abstract TState Commit(TParams parameters, CommitContext context);

    protected abstract void Process(ProcessContext context, TState state, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut);

    protected virtual BufferFormat OutputFormat(TState state, CommitContext context) => context.Input;

    protected virtual TilingNeeds Tiling(TState state, CommitContext context) => Info.Tiling;

    /// <summary>
    /// In place by the module's flag; a module that is pointwise only for some params (an upright
    /// flip, a resize to the same scale) says so here and then does nothing when handed one buffer.
    /// </summary>
    protected virtual bool InPlace(TState state) => Info.Has(OperationFlags.InPlace);

    protected virtual Roi ModifyRoiOut(TState state, Roi roiIn, CommitContext context) => roiIn;

    protected virtual Roi ModifyRoiIn(TState state, Roi roiOut, CommitContext context) =>
        roiOut.Expand(Tiling(state, context).Overlap).ClampTo(context.InputSize);

    /// <summary>
    /// The map from output to input pixels (see <see cref="ICommittedOperation.OutputToInput"/>). The default
    /// only follows the change of scale, which is right for every module that does not move pixels;
    /// geometric modules (crop, flip, distortion correction) override it. An affine map is returned as an
    /// <see cref="Affine2"/>: masks then follow it by mapping their shapes, the fast path.
    /// </summary>
    protected virtual PointMap OutputToInput(TState state, double outputScale, double inputScale, CommitContext context) =>
        Affine2.Scaling(inputScale / outputScale);

    /// <summary>One migration step; modules whose params changed override this.</summary>
    protected virtual JsonObject UpgradeParams(int fromVersion, JsonObject parameters) =>
        throw new NotSupportedException($"{Info.Id} has no migration from params version {fromVersion} to {fromVersion + 1}");

    JsonObject IImageOperation.UpgradeParams(int fromVersion, JsonObject parameters) => UpgradeParams(fromVersion, parameters);

    ICommittedOperation IImageOperation.Commit(OperationParams parameters, CommitContext context)
    {
        if (parameters is not TParams typed)
            throw new ArgumentException($"{Info.Id} takes {typeof(TParams).Name}, not {parameters.GetType().Name}.", nameof(parameters));
        var state = Commit(typed, context);
        return new Committed(this, state, context);
    }

    private sealed class Committed(ImageOperation<TParams, TState> op, TState state, CommitContext context) : ICommittedOperation
    {
        public BufferFormat OutputFormat { get; } = op.OutputFormat(state, context);
        public TilingNeeds Tiling { get; } = op.Tiling(state, context);
        public bool InPlace { get; } = op.InPlace(state);

        public Roi ModifyRoiOut(Roi roiIn) => op.ModifyRoiOut(state, roiIn, context);

        public Roi ModifyRoiIn(Roi roiOut) =>
            op.Info.Has(OperationFlags.NeedsFullRoi) ? Roi.Full(context.InputSize, roiOut.Scale) : op.ModifyRoiIn(state, roiOut, context);

        public PointMap OutputToInput(double outputScale, double inputScale) => op.OutputToInput(state, outputScale, inputScale, context);

        public void Process(ProcessContext processContext, ImageBuffer input, Roi roiIn, ImageBuffer output, Roi roiOut) =>
            op.Process(processContext, state, input, roiIn, output, roiOut);
    }
}
