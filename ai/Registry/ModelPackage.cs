using RawEngine.AI.Contracts;

namespace RawEngine.AI.Registry;

/// <summary>An installed model: its manifest, its folder, and the search folder it was found in.</summary>
public sealed record ModelPackage(ModelManifest Manifest, string Directory, string SearchRoot, int SearchIndex)
{
    public string Id => Manifest.Id;
    public string Task => Manifest.Task;

    /// <summary>
    /// The path of a contract file ("model.onnx", "encoder.onnx"). A single-network package whose one
    /// .onnx file has another name is accepted as it is.
    /// </summary>
    public string FilePath(string contractFile)
    {
        var path = Path.Combine(Directory, contractFile);
        if (contractFile != TaskContract.SingleFile || File.Exists(path)) return path;
        var onnx = System.IO.Directory.Exists(Directory) ? System.IO.Directory.GetFiles(Directory, "*.onnx") : [];
        return onnx.Length == 1 ? onnx[0] : path;
    }
}
