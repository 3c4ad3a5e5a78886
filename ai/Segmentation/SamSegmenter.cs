using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Kernels;
using RawEngine.AI.Registry;
using RawEngine.Engine.Buffers;

namespace RawEngine.AI.Segmentation;

/// <summary>How a <see cref="SamSegmenter"/> keeps its work.</summary>
public sealed record SegmenterOptions
{
    /// <summary>Encoded images (embeddings, about 16 MB each) kept for further clicks, least recently used dropped first.</summary>
    public int CachedImages { get; init; } = 4;

    /// <summary>How a decode picks among its multimask outputs; null: as the model's manifest says (<c>attributes.mask_choice</c>), else by predicted IoU.</summary>
    public MaskChoice? MaskChoice { get; init; }

    /// <summary>
    /// Whether masks are refined against the picture (<see cref="MaskRefiner"/>: a colour model and contrast-sensitive
    /// smoothing on the logit grid, edges snapped to the frame's pixels) or are the network's logits upscaled as they are.
    /// </summary>
    public bool Refine { get; init; } = true;

    /// <summary>Where masks are resized to the image: an engine's <see cref="PixelKernels.For"/> (its GPU when it has one); the CPU by default.</summary>
    public IPixelKernels Kernels { get; init; } = CpuPixelKernels.Instance;
}

/// <summary>How the best of a decoder's multimask outputs is chosen.</summary>
public enum MaskChoice
{
    /// <summary>The decoder's own IoU prediction (SAM's rule).</summary>
    PredictedIoU,

    /// <summary>
    /// The stability score SAM's automatic mask generator filters by: the IoU between the mask's logits
    /// thresholded at +1 and at -1. For models whose IoU head ranks poorly (our small segmenter after its CPU
    /// training: 0.82 mean IoU after one click by stability, 0.76 by its own prediction; 0.915 vs 0.910 now).
    /// </summary>
    Stability,
}

/// <summary>An image the encoder has seen: its embeddings, kept by the segmenter under <see cref="Key"/>.</summary>
public sealed class SegmentationTarget
{
    internal SegmentationTarget(string key, SamFrame frame, IReadOnlyDictionary<string, float[]> embeddings, FrameGuide guide)
    {
        Key = key;
        Frame = frame;
        Embeddings = embeddings;
        Guide = guide;
    }

    /// <summary>The caller's identity for the render: the image and every edit upstream of it.</summary>
    public string Key { get; }

    public SamFrame Frame { get; }
    public int ImageWidth => Frame.ImageWidth;
    public int ImageHeight => Frame.ImageHeight;

    internal IReadOnlyDictionary<string, float[]> Embeddings { get; }

    /// <summary>The picture the encoder saw, at frame size, for refining masks.</summary>
    public FrameGuide Guide { get; }
}

/// <summary>
/// A SAM-family promptable segmenter over one mask package (encoder + decoder). The encoder runs once
/// per (image, upstream edit) key on an 8-bit display render; its embeddings are cached (bounded), so
/// each click only decodes. Start a <see cref="MaskPrompt"/> per object and click. Both decoder
/// signatures (SAM 2.1 and SAM 1 / HQ-SAM) are told apart by tensor names. Thread-safe.
/// </summary>
public sealed class SamSegmenter : IDisposable
{
    private readonly OnnxModel _encoder;
    private readonly OnnxModel _decoder;
    private readonly SamSignature _signature;
    private readonly SegmenterOptions _options;
    private readonly ILogger _logger;
    private readonly string _encoderInput;
    private readonly Dictionary<string, long[]> _encoderShapes;
    private readonly Dictionary<string, long[]> _embeddingShapes;
    private readonly LinkedList<SegmentationTarget> _cache = new();
    private readonly object _cacheLock = new();
    private readonly object _encodeLock = new();
    private readonly object _decodeLock = new();
    private InferenceBinding? _encoderBinding;
    private InferenceBinding? _decoderBinding;
    private SegmentationTarget? _decoderTarget;
    private int _decoderPoints;
    private int _encoderRuns;

    /// <summary>
    /// A segmenter over an encoder and decoder already loaded. <paramref name="tensorNames"/> maps roles to
    /// tensor names where a package renames them (its io block); <paramref name="declaredMaskCount"/> is the
    /// manifest's <c>multimask_outputs</c>, needed only when the decoder leaves its mask count free.
    /// </summary>
    public SamSegmenter(string modelId, OnnxModel encoder, OnnxModel decoder, IReadOnlyDictionary<string, string>? tensorNames = null,
        int? declaredMaskCount = null, SegmenterOptions? options = null, ILogger? logger = null)
    {
        ModelId = modelId;
        _encoder = encoder;
        _decoder = decoder;
        _options = options ?? new SegmenterOptions();
        if (_options.CachedImages < 1) throw new ArgumentOutOfRangeException(nameof(options), $"CachedImages must be at least 1, not {_options.CachedImages}.");
        _logger = logger ?? NullLogger.Instance;
        _signature = SamSignature.Match(modelId, decoder, tensorNames, declaredMaskCount);

        if (encoder.Inputs.Count != 1)
            throw new ModelContractException(modelId, $"the encoder has inputs {string.Join(", ", encoder.Inputs.Select(t => t.Name))}; a SAM encoder takes one image [1,3,{SamFrame.Side},{SamFrame.Side}]");
        var image = encoder.Inputs[0];
        _encoderInput = image.Name;
        _encoderShapes = new() { [image.Name] = [1, 3, SamFrame.Side, SamFrame.Side] };
        foreach (var output in encoder.Outputs) _encoderShapes[output.Name] = StaticShape(output, "encoder output");
        _embeddingShapes = [];
        foreach (var input in _signature.EmbeddingInputs(decoder))
        {
            var produced = encoder.Outputs.FirstOrDefault(o => o.Name == input.Name)
                ?? throw new ModelContractException(modelId, $"the decoder input '{input.Name}' {input.Describe()} is not an encoder output (encoder outputs: {string.Join(", ", encoder.Outputs.Select(o => o.Name))})");
            _embeddingShapes[input.Name] = _encoderShapes[produced.Name];
        }
        _logger.LogDebug("Segmenter {Model}: {Variant} decoder, {Count} masks per decode, embeddings {Embeddings}",
            modelId, Variant, _signature.MaskCount, string.Join(", ", _embeddingShapes.Keys));

        long[] StaticShape(TensorSpec spec, string what) => spec.Dims.All(d => d > 0) ? spec.Dims
            : throw new ModelContractException(modelId, $"{what} '{spec.Name}' {spec.Describe()} has free dimensions; the segmenter needs fixed embedding shapes");
    }

    /// <summary>Opens a <c>mask</c> package through <paramref name="host"/> (contract-checked) as a segmenter.</summary>
    public static SamSegmenter Open(ModelHost host, ModelPackage package, SegmenterOptions? options = null, ILogger? logger = null)
    {
        if (package.Task != TaskDefaults.Mask)
            throw new ModelContractException(package.Id, $"is a {package.Task} model, not a {TaskDefaults.Mask} model");
        var loaded = host.Open(package);
        var names = new Dictionary<string, string>(loaded.Io.Outputs);
        foreach (var (role, name) in loaded.Io.Inputs) names[role] = name;
        options ??= new SegmenterOptions();
        options = options with { MaskChoice = options.MaskChoice ?? DeclaredMaskChoice(package) };
        return new SamSegmenter(package.Id, loaded.Networks[TaskContract.EncoderFile], loaded.Networks[TaskContract.DecoderFile],
            names, DeclaredMaskCount(package.Manifest), options, logger);
    }

    public string ModelId { get; }

    public MaskVariant Variant => _signature.Variant;

    /// <summary>How many times the encoder has run (a cached image costs none).</summary>
    public int EncoderRuns => Volatile.Read(ref _encoderRuns);

    /// <summary>
    /// The encoded image for <paramref name="key"/>: from the cache, else the encoder runs on
    /// <paramref name="render"/> (a display render of the whole <paramref name="imageWidth"/> x
    /// <paramref name="imageHeight"/> image, at any scale).
    /// </summary>
    public SegmentationTarget Encode(string key, int imageWidth, int imageHeight, DisplayRender render, CancellationToken cancellation = default)
    {
        var frame = new SamFrame(imageWidth, imageHeight);
        return Cached(key, frame) ?? EncodeNew(key, frame, render, cancellation);
    }

    /// <summary>As <see cref="Encode"/>, rendering only when the key is not cached; the render is disposed after encoding.</summary>
    public async Task<SegmentationTarget> EncodeAsync(string key, int imageWidth, int imageHeight, Func<CancellationToken, Task<ImageBuffer>> render,
        CancellationToken cancellation = default)
    {
        var frame = new SamFrame(imageWidth, imageHeight);
        if (Cached(key, frame) is { } cached) return cached;
        using var buffer = await render(cancellation);
        return await Task.Run(() => EncodeNew(key, frame, DisplayRender.Of(buffer), cancellation), cancellation);
    }

    /// <summary>A new prompt (points, box, previous mask) for one object in <paramref name="target"/>.</summary>
    public MaskPrompt StartPrompt(SegmentationTarget target) => new(this, target, _options.Refine);

    /// <summary>The kernels that resize this segmenter's masks.</summary>
    internal IPixelKernels Kernels => _options.Kernels;

    /// <summary>As <see cref="StartPrompt(SegmentationTarget)"/>, refining masks or not whatever the options say.</summary>
    public MaskPrompt StartPrompt(SegmentationTarget target, bool refine) => new(this, target, refine);

    public void Dispose()
    {
        lock (_encodeLock)
        {
            _encoderBinding?.Dispose();
            _encoderBinding = null;
        }
        lock (_decodeLock)
        {
            _decoderBinding?.Dispose();
            (_decoderBinding, _decoderTarget) = (null, null);
        }
        lock (_cacheLock) _cache.Clear();
    }

    /// <summary>
    /// One decode: the prompts in frame pixels (box corners labelled 2 and 3; SAM 1 gets the (0,0)/-1 padding
    /// point when there is no box), the previous low-res logits as mask input; returns the best multimask
    /// output's 256x256 logits and its predicted IoU.
    /// </summary>
    internal (float[] Logits, float Score, int Index) Decode(SegmentationTarget target, IReadOnlyList<PromptPoint> points, PromptBox? box,
        float[]? previous, CancellationToken cancellation)
    {
        var coords = new List<(float X, float Y, float Label)>();
        foreach (var p in points)
        {
            var (x, y) = target.Frame.ToFrame(p.X, p.Y);
            coords.Add((x, y, p.Positive ? 1 : 0));
        }
        if (box is { } b)
        {
            var (x0, y0) = target.Frame.ToFrame(b.X0, b.Y0);
            var (x1, y1) = target.Frame.ToFrame(b.X1, b.Y1);
            coords.Add((x0, y0, 2));
            coords.Add((x1, y1, 3));
        }
        else if (Variant == MaskVariant.Sam1)
            coords.Add((0, 0, -1));

        const int low = SamFrame.LowResSide;
        var count = _signature.MaskCount;
        var n = coords.Count;
        var clock = Stopwatch.StartNew();
        lock (_decodeLock)
        {
            var binding = DecoderBinding(target, n);
            var pointSpan = binding[_signature["point_coords"]].Span;
            var labelSpan = binding[_signature["point_labels"]].Span;
            for (var i = 0; i < n; i++)
            {
                pointSpan[2 * i] = coords[i].X;
                pointSpan[2 * i + 1] = coords[i].Y;
                labelSpan[i] = coords[i].Label;
            }
            var maskInput = binding[_signature["mask_input"]].Span;
            if (previous is not null) previous.CopyTo(maskInput);
            else maskInput.Clear();
            binding[_signature["has_mask_input"]].Span[0] = previous is null ? 0 : 1;
            binding.Run(cancellation);

            // The multimask outputs: SAM 1's exporter puts the single-mask output first when it returns four.
            var iou = binding[_signature.Iou].Span;
            var first = count == 4 ? 1 : 0;
            var masks = binding[_signature.Masks].Span;
            var best = first;
            var bestScore = float.NegativeInfinity;
            for (var i = first; i < count; i++)
            {
                var score = _options.MaskChoice == MaskChoice.Stability ? Stability(masks.Slice(i * low * low, low * low)) : iou[i];
                if (score > bestScore) (best, bestScore) = (i, score);
            }
            var logits = masks.Slice(best * low * low, low * low).ToArray();
            _logger.LogDebug("Decoded {Points} prompt points on {Key}: mask {Index} (IoU {Score:0.000}) in {Ms:0.0} ms",
                n, target.Key, best, iou[best], clock.Elapsed.TotalMilliseconds);
            return (logits, iou[best], best);
        }
    }

    /// <summary>
    /// The decoder's tensors for <paramref name="target"/> with <paramref name="points"/> prompt points: the
    /// embeddings are copied in once per target; a further click only reshapes the point tensors.
    /// </summary>
    private InferenceBinding DecoderBinding(SegmentationTarget target, int points)
    {
        if (_decoderBinding is not null && ReferenceEquals(_decoderTarget, target))
        {
            if (_decoderPoints != points)
            {
                _decoderBinding.Reshape(_signature["point_coords"], [1, points, 2]);
                _decoderBinding.Reshape(_signature["point_labels"], [1, points]);
                _decoderPoints = points;
            }
            return _decoderBinding;
        }
        _decoderBinding?.Dispose();
        _decoderBinding = null;
        const int low = SamFrame.LowResSide;
        var count = _signature.MaskCount;
        var shapes = new Dictionary<string, long[]>(_embeddingShapes)
        {
            [_signature["point_coords"]] = [1, points, 2],
            [_signature["point_labels"]] = [1, points],
            [_signature["mask_input"]] = [1, 1, low, low],
            [_signature["has_mask_input"]] = [1],
            [_signature.Iou] = [1, count],
            [_signature.Masks] = [1, count, low, low],
        };
        if (Variant == MaskVariant.Sam1)
        {
            // The full-size masks are not used (the low-res logits are post-processed like SAM 2.1's): ask for them small.
            var (height, width) = (Math.Max(1, (target.Frame.Height + 2) / 4), Math.Max(1, (target.Frame.Width + 2) / 4));
            shapes[_signature["orig_im_size"]] = [2];
            shapes[_signature["masks"]] = [1, count, height, width];
        }
        var binding = _decoder.Bind(shapes);
        foreach (var (name, values) in target.Embeddings) values.CopyTo(binding[name].Span);
        if (Variant == MaskVariant.Sam1)
        {
            var size = binding[_signature["orig_im_size"]].Span;
            (size[0], size[1]) = (shapes[_signature["masks"]][2], shapes[_signature["masks"]][3]);
        }
        (_decoderBinding, _decoderTarget, _decoderPoints) = (binding, target, points);
        return binding;
    }

    private SegmentationTarget? Cached(string key, SamFrame frame)
    {
        lock (_cacheLock)
        {
            for (var node = _cache.First; node is not null; node = node.Next)
                if (node.Value.Key == key && node.Value.Frame == frame)
                {
                    _cache.Remove(node);
                    _cache.AddFirst(node);
                    return node.Value;
                }
        }
        return null;
    }

    private SegmentationTarget EncodeNew(string key, SamFrame frame, DisplayRender render, CancellationToken cancellation)
    {
        lock (_encodeLock)
        {
            if (Cached(key, frame) is { } done) return done; // another thread encoded it meanwhile
            cancellation.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            _encoderBinding ??= _encoder.Bind(_encoderShapes);
            var guide = frame.FillEncoderInput(render, _encoderBinding[_encoderInput].Span);
            _encoderBinding.Run(cancellation);
            Interlocked.Increment(ref _encoderRuns);
            var embeddings = _embeddingShapes.Keys.ToDictionary(name => name, name => _encoderBinding[name].Span.ToArray());
            var target = new SegmentationTarget(key, frame, embeddings, guide);
            lock (_cacheLock)
            {
                _cache.AddFirst(target);
                while (_cache.Count > _options.CachedImages) _cache.RemoveLast();
            }
            _logger.LogInformation("Encoded {Key} ({Width}x{Height}, render {RenderWidth}x{RenderHeight}) with {Model} in {Ms:0} ms",
                key, frame.ImageWidth, frame.ImageHeight, render.Width, render.Height, ModelId, clock.Elapsed.TotalMilliseconds);
            return target;
        }
    }

    /// <summary>|logits &gt; 1| / |logits &gt; -1|: how little the mask moves when its threshold does.</summary>
    private static float Stability(ReadOnlySpan<float> logits)
    {
        long inner = 0, outer = 0;
        foreach (var value in logits)
        {
            if (value > 1) inner++;
            if (value > -1) outer++;
        }
        return outer == 0 ? 0 : (float)inner / outer;
    }

    private static MaskChoice DeclaredMaskChoice(ModelPackage package) =>
        package.Manifest.Attributes is { ValueKind: JsonValueKind.Object } attributes && attributes.TryGetProperty("mask_choice", out var choice)
            ? choice.GetString() switch
            {
                "predicted_iou" => MaskChoice.PredictedIoU,
                "stability" => MaskChoice.Stability,
                var other => throw new ModelContractException(package.Id, $"attributes.mask_choice '{other}' is neither 'predicted_iou' nor 'stability'"),
            }
            : MaskChoice.PredictedIoU;

    private static int? DeclaredMaskCount(ModelManifest manifest) =>
        manifest.Attributes is { ValueKind: JsonValueKind.Object } attributes
        && attributes.TryGetProperty("multimask_outputs", out var count) && count.TryGetInt32(out var value) ? value : null;
}
