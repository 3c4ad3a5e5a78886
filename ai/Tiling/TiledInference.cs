using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.Engine.Buffers;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine;

namespace RawEngine.AI.Tiling;

/// <summary>Tiles finished of a tiled run, and the ladder size they run at.</summary>
public readonly record struct TileProgress(int Done, int Total, int LadderSize);

/// <summary>
/// How pipe values (linear, 1.0 = white) become what the network sees: multiplied per colour by
/// <see cref="Gains"/> (R, G, B; white balance taken off for a model trained without it), clamped to
/// [0, 1], through <see cref="Transfer"/>, then mapped onto the model's range by <see cref="Range"/>.
/// </summary>
public sealed record TileEncoding(Transfer Transfer, ChannelAffine Range, float[] Gains)
{
    public bool HasGains => Gains[0] != 1f || Gains[1] != 1f || Gains[2] != 1f;
}

/// <summary>
/// Runs an image-to-image network (masked-mosaic or planar RGB in, planar RGB out) over any region of
/// an image in tiles: the tile size is the largest of the model's ladder whose working set fits the
/// memory budget; tiles overlap by the halo and blend with linear ramps across its inner half; the grid sits on the CFA
/// period and every window starts on the model's CFA phase, mirrored by whole CFA periods past the
/// edges of the input; a tile that runs out of memory restarts the region one ladder size smaller.
/// A grid planned with an ensemble runs every tile in several views (transposed, turned, mirrored; see
/// <see cref="TileTransform"/>) and averages them. One binding per tensor size is pooled and reused across
/// tiles and calls. Thread-safe.
/// </summary>
public sealed class TiledInference : IDisposable
{
    /// <summary>What the network's own activations are assumed to take per tensor pixel: models do not
    /// declare it; this fits demosaicnet and NAFNet of width 16-32 with room to spare.</summary>
    public const long ActivationBytesPerPixel = 512;

    private readonly ConcurrentDictionary<(int Width, int Height), ConcurrentBag<TileBuffers>> _buffers = new();
    private readonly ILogger _logger;
    private readonly string _inputName;
    private readonly string _outputName;
    private volatile int _ceiling = int.MaxValue;

    public TiledInference(LoadedModel model, ILogger? logger = null)
    {
        Model = model;
        _logger = logger ?? NullLogger.Instance;
        var io = model.Io;
        if (io.Layout is not ("masked-mosaic" or "planar-rgb"))
            throw new ModelContractException(model.Package.Id, "io.layout \"{io.Layout}\" cannot be tiled here (masked-mosaic or planar-rgb)");
        if (io.Layout == "masked-mosaic" && (io.RangeMin != 0f || io.RangeMax != 1f))
            throw new ModelContractException(model.Package.Id, $"a masked-mosaic model must take the range [0, 1], not [{io.RangeMin}, {io.RangeMax}]");
        ModelCfa = io.Layout == "masked-mosaic" ? CfaPattern.FromRows(io.Cfa!.Pattern) : null;
        Tile = io.Tile ?? TaskDefaults.DefaultTile(model.Package.Task, ModelCfa);
        if (Tile.Sizes.Count == 0) throw new ModelContractException(model.Package.Id, "io.tile.sizes is empty");
        _inputName = io.Inputs["image"];
        _outputName = io.Outputs["image"];
    }

    public LoadedModel Model { get; }

    /// <summary>The ladder, halo and alignment: the manifest's, else the task's defaults.</summary>
    public TileSpec Tile { get; }

    /// <summary>The CFA pattern the model expects at its tensor's top-left; null for an RGB model.</summary>
    public CfaPattern? ModelCfa { get; }

    /// <summary>Bindings made so far and resting in the pool (one per tensor size when runs do not overlap).</summary>
    public int PooledBindings => _buffers.Values.Sum(bag => bag.Count);

    /// <summary>Bytes one tile of <paramref name="width"/> x <paramref name="height"/> takes: input and output
    /// tensors, the gathered pixels and the network's activations.</summary>
    public static long WorkingSetBytes(int width, int height, int inputChannels) =>
        (long)width * height * ((3 + 3 + inputChannels) * sizeof(float) + ActivationBytesPerPixel);

    /// <summary>The largest ladder size whose square tile fits <paramref name="budgetBytes"/> (the smallest when none does).</summary>
    public int LadderSizeFor(long budgetBytes, int inputChannels)
    {
        var sizes = Tile.Sizes.Where(s => s <= _ceiling).OrderByDescending(s => s).ToList();
        if (sizes.Count == 0) sizes = [Tile.Sizes.Min()];
        foreach (var size in sizes)
            if (WorkingSetBytes(size, size, inputChannels) <= budgetBytes) return size;
        _logger.LogWarning("Model {Id}: even a {Size} px tile needs {Need} MB, more than the {Budget} MB budget; using it anyway",
            Model.Package.Id, sizes[^1], WorkingSetBytes(sizes[^1], sizes[^1], inputChannels) >> 20, budgetBytes >> 20);
        return sizes[^1];
    }

    /// <summary>
    /// The grid for an image of <paramref name="image"/> whose CFA (at the image's origin) is
    /// <paramref name="imageCfa"/> (null: RGB), at the ladder size the budget allows.
    /// </summary>
    /// <param name="overlap">Halo per side; null takes the manifest's (or the task default).</param>
    /// <param name="ensemble">Views per tile, averaged (1, 2, 4 or 8; <see cref="TileTransform.Ensemble"/>).</param>
    /// <exception cref="ModelContractException">The model cannot take this kind of input (an X-Trans mosaic into a Bayer model).</exception>
    public TileGrid Plan(ImageSize image, CfaPattern? imageCfa, long budgetBytes, int? overlap = null, int ensemble = 1) =>
        Plan(image, imageCfa, LadderSizeFor(budgetBytes, imageCfa is null ? 4 : 1), overlap ?? Tile.Overlap, ensemble);

    public TileGrid Plan(ImageSize image, CfaPattern? imageCfa, int ladderSize, int overlap, int ensemble = 1) =>
        Plan(image, imageCfa, ladderSize, overlap, TileTransform.Ensemble(ensemble, imageCfa, ModelCfa));

    private TileGrid Plan(ImageSize image, CfaPattern? imageCfa, int ladderSize, int overlap, IReadOnlyList<TileTransform> transforms)
    {
        var (period, phase) = Phase(imageCfa);
        return TileGrid.Create(image, ladderSize, overlap, Math.Max(1, Tile.Align), period, phase, transforms);
    }

    /// <summary>
    /// Runs the network over <paramref name="region"/> (scale-1 image coordinates) and returns its output
    /// there as planar RGB in the model's encoding. <paramref name="input"/> holds <paramref name="inputRegion"/>
    /// (one channel for a mosaic model, RGBA for an RGB one); windows reaching past it are mirrored by whole
    /// CFA periods. Out of memory on a tile restarts the region one ladder size smaller (and later calls start there).
    /// Packing, blending and the result run through <paramref name="kernels"/> (null: the CPU's).
    /// </summary>
    public PlanarImage Run(TileGrid grid, CfaPattern? imageCfa, ImageBuffer input, Roi inputRegion, Roi region, TileEncoding encoding,
        CancellationToken cancellation = default, IProgress<TileProgress>? progress = null, IPixelKernels? kernels = null)
    {
        kernels ??= CpuPixelKernels.Instance;
        var channels = ModelCfa is null ? 4 : 1;
        if (input.Channels != channels)
            throw new ArgumentException($"model '{Model.Package.Id}' takes {(channels == 1 ? "a CFA mosaic" : "RGBA")}, not a {input.Channels}-channel buffer", nameof(input));
        if (!inputRegion.Contains(region)) throw new ArgumentException($"region {region} is not inside the input {inputRegion}", nameof(region));
        var period = imageCfa?.Width ?? 1;
        if (inputRegion.Width < period || inputRegion.Height < period)
            throw new ArgumentException($"input {inputRegion} is smaller than one CFA period ({period} px)", nameof(inputRegion));
        while (true)
        {
            if (grid.LadderSize > _ceiling) grid = Smaller(grid, imageCfa);
            try
            {
                return RunGrid(grid, imageCfa, input, inputRegion, region, encoding, channels, period, kernels, cancellation, progress);
            }
            catch (Exception e) when (e is InferenceMemoryException or OutOfMemoryException)
            {
                var smaller = Smaller(grid, imageCfa);
                _logger.LogWarning("Model {Id}: {Reason}; retrying with {Size} px tiles", Model.Package.Id, e.Message, smaller.LadderSize);
                _ceiling = Math.Min(_ceiling, smaller.LadderSize);
                grid = smaller;
            }
        }
    }

    /// <summary>The same grid one ladder size down.</summary>
    private TileGrid Smaller(TileGrid grid, CfaPattern? imageCfa)
    {
        var next = Tile.Sizes.Where(s => s < grid.LadderSize).DefaultIfEmpty(0).Max();
        if (next == 0)
            throw new InferenceMemoryException(ErrorSubjectKind.Model, Model.Package.Id, $"out of memory even at the smallest tile size ({grid.LadderSize} px)");
        return Plan(grid.Image, imageCfa, next, grid.Overlap, grid.Transforms);
    }

    private PlanarImage RunGrid(TileGrid grid, CfaPattern? imageCfa, ImageBuffer input, Roi inputRegion, Roi region, TileEncoding encoding, int channels, int period,
        IPixelKernels kernels, CancellationToken cancellation, IProgress<TileProgress>? progress)
    {
        var tiles = grid.TilesFor(region);
        var views = grid.Transforms.Select(t => (Transform: t, Phase: imageCfa is null || ModelCfa is null ? (0, 0) : t.PhaseOf(imageCfa, ModelCfa)
            ?? throw new ArgumentException($"the {imageCfa} mosaic seen through {t} is not the pattern of model '{Model.Package.Id}'", nameof(grid)))).ToList();
        using var accumulator = kernels.Accumulate(new TileRegion(region.X, region.Y, region.Width, region.Height));
        int width = grid.TensorWidth, height = grid.TensorHeight;
        var upright = RentBuffers(width, height, channels);
        // A transposed view of a tile that is not square runs at the swapped tensor size.
        var transposed = width != height && views.Any(v => v.Transform.Transpose) ? RentBuffers(height, width, channels) : null;
        var mapped = views.Any(v => !v.Transform.IsIdentity) ? ArrayPool<float>.Shared.Rent(3 * width * height) : null;
        try
        {
            for (var i = 0; i < tiles.Count; i++)
            {
                var tile = tiles[i];
                var place = tile.Placement;
                foreach (var (transform, phase) in views)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var buffers = transform.Transpose ? transposed ?? upright : upright;
                    var view = TileView.For(transform, phase, tile, width, height, period);
                    Gather(view, input, inputRegion, period, encoding, buffers);
                    var binding = buffers.Binding;
                    if (channels == 1)
                        kernels.CfaToMaskedMosaic(buffers.Scratch.AsMemory(0, buffers.Width * buffers.Height), buffers.Width, buffers.Height,
                            buffers.Width, ModelCfa!, encoding.Transfer, binding[_inputName].Memory);
                    else
                        kernels.RgbaToPlanar(buffers.Scratch.AsMemory(0, 4 * buffers.Width * buffers.Height), buffers.Width, buffers.Height,
                            4 * buffers.Width, binding[_inputName].Memory, encoding.Transfer, encoding.Range);
                    binding.Run(cancellation);
                    var output = binding[_outputName].Memory;
                    if (transform.IsIdentity)
                    {
                        accumulator.Add(output, width, height, place.X - tile.Window.X, place.Y - tile.Window.Y, place);
                        continue;
                    }
                    view.MapBack(output, buffers.Width, buffers.Height, place, mapped!);
                    accumulator.Add(mapped.AsMemory(0, 3 * place.Width * place.Height), place.Width, place.Height, 0, 0, place);
                }
                progress?.Report(new TileProgress(i + 1, tiles.Count, grid.LadderSize));
            }
            _logger.LogDebug("Model {Id}: {Tiles} tiles of {Grid} for {Region} ({Kernels})", Model.Package.Id, tiles.Count, grid, region, kernels.Device);
            return accumulator.Resolve();
        }
        finally
        {
            if (mapped is not null) ArrayPool<float>.Shared.Return(mapped);
            ReturnBuffers(upright);
            if (transposed is not null) ReturnBuffers(transposed);
        }
    }

    /// <summary>
    /// Copies the view's pixels into the scratch tile: coordinates outside the input are mirrored by whole
    /// CFA periods (so every pixel keeps its colour), then per-colour gains and the clamp to [0, 1].
    /// </summary>
    private void Gather(TileView view, ImageBuffer input, Roi inputRegion, int period, TileEncoding encoding, TileBuffers buffers)
    {
        int width = buffers.Width, height = buffers.Height, channels = input.Channels;
        // Tensor rows walk the image's rows, or its columns when transposed; each becomes a buffer offset.
        int Row(int y) => MirrorByPeriods(y - inputRegion.Y, inputRegion.Height, period) * input.Stride;
        int Column(int x) => MirrorByPeriods(x - inputRegion.X, inputRegion.Width, period) * channels;
        var t = view.Transform;
        for (var i = 0; i < height; i++)
        {
            var along = t.Transpose ? view.X0 + (t.FlipColumns ? -i : i) : view.Y0 + (t.FlipRows ? -i : i);
            buffers.RowOffsets[i] = t.Transpose ? Column(along) : Row(along);
        }
        for (var j = 0; j < width; j++)
        {
            var along = t.Transpose ? view.Y0 + (t.FlipRows ? -j : j) : view.X0 + (t.FlipColumns ? -j : j);
            buffers.ColumnOffsets[j] = t.Transpose ? Row(along) : Column(along);
        }
        var source = input.Array;
        var scratch = buffers.Scratch;
        var cfa = ModelCfa;
        var gains = encoding.Gains;
        var hasGains = encoding.HasGains;
        Parallel.For(0, Math.Min(height, Environment.ProcessorCount * 4), band =>
        {
            var bands = Math.Min(height, Environment.ProcessorCount * 4);
            int y0 = band * height / bands, y1 = (band + 1) * height / bands;
            for (var y = y0; y < y1; y++)
            {
                var row = input.Offset + buffers.RowOffsets[y];
                var dst = scratch.AsSpan(y * width * channels, width * channels);
                if (channels == 1)
                    for (var x = 0; x < width; x++)
                    {
                        var v = source[row + buffers.ColumnOffsets[x]];
                        if (hasGains) v *= gains[cfa!.ColorAt(y, x)];
                        dst[x] = Math.Clamp(v, 0f, 1f);
                    }
                else
                    for (var x = 0; x < width; x++)
                    {
                        var at = row + buffers.ColumnOffsets[x];
                        for (var c = 0; c < 3; c++) dst[4 * x + c] = Math.Clamp(source[at + c] * gains[c], 0f, 1f);
                        dst[4 * x + 3] = 1f;
                    }
            }
        });
    }

    /// <summary>
    /// Maps a coordinate into [0, size) by mirroring whole blocks of <paramref name="period"/> pixels at each
    /// edge: the position inside its block is kept, so a CFA pattern stays intact (period 1 is a plain mirror).
    /// </summary>
    public static int MirrorByPeriods(int x, int size, int period)
    {
        while (x < 0 || x >= size)
        {
            if (x < 0)
            {
                var block = (x - (period - 1)) / period; // floor division for negatives
                x = (-block - 1) * period + (x - block * period);
            }
            else
            {
                var past = x - size;
                x = size - (past / period + 1) * period + past % period;
            }
        }
        return x;
    }

    private (int Period, (int Dy, int Dx) Phase) Phase(CfaPattern? imageCfa)
    {
        if (ModelCfa is null)
        {
            if (imageCfa is not null)
                throw new ModelContractException(Model.Package.Id, $"takes RGB, not a CFA mosaic");
            return (1, (0, 0));
        }
        if (imageCfa is null)
            throw new ModelContractException(Model.Package.Id, $"takes a {Model.Io.Cfa!.Type} mosaic, not RGB");
        var offset = imageCfa.OffsetTo(ModelCfa)
            ?? throw new ModelContractException(Model.Package.Id, $"takes a {Model.Io.Cfa!.Type} mosaic ({string.Join("/", ModelCfa.Rows)}); the image's CFA {imageCfa} is not that pattern at any phase");
        return (ModelCfa.Width, offset);
    }

    private TileBuffers RentBuffers(int width, int height, int channels)
    {
        if (_buffers.TryGetValue((width, height), out var bag) && bag.TryTake(out var buffers)) return buffers;
        var binding = Model.Network.Bind(new Dictionary<string, long[]>
        {
            [_inputName] = [1, 3, height, width],
            [_outputName] = [1, 3, height, width],
        });
        return new TileBuffers(binding, ArrayPool<float>.Shared.Rent(width * height * channels), new int[height], new int[width], width, height);
    }

    private void ReturnBuffers(TileBuffers buffers) =>
        _buffers.GetOrAdd((buffers.Width, buffers.Height), _ => []).Add(buffers);

    public void Dispose()
    {
        foreach (var bag in _buffers.Values)
            while (bag.TryTake(out var buffers)) buffers.Dispose();
        _buffers.Clear();
    }

    /// <summary>Everything one tensor size needs, made once and reused: the binding, the gathered pixels, where each
    /// tensor row and column reads the input (mirrored and viewed).</summary>
    private sealed class TileBuffers(InferenceBinding binding, float[] scratch, int[] rowOffsets, int[] columnOffsets, int width, int height) : IDisposable
    {
        public InferenceBinding Binding { get; } = binding;
        public float[] Scratch { get; } = scratch;
        public int[] RowOffsets { get; } = rowOffsets;
        public int[] ColumnOffsets { get; } = columnOffsets;
        public int Width { get; } = width;
        public int Height { get; } = height;

        public void Dispose()
        {
            Binding.Dispose();
            ArrayPool<float>.Shared.Return(Scratch);
        }
    }
}
