using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace RawEngine.AI.Backend;

/// <summary>
/// One model input or output over pooled memory. Callers always read and write float32 through
/// <see cref="Span"/>; for a float16 tensor the binding converts into (inputs) or out of (outputs) a
/// pooled float16 twin around each run. The <see cref="OrtValue"/> is built once over the pinned
/// buffer, so a run copies nothing.
/// </summary>
public sealed class ModelTensor : IDisposable
{
    private float[]? _data;
    private Float16[]? _half;
    private OrtValue? _value;

    internal ModelTensor(string name, long[] shape, TensorElement element, bool isInput)
    {
        Name = name;
        shape = shape.ToArray();
        Shape = shape;
        Element = element;
        IsInput = isInput;
        long length = 1;
        foreach (var d in shape) length = checked(length * d);
        if (length > Array.MaxLength) throw new ArgumentException($"Tensor '{name}' of shape [{string.Join(",", shape)}] is too large for one buffer.");
        Length = (int)length;
        _data = ArrayPool<float>.Shared.Rent(Length);
        Array.Clear(_data, 0, Length);
        if (element == TensorElement.Float16)
        {
            _half = ArrayPool<Float16>.Shared.Rent(Length);
            _value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<Float16>(_half, 0, Length), shape);
        }
        else
        {
            _value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_data, 0, Length), shape);
        }
    }

    public string Name { get; }
    public IReadOnlyList<long> Shape { get; }
    public int Length { get; }

    /// <summary>The element type the model itself uses (float32 or float16).</summary>
    public TensorElement Element { get; }
    public bool IsInput { get; }

    /// <summary>The float32 values, row-major in <see cref="Shape"/>.</summary>
    public Span<float> Span => new(Data, 0, Length);

    public Memory<float> Memory => new(Data, 0, Length);

    internal OrtValue Value => _value ?? throw new ObjectDisposedException(nameof(ModelTensor), $"Tensor '{Name}' was disposed.");

    private float[] Data => _data ?? throw new ObjectDisposedException(nameof(ModelTensor), $"Tensor '{Name}' was disposed.");

    internal void BeforeRun()
    {
        if (_half is not null && IsInput)
            TensorPrimitives.ConvertToHalf(Span, MemoryMarshal.Cast<Float16, Half>(_half.AsSpan(0, Length)));
    }

    internal void AfterRun()
    {
        if (_half is not null && !IsInput)
            TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<Float16, Half>(_half.AsSpan(0, Length)), Span);
    }

    public void Dispose()
    {
        // The OrtValue holds the pin: release it before the arrays go back to the pool.
        _value?.Dispose();
        _value = null;
        if (_data is not null) ArrayPool<float>.Shared.Return(_data);
        if (_half is not null) ArrayPool<Float16>.Shared.Return(_half);
        _data = null;
        _half = null;
    }
}
