using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Compute;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;

namespace RawEngine.Engine.Pipeline;

/// <summary>What every pipe of an engine shares: buffer pool, cache, compute devices and the memory budget for module work.</summary>
public sealed class PipeResources(BufferPool pool, PipeCache cache, ComputeDevices compute, long memoryBudgetBytes, ILogger? logger = null)
{
    public BufferPool Pool { get; } = pool;
    public PipeCache Cache { get; } = cache;
    public ComputeDevices Compute { get; } = compute;

    /// <summary>Bounds each module's working memory (tiles and temporaries); the pipe's images are outside it.</summary>
    public long MemoryBudgetBytes { get; } = memoryBudgetBytes > 0
        ? memoryBudgetBytes
        : throw new ArgumentOutOfRangeException(nameof(memoryBudgetBytes), $"The memory budget must be positive, not {memoryBudgetBytes} bytes.");

    public ILogger Logger { get; } = logger ?? NullLogger.Instance;
}

/// <summary>
/// Builds pipes from edits and renders regions of them. A render walks the modules backward
/// through <c>ModifyRoiIn</c> to learn each one's region, resumes after the latest cached stage
/// output, and runs the rest forward, tiling any module whose need exceeds the budget.
/// </summary>
public sealed class Pipe(ModuleRegistry modules, PipeResources resources)
{
    public ModuleRegistry Modules { get; } = modules;
    public PipeResources Resources { get; } = resources;

    /// <summary>
    /// Places the edit's enabled instances (and modules enabled by default that it does not
    /// mention) in order, checks and commits their params, and chains formats, sizes and keys.
    /// </summary>
    /// <param name="imageId">Identifies the image's pixels for the cache (same id, same pixels).</param>
    public PipeProgram Build(Edit edit, RawSource source, string imageId, PipeKind kind)
    {
        var placed = Place(edit);
        // Keys only find cached stages: an engine without a cache (a one-off convert) skips writing every module's
        // params as JSON and hashing them, which would cost a convert's start about 250 more JIT-compiled methods.
        var keyed = Resources.Cache.CapacityBytes > 0;
        var sourceKey = keyed ? ChainKey.Root($"image {imageId}\nkind {kind}") : default;
        var nodes = new List<PipeNode>(placed.Count);
        var format = source.Format;
        var size = source.Size;
        var key = sourceKey;
        foreach (var (instance, entry, path) in placed)
        {
            var operation = Modules.Get(ModuleEntry.ModuleIdOf(instance));
            var info = operation.Info;
            var schema = Modules.SchemaOf(info.Id);
            var parameters = entry?.Params ?? schema.Defaults;
            schema.Validate(parameters, $"{path}.params");
            if (entry?.Blend is { } given) BlendParams.Schema.Validate(given, $"{path}.blend");
            // A module on by default only where it applies (demosaic on a linear DNG, opcodes on a file without them)
            // steps aside; one the edit names must fit.
            if (entry is null && (!info.Accepts.Accepts(format) || info.AppliesTo?.Invoke(source.Image) == false)) continue;
            if (!info.Accepts.Accepts(format))
                throw new PipeException(instance, $"accepts {info.Accepts} but receives {format} from {(nodes.Count == 0 ? "the raw source" : $"'{nodes[^1].Instance}'")}");

            var context = new CommitContext(instance, format, size, source.Image, kind) { MemoryBudgetBytes = Resources.MemoryBudgetBytes };
            var committed = operation.Commit(parameters, context);
            var outputSize = committed.ModifyRoiOut(Roi.Full(size)).Size;
            if (outputSize.Width <= 0 || outputSize.Height <= 0)
                throw new PipeException(instance, $"makes an empty image from {size}");

            var blend = entry?.Blend is { IsIdentity: false } b ? b : null;
            MaskGroup? mask = null;
            if (blend is not null)
            {
                CheckBlend(instance, info, format, committed.OutputFormat, path);
                if (blend.Mask is { } maskId) mask = MaskFor(edit.Masks, maskId, $"{path}.blend.mask");
            }

            if (keyed) key = key.Then(Identity(info, schema, parameters, blend, mask));
            nodes.Add(new PipeNode(instance, operation, committed, format, size, committed.OutputFormat, outputSize, blend, mask, key));
            format = committed.OutputFormat;
            size = outputSize;
        }
        return new PipeProgram(source, kind, sourceKey, nodes);
    }

    /// <summary>What makes a module's output differ: its id, params version, params, blend and the mask group's content.</summary>
    private static string Identity(OperationInfo info, ParamsSchema schema, OperationParams parameters, BlendParams? blend, MaskGroup? mask)
    {
        var identity = new StringBuilder()
            .Append("module ").Append(info.Id).Append(" v").Append(info.ParamsVersion)
            .Append("\nparams ").Append(schema.Write(parameters).ToJsonString());
        if (blend is not null)
        {
            identity.Append("\nblend ").Append(BlendParams.Schema.Write(blend).ToJsonString());
            // The named group's content, not its id: editing that mask recomputes from this module on, other masks do not.
            if (mask is not null) identity.Append("\nmask ").Append(MaskJson.WriteGroup(mask).ToJsonString());
        }
        return identity.ToString();
    }

    /// <summary>
    /// Renders <paramref name="roi"/> (in the finished image at <c>roi.Scale</c>). The result is a
    /// handle the caller disposes; it may be shared with the cache and must not be written to.
    /// </summary>
    public ImageBuffer Render(PipeProgram program, Roi roi, CancellationToken cancellation = default, IProgress<PipeProgress>? progress = null)
    {
        CheckRequest(program, roi);
        return RenderStage(program, program.Nodes.Count, roi, start: null, cacheStages: true, cancellation, progress);
    }

    /// <summary>
    /// Prepares <paramref name="roi"/> for rendering a band of rows at a time (<see cref="PipeStrips"/>), so an
    /// export never holds the whole image at every stage: only modules that need their whole input for any
    /// output row run once on the whole region; everything after them runs per band.
    /// </summary>
    public PipeStrips OpenStrips(PipeProgram program, Roi roi)
    {
        CheckRequest(program, roi);
        return new PipeStrips(this, program, roi);
    }

    /// <summary>
    /// The output of the first <paramref name="stages"/> modules for <paramref name="roi"/> in that stage's
    /// coordinates. Starts from <paramref name="start"/> (a stage output covering what the next module reads)
    /// when given, else resumes after the latest cached stage or reads the source.
    /// </summary>
    internal ImageBuffer RenderStage(PipeProgram program, int stages, Roi roi, StageOutput? start, bool cacheStages,
        CancellationToken cancellation, IProgress<PipeProgress>? progress)
    {
        var nodes = program.Nodes;
        var first = start?.Stages ?? 0;
        var roiOut = new Roi[stages];
        var roiIn = new Roi[stages];
        // Every module's regions, those below a held start too: mask views need each module's scales.
        var sourceRoi = WalkBack(program, 0, stages, roi, roiIn, roiOut);
        var firstInput = first == 0 ? sourceRoi : first < stages ? roiIn[first] : roi;

        var resumeAt = first;
        ImageBuffer? current = null;
        if (start is { } given)
        {
            if (!given.Roi.Contains(firstInput) || given.Roi.Scale != firstInput.Scale)
                throw new PipeException($"stage {first} holds {given.Roi}, not the {firstInput} the modules after it read");
            current = given.Buffer.View(firstInput.X - given.Roi.X, firstInput.Y - given.Roi.Y, firstInput.Width, firstInput.Height);
        }
        else if (cacheStages)
        {
            resumeAt = stages;
            while (resumeAt > 0 && (current = Resources.Cache.TryGet(nodes[resumeAt - 1].Key, roiOut[resumeAt - 1])) is null) resumeAt--;
        }
        var steps = stages - resumeAt + (current is null ? 1 : 0);
        var step = 0;
        try
        {
            if (current is null)
            {
                current = cacheStages ? Resources.Cache.TryGet(program.SourceKey, sourceRoi) : null;
                if (current is null)
                {
                    var read = ImageBuffer.Rent(Resources.Pool, sourceRoi.Width, sourceRoi.Height, program.Source.Format.Channels);
                    try
                    {
                        program.Source.Read(sourceRoi, read, Resources.Compute.Cpu, cancellation);
                    }
                    catch
                    {
                        read.Dispose();
                        throw;
                    }
                    current = read;
                    if (cacheStages) Resources.Cache.Put(program.SourceKey, sourceRoi, current);
                }
                progress?.Report(new PipeProgress(++step, steps, "source"));
            }
            for (var i = resumeAt; i < stages; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                if (PointwiseRun(nodes, i, stages, current, roiIn, roiOut, cacheStages) is var run and > 1)
                {
                    RunPointwise(nodes, i, run, current, roiOut[i], cancellation);
                    for (var k = i; k < i + run; k++) progress?.Report(new PipeProgress(++step, steps, nodes[k].Instance));
                    i += run - 1;
                    continue;
                }
                var maskView = nodes[i].Mask is null ? (MaskView?)null : MaskViewFor(program, i, roiIn, roiOut);
                var output = RunNode(nodes[i], current, roiIn[i], roiOut[i], maskView, cancellation, progress, step, steps);
                current.Dispose();
                current = output;
                if (cacheStages) Resources.Cache.Put(nodes[i].Key, roiOut[i], current);
                progress?.Report(new PipeProgress(++step, steps, nodes[i].Instance));
            }
            Resources.Logger.LogDebug("Rendered {Roi}: {Computed} of {Total} modules computed, resumed after stage {Start}.", roi, stages - resumeAt, stages, resumeAt);
            var result = current;
            current = null;
            return result;
        }
        finally
        {
            current?.Dispose();
        }
    }

    /// <summary>
    /// <c>ModifyRoiIn</c> backward from <paramref name="request"/> (the output of module <paramref name="stages"/> - 1)
    /// down to module <paramref name="first"/>, filling each one's regions; returns what module <paramref name="first"/> reads.
    /// </summary>
    internal static Roi WalkBack(PipeProgram program, int first, int stages, Roi request, Roi[] roiIn, Roi[] roiOut)
    {
        var nodes = program.Nodes;
        for (var i = stages - 1; i >= first; i--)
        {
            roiOut[i] = request;
            roiIn[i] = nodes[i].Committed.ModifyRoiIn(request);
            var inputFull = Roi.Full(nodes[i].InputSize, roiIn[i].Scale);
            if (roiIn[i].IsEmpty || !inputFull.Contains(roiIn[i]) || !(roiIn[i].Scale > 0))
                throw new PipeException(nodes[i].Instance, $"asks for input {roiIn[i]} to make {request}, outside its {inputFull.Size} input");
            request = roiIn[i];
        }
        return request;
    }

    /// <summary>
    /// The pixels of node <paramref name="index"/>'s output region as a window onto its whole output grid,
    /// mapped back through every module before it (crop, flip, scale changes) to normalised source coordinates.
    /// Where a module's map bends (lens distortion), the maps down to the earliest such module are the view's
    /// <see cref="MaskView.Bend"/>: the mask is drawn on that module's input grid, whose map to the source is affine.
    /// </summary>
    private static MaskView MaskViewFor(PipeProgram program, int index, Roi[] roiIn, Roi[] roiOut)
    {
        var maps = new PointMap[index + 1];
        for (var j = 0; j <= index; j++) maps[j] = program.Nodes[j].Committed.OutputToInput(roiOut[j].Scale, roiIn[j].Scale);
        var earliestBend = Array.FindIndex(maps, m => !m.IsAffine);
        PointMap? bend = null;
        for (var j = index; earliestBend >= 0 && j >= earliestBend; j--) bend = bend is null ? maps[j] : bend.Then(maps[j]);
        var map = Affine2.Identity;
        for (var j = earliestBend >= 0 ? earliestBend - 1 : index; j >= 0; j--) map = map.Then(maps[j].Affine);
        var source = program.Source.Size;
        var sourceScale = roiIn[0].Scale;
        map = map.Then(Affine2.Scaling(1 / (source.Width * sourceScale), 1 / (source.Height * sourceScale)));
        var region = roiOut[index];
        return new MaskView(region.Width, region.Height, map) { ImageAspect = (double)source.Width / source.Height, Left = region.X, Top = region.Y, Bend = bend };
    }

    /// <summary>Rows a fused run processes at a time: an RGBA chunk of a wide image stays in a core's L2 cache.</summary>
    private const int PointwiseChunkRows = 8;

    /// <summary>
    /// How many modules from <paramref name="first"/> on can run fused over <paramref name="buffer"/>: each in
    /// place (no blend, same region and channels), each row depending only on the same row, nothing keeping the
    /// stages in between (no cache). 0 or 1 means run them one by one.
    /// </summary>
    private int PointwiseRun(IReadOnlyList<PipeNode> nodes, int first, int stages, ImageBuffer buffer, Roi[] roiIn, Roi[] roiOut, bool cacheStages)
    {
        if ((cacheStages && Resources.Cache.CapacityBytes > 0) || !buffer.IsSoleHandle) return 0;
        var count = 0;
        for (var i = first; i < stages; i++)
        {
            var node = nodes[i];
            var info = node.Operation.Info;
            var roi = roiOut[i];
            var chunk = roi with { Height = Math.Min(roi.Height, PointwiseChunkRows) };
            var lastChunk = chunk with { Y = roi.Bottom - chunk.Height };
            var fits = node.Committed.InPlace && node.Blend is null && roiIn[i] == roi
                       && node.InputFormat.Channels == buffer.Channels && node.OutputFormat.Channels == buffer.Channels
                       && info.Has(OperationFlags.TilingAllowed) && !info.Has(OperationFlags.NeedsFullRoi)
                       && node.Committed.ModifyRoiIn(chunk) == chunk && node.Committed.ModifyRoiIn(lastChunk) == lastChunk
                       && TilePlanner.NeedFor(node.Committed, chunk, node.InputFormat) <= Resources.MemoryBudgetBytes;
            if (!fits) break;
            count++;
        }
        return count;
    }

    /// <summary>
    /// Runs <paramref name="count"/> in-place modules chunk by chunk: every module over a few rows while they are
    /// in cache, chunks in parallel, rather than one pass over the whole buffer per module.
    /// </summary>
    private void RunPointwise(IReadOnlyList<PipeNode> nodes, int first, int count, ImageBuffer buffer, Roi roi, CancellationToken cancellation)
    {
        var contexts = new ProcessContext[count];
        for (var k = 0; k < count; k++)
            contexts[k] = new ProcessContext(nodes[first + k].InputFormat, nodes[first + k].OutputFormat, Resources.Pool, Resources.Compute.Serial, cancellation, Resources.Logger);
        var chunks = (roi.Height + PointwiseChunkRows - 1) / PointwiseChunkRows;
        Resources.Logger.LogDebug("Modules '{First}' to '{Last}' run fused over {Chunks} chunks of {Roi}.", nodes[first].Instance, nodes[first + count - 1].Instance, chunks, roi);
        Resources.Compute.Cpu.ForRows(chunks, (c0, c1) =>
        {
            for (var c = c0; c < c1; c++)
            {
                var y = c * PointwiseChunkRows;
                var chunk = roi with { Y = roi.Y + y, Height = Math.Min(PointwiseChunkRows, roi.Height - y) };
                using var view = buffer.View(0, y, roi.Width, chunk.Height);
                for (var k = 0; k < count; k++) nodes[first + k].Committed.Process(contexts[k], view, chunk, view, chunk);
            }
        }, cancellation);
    }

    private ImageBuffer RunNode(PipeNode node, ImageBuffer input, Roi roiIn, Roi roiOut, MaskView? maskView, CancellationToken cancellation, IProgress<PipeProgress>? progress, int step, int steps)
    {
        var committed = node.Committed;
        var tiles = node.Operation.Info.Has(OperationFlags.TilingAllowed) && !node.Operation.Info.Has(OperationFlags.NeedsFullRoi)
            ? TilePlanner.Plan(committed, roiOut, node.InputFormat, Resources.MemoryBudgetBytes, node.Instance)
            : [roiOut];
        // In place only where every tile reads exactly what it writes: a tile reading a halo or the
        // whole image would otherwise see pixels an earlier tile already replaced.
        var inPlace = committed.InPlace && node.Blend is null && roiIn == roiOut
                      && input.Channels == node.OutputFormat.Channels && input.IsSoleHandle
                      && (tiles.Count == 1 || tiles.All(tile => committed.ModifyRoiIn(tile) == tile));
        var output = inPlace ? input.Share() : ImageBuffer.Rent(Resources.Pool, roiOut.Width, roiOut.Height, node.OutputFormat.Channels);
        try
        {
            var context = new ProcessContext(node.InputFormat, node.OutputFormat, Resources.Pool, Resources.Compute, cancellation, Resources.Logger)
            {
                WorkProgress = progress is null || tiles.Count > 1 ? null : (done, total) => progress.Report(new PipeProgress(step, steps, node.Instance, done, total)),
            };
            if (tiles.Count == 1)
            {
                if (TilePlanner.NeedFor(committed, roiOut, node.InputFormat) > Resources.MemoryBudgetBytes)
                    Resources.Logger.LogWarning("Module '{Instance}' cannot be tiled and needs more than the memory budget for {Roi}.", node.Instance, roiOut);
                committed.Process(context, input, roiIn, output, roiOut);
            }
            else
            {
                Resources.Logger.LogDebug("Module '{Instance}' runs on {Tiles} tiles for {Roi}.", node.Instance, tiles.Count, roiOut);
                for (var t = 0; t < tiles.Count; t++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var tile = tiles[t];
                    var tileIn = committed.ModifyRoiIn(tile);
                    if (!roiIn.Contains(tileIn) || tileIn.Scale != roiIn.Scale)
                        throw new PipeException(node.Instance, $"asks for {tileIn} to make tile {tile}, outside the {roiIn} it asked for the whole {roiOut}");
                    using var inView = input.View(tileIn.X - roiIn.X, tileIn.Y - roiIn.Y, tileIn.Width, tileIn.Height);
                    using var outView = output.View(tile.X - roiOut.X, tile.Y - roiOut.Y, tile.Width, tile.Height);
                    committed.Process(context, inView, tileIn, outView, tile);
                    progress?.Report(new PipeProgress(step, steps, node.Instance, t + 1, tiles.Count));
                }
            }
            if (node.Blend is { } blend)
            {
                using var mask = node.Mask is { } group && maskView is { } view ? RenderMask(group, view, cancellation) : null;
                Blending.Apply(blend, input, roiIn, output, roiOut, mask, Resources.Compute.Cpu, cancellation);
            }
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private static void CheckRequest(PipeProgram program, Roi roi)
    {
        if (!(roi.Scale > 0) || !double.IsFinite(roi.Scale))
            throw new ArgumentOutOfRangeException(nameof(roi), $"The scale must be a positive number, not {roi.Scale}.");
        if (roi.IsEmpty)
            throw new ArgumentOutOfRangeException(nameof(roi), $"The region {roi} is empty.");
        var full = Roi.Full(program.OutputSize, roi.Scale);
        if (!full.Contains(roi))
            throw new ArgumentOutOfRangeException(nameof(roi), $"The region {roi} is outside the {full.Width}x{full.Height} image at scale {roi.Scale}.");
    }

    private ImageBuffer RenderMask(MaskGroup group, MaskView view, CancellationToken cancellation)
    {
        var mask = ImageBuffer.Rent(Resources.Pool, view.Width, view.Height, 1);
        try
        {
            MaskRasterizer.Render(group, view, mask.Array.AsSpan(mask.Offset, view.Width * view.Height), Resources.Compute.Cpu, cancellation);
            return mask;
        }
        catch
        {
            mask.Dispose();
            throw;
        }
    }

    /// <summary>The group a blend names, checked so that a bad form fails when the pipe is built, naming the group.</summary>
    private static MaskGroup MaskFor(MaskSet masks, string id, string path)
    {
        var group = masks.Find(id) ?? throw new EditException(path, EditSerializer.MissingMask(id, masks));
        try
        {
            MaskRasterizer.Check(group);
        }
        catch (ArgumentException e)
        {
            throw new EditException($"masks.groups[{masks.Groups.IndexOf(group)}]", e.Message, e);
        }
        return group;
    }

    private static void CheckBlend(string instance, OperationInfo info, BufferFormat input, BufferFormat output, string path)
    {
        if (!info.Has(OperationFlags.SupportsBlending) || info.Has(OperationFlags.Geometric))
            throw new EditException($"{path}.blend", $"module '{instance}' does not support blending");
        if (input.Layout != output.Layout)
            throw new EditException($"{path}.blend", $"module '{instance}' turns {input.Layout} into {output.Layout}; only like with like blends");
    }

    /// <summary>The enabled instances in processing order with their edit entries (null: enabled by default) and JSON paths.</summary>
    private List<(string Instance, ModuleEntry? Entry, string Path)> Place(Edit edit)
    {
        var placed = new List<(string Instance, ModuleEntry? Entry, string Path, int Rank)>();
        for (var i = 0; i < edit.Modules.Length; i++)
        {
            var entry = edit.Modules[i];
            var path = $"modules[{i}]";
            if (!ModuleEntry.IsValidInstanceName(entry.Instance))
                throw new EditException($"{path}.module", $"'{entry.Instance}' is not a module instance name");
            if (!Modules.Contains(entry.ModuleId)) throw new EditException($"{path}.module", Modules.UnknownModule(entry.ModuleId));
            if (placed.Any(p => p.Instance == entry.Instance)) throw new EditException($"{path}.module", $"instance '{entry.Instance}' appears twice");
            // The first instance of a module runs before its other instances, which keep the edit's order.
            if (entry.Enabled) placed.Add((entry.Instance, entry, path, entry.Instance == entry.ModuleId ? -1 : i));
        }
        foreach (var module in Modules.Modules)
            if (module.Info.Has(OperationFlags.EnabledByDefault) && edit.IndexOf(module.Info.Id) < 0)
                placed.Add((module.Info.Id, null, $"(default {module.Info.Id})", -1));
        // A module that does another's job (demosaic_nn for demosaic) makes it step aside, so only one runs.
        var replaced = placed.SelectMany(p => Modules.Get(ModuleEntry.ModuleIdOf(p.Instance)).Info.Replaces).ToHashSet();
        placed.RemoveAll(p => replaced.Contains(ModuleEntry.ModuleIdOf(p.Instance)));

        if (edit.Order is { } order)
        {
            for (var i = 0; i < order.Length; i++)
            {
                if (!ModuleEntry.IsValidInstanceName(order[i]) || !Modules.Contains(ModuleEntry.ModuleIdOf(order[i])))
                    throw new EditException($"order[{i}]", $"'{order[i]}': {Modules.UnknownModule(ModuleEntry.ModuleIdOf(order[i]))}");
                if (order.IndexOf(order[i]) != i) throw new EditException($"order[{i}]", $"'{order[i]}' appears twice");
            }
            foreach (var p in placed)
                if (!order.Contains(p.Instance))
                    throw new EditException("order", $"the explicit order does not place enabled instance '{p.Instance}'");
            return placed.OrderBy(p => order.IndexOf(p.Instance)).Select(p => (p.Instance, p.Entry, p.Path)).ToList();
        }
        return placed
            .OrderBy(p => Modules.OrderIndexOf(ModuleEntry.ModuleIdOf(p.Instance)))
            .ThenBy(p => p.Rank)
            .Select(p => (p.Instance, p.Entry, p.Path))
            .ToList();
    }
}
