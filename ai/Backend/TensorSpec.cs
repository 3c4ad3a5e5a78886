using Microsoft.ML.OnnxRuntime.Tensors;

namespace RawEngine.AI.Backend;

/// <summary>Element types the engine can see in a model's tensors.</summary>
public enum TensorElement { Float32, Float16, Int64, Int32, Bool, UInt8, Other }

/// <summary>One input or output of a loaded model as ONNX Runtime reports it.</summary>
/// <param name="Dims">Dimensions; -1 where the model leaves a dimension free.</param>
/// <param name="SymbolicDims">The free dimensions' names ("height"), empty where fixed or unnamed.</param>
public sealed record TensorSpec(string Name, TensorElement Element, string ElementName, long[] Dims, string[] SymbolicDims)
{
    public int Rank => Dims.Length;

    public bool IsFloat => Element is TensorElement.Float32 or TensorElement.Float16;

    /// <summary>"[1,3,height,width] float32", for messages.</summary>
    public string Describe() =>
        $"[{string.Join(",", Dims.Select((d, i) => d >= 0 ? d.ToString() : SymbolicDims.ElementAtOrDefault(i) is { Length: > 0 } s ? s : "?"))}] {ElementName}";

    internal static TensorElement ElementOf(TensorElementType type) => type switch
    {
        TensorElementType.Float => TensorElement.Float32,
        TensorElementType.Float16 => TensorElement.Float16,
        TensorElementType.Int64 => TensorElement.Int64,
        TensorElementType.Int32 => TensorElement.Int32,
        TensorElementType.Bool => TensorElement.Bool,
        TensorElementType.UInt8 => TensorElement.UInt8,
        _ => TensorElement.Other,
    };

    internal static string NameOf(TensorElementType type) => type switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Float16 => "float16",
        _ => type.ToString().ToLowerInvariant(),
    };
}
