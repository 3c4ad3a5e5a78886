using Microsoft.ML.OnnxRuntime;
using RawEngine.Engine;

namespace RawEngine.AI.Backend;

/// <summary>
/// The pooled input and output tensors of one model for repeated runs at one set of shapes. Fill the
/// inputs' <see cref="ModelTensor.Span"/>, call <see cref="Run"/>, read the outputs. Not thread-safe:
/// one binding per thread; the model underneath is shared.
/// </summary>
public sealed class InferenceBinding : IDisposable
{
    private readonly OnnxModel _model;
    private readonly ModelTensor[] _inputs;
    private readonly ModelTensor[] _outputs;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputValues;
    private readonly OrtValue[] _outputValues;
    private readonly RunOptions _runOptions = new();

    internal InferenceBinding(OnnxModel model, IReadOnlyDictionary<string, long[]> shapes)
    {
        _model = model;
        foreach (var name in shapes.Keys)
            if (!model.Inputs.Any(t => t.Name == name) && !model.Outputs.Any(t => t.Name == name))
                throw new ArgumentException($"{model.Path}: has no tensor '{name}' to bind.", nameof(shapes));
        var made = new List<ModelTensor>();
        try
        {
            _inputs = model.Inputs.Select(spec => Make(spec, isInput: true)).ToArray();
            _outputs = model.Outputs.Select(spec => Make(spec, isInput: false)).ToArray();
        }
        catch
        {
            foreach (var t in made) t.Dispose();
            _runOptions.Dispose();
            throw;
        }
        _inputNames = _inputs.Select(t => t.Name).ToArray();
        _outputNames = _outputs.Select(t => t.Name).ToArray();
        _inputValues = _inputs.Select(t => t.Value).ToArray();
        _outputValues = _outputs.Select(t => t.Value).ToArray();

        ModelTensor Make(TensorSpec spec, bool isInput)
        {
            if (!shapes.TryGetValue(spec.Name, out var shape))
                throw new ArgumentException($"{model.Path}: no shape given for {(isInput ? "input" : "output")} tensor '{spec.Name}' {spec.Describe()}.", nameof(shapes));
            CheckShape(model, spec, shape);
            var tensor = new ModelTensor(spec.Name, shape, spec.Element, isInput);
            made.Add(tensor);
            return tensor;
        }
    }

    public IReadOnlyList<ModelTensor> Inputs => _inputs;
    public IReadOnlyList<ModelTensor> Outputs => _outputs;

    /// <summary>The input or output tensor named <paramref name="name"/>.</summary>
    public ModelTensor this[string name] =>
        Array.Find(_inputs, t => t.Name == name) ?? Array.Find(_outputs, t => t.Name == name)
        ?? throw new KeyNotFoundException($"{_model.Path}: no tensor '{name}' in this binding.");

    /// <summary>
    /// Gives input <paramref name="name"/> a new shape (a new, zeroed buffer), keeping every other tensor and its
    /// contents: a decoder whose prompt grows by a point keeps its large embedding inputs bound.
    /// </summary>
    public void Reshape(string name, long[] shape)
    {
        var index = Array.FindIndex(_inputs, t => t.Name == name);
        if (index < 0) throw new KeyNotFoundException($"{_model.Path}: no input tensor '{name}' in this binding.");
        var spec = _model.Input(name);
        CheckShape(_model, spec, shape);
        var tensor = new ModelTensor(name, shape, spec.Element, isInput: true);
        _inputs[index].Dispose();
        _inputs[index] = tensor;
        _inputValues[index] = tensor.Value;
    }

    /// <summary>Runs the model once over the bound buffers; cancellation stops ONNX Runtime mid-run.</summary>
    public void Run(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        foreach (var t in _inputs) t.BeforeRun();
        try
        {
            using var registration = ct.Register(static o => ((RunOptions)o!).Terminate = true, _runOptions);
            _model.Session.Run(_runOptions, _inputNames, _inputValues, _outputNames, _outputValues);
        }
        catch (OnnxRuntimeException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (OnnxRuntimeException e) when (InferenceMemoryException.IsAllocationFailure(e))
        {
            throw new InferenceMemoryException(ErrorSubjectKind.File, _model.Path, $"out of memory for tensors {string.Join(", ", _inputs.Select(t => $"[{string.Join(",", t.Shape)}]"))}: {e.Message}", e);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"{_model.Path}: inference failed: {e.Message}", e);
        }
        finally
        {
            // The registration is disposed by now, so its callback cannot fire again: a cancellation that
            // landed as the run ended must not poison the next run.
            if (ct.IsCancellationRequested) _runOptions.Terminate = false;
        }
        foreach (var t in _outputs) t.AfterRun();
    }

    public void Dispose()
    {
        foreach (var t in _inputs) t.Dispose();
        foreach (var t in _outputs) t.Dispose();
        _runOptions.Dispose();
    }

    private static void CheckShape(OnnxModel model, TensorSpec spec, long[] shape)
    {
        if (!spec.IsFloat)
            throw new ArgumentException($"{model.Path}: tensor '{spec.Name}' is {spec.ElementName}; the backend binds float32 and float16 tensors only.");
        if (shape.Length != spec.Rank)
            throw new ArgumentException($"{model.Path}: tensor '{spec.Name}' has rank {spec.Rank} {spec.Describe()}, the shape given [{string.Join(",", shape)}] has rank {shape.Length}.");
        for (var i = 0; i < shape.Length; i++)
        {
            var fixedSize = spec.Dims[i] >= 0 ? spec.Dims[i]
                : spec.SymbolicDims[i] is { Length: > 0 } s && model.FixedDims.TryGetValue(s, out var f) ? f : -1;
            if (shape[i] <= 0 || (fixedSize >= 0 && shape[i] != fixedSize))
                throw new ArgumentException($"{model.Path}: tensor '{spec.Name}' {spec.Describe()} cannot take shape [{string.Join(",", shape)}] (dimension {i}).");
        }
    }
}
