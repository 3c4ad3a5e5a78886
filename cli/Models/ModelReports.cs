using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RawEngine.AI.Backend;
using RawEngine.AI.Contracts;
using RawEngine.AI.Hosting;
using RawEngine.AI.Install;
using RawEngine.AI.Registry;
using RawEngine.Cli.Commands;

namespace RawEngine.Cli.Models;

/// <summary>What a model takes: its io block completed with the task's defaults.</summary>
public sealed record ModelInputReport(string? Layout, string? Encoding, RawInfoReport.CfaReport? Cfa)
{
    /// <summary>Null for a manifest whose task the engine does not know.</summary>
    public static ModelInputReport? Of(ModelManifest manifest)
    {
        try { return From(TaskDefaults.EffectiveIo(manifest)); }
        catch (ModelContractException) { return null; }
    }

    public static ModelInputReport From(ModelIo io) =>
        new(io.Layout, io.Encoding, io.Cfa is { } cfa ? new RawInfoReport.CfaReport(cfa.Type, [.. cfa.Pattern]) : null);

    /// <summary>"bayer GR/BG", or the layout for an RGB model.</summary>
    public string Describe() => Cfa is null ? Layout ?? "?" : $"{Cfa.Type} {string.Join('/', Cfa.Pattern)}";
}

/// <summary><c>models list</c>: the models in search order, the folders searched, the folders skipped, and the
/// catalog's models not installed yet.</summary>
public sealed record ModelListReport(
    IReadOnlyList<string> SearchPaths,
    string InstallDirectory,
    string ActiveConfig,
    IReadOnlyList<ModelListReport.Entry> Models,
    IReadOnlyList<ModelListReport.Problem> Problems,
    IReadOnlyList<ModelListReport.Offer> Available)
{
    public sealed record Entry(string Id, string Name, string Task, string Arch, string Version, ModelInputReport? Input, bool Default, bool Active, string Directory)
    {
        [JsonIgnore]
        public string Flags => string.Join(',', new[] { Active ? "active" : null, Default ? "default" : null }.OfType<string>());
    }

    public sealed record Problem(string Directory, string Message);

    /// <param name="Source">The shipped package's path, or the URL it downloads from.</param>
    public sealed record Offer(string Id, string? Task, string? Description, long? Size, string? License, string Source);

    public static ModelListReport From(ModelRegistry registry, ActiveModelConfig active, ModelCatalog? catalog) => new(
        registry.SearchPaths,
        registry.InstallDirectory,
        active.Path,
        [.. registry.Models.Select(m => new Entry(m.Id, m.Manifest.Name, m.Task, m.Manifest.Arch, m.Manifest.Version,
            ModelInputReport.Of(m.Manifest), m.Manifest.IsDefault, active.ActiveFor(m.Task) == m.Id, m.Directory))],
        [.. registry.Problems.Select(p => new Problem(p.Directory, p.Message))],
        [.. (catalog?.Entries ?? []).Where(e => registry.Find(e.Id) is null)
            .Select(e => new Offer(e.Id, e.Task, e.Description, e.Size, e.License, e.Path ?? e.Url ?? e.File ?? ""))]);

    public string ToText()
    {
        var text = new StringBuilder();
        if (Models.Count == 0) text.AppendLine("No models found.");
        else
            text.Append(TextColumns.Format([["ID", "TASK", "INPUT", "FLAGS", "FOLDER"],
                .. Models.Select(m => new[] { m.Id, m.Task, m.Input?.Describe() ?? "?", m.Flags, m.Directory })]));
        text.AppendLine($"Searched: {string.Join(", ", SearchPaths)}");
        text.AppendLine($"Installs go to: {InstallDirectory}");
        foreach (var problem in Problems) text.AppendLine($"Skipped {problem.Directory}: {problem.Message}");
        if (Available.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Not installed, offered by the catalog (rawengine models install <id>, or --all for every shipped one):");
            text.Append(TextColumns.Format([["ID", "TASK", "SIZE", "LICENCE", "FROM"],
                .. Available.Select(a => new[] { a.Id, a.Task ?? "?", Megabytes(a.Size), a.License ?? "?", a.Source })]));
        }
        return text.ToString();
    }

    private static string Megabytes(long? bytes) => bytes is { } b ? (b / 1e6).ToString("0.0 MB", CultureInfo.InvariantCulture) : "?";
}

/// <summary><c>models info</c>: the manifest, the io contract in force, and each network's real tensors.</summary>
public sealed record ModelInfoReport
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string Task { get; init; }
    public required string Arch { get; init; }
    public required string Version { get; init; }
    public required string Backend { get; init; }
    public required string Directory { get; init; }
    public required bool Default { get; init; }
    public required bool Active { get; init; }
    public required bool Tiling { get; init; }
    /// <summary>The SAM decoder signature of a mask model ("sam2", "sam1").</summary>
    public string? Variant { get; init; }
    public required IoReport Io { get; init; }
    public required IReadOnlyList<NetworkReport> Networks { get; init; }
    public JsonElement? ModelCard { get; init; }

    public sealed record IoReport(
        IReadOnlyDictionary<string, string> Inputs,
        IReadOnlyDictionary<string, string> Outputs,
        string? Layout,
        string? Encoding,
        float[] Range,
        string? WhiteBalance,
        RawInfoReport.CfaReport? Cfa,
        TileSpec? Tile,
        IReadOnlyDictionary<string, long> FixedDims);

    public sealed record NetworkReport(string File, string Path, IReadOnlyList<TensorReport> Inputs, IReadOnlyList<TensorReport> Outputs);

    /// <param name="Role">What the engine feeds or reads through it ("image"), from the task contract.</param>
    /// <param name="Dims">-1 where the model leaves a dimension free.</param>
    /// <param name="SymbolicDims">The free dimensions' names ("height"), empty where fixed or unnamed.</param>
    /// <param name="Text">"[?,3,height,width] float32", for the text form.</param>
    public sealed record TensorReport(string Name, string? Role, string Element, long[] Dims, string[] SymbolicDims, [property: JsonIgnore] string Text);

    public static ModelInfoReport From(LoadedModel model, ActiveModelConfig active)
    {
        var manifest = model.Package.Manifest;
        var io = model.Io;
        TensorReport Tensor(string file, bool isInput, TensorSpec spec) => new(
            spec.Name,
            model.Contract.Tensors.FirstOrDefault(t => t.File == file && t.IsInput == isInput && t.Name == spec.Name)?.Role,
            spec.ElementName,
            spec.Dims,
            spec.SymbolicDims,
            spec.Describe());
        return new ModelInfoReport
        {
            Id = manifest.Id,
            Name = manifest.Name,
            Description = manifest.Description,
            Task = manifest.Task,
            Arch = manifest.Arch,
            Version = manifest.Version,
            Backend = manifest.Backend,
            Directory = model.Package.Directory,
            Default = manifest.IsDefault,
            Active = active.ActiveFor(manifest.Task) == manifest.Id,
            Tiling = manifest.Tiling,
            Variant = model.Contract.Variant?.ToString().ToLowerInvariant(),
            Io = new IoReport(io.Inputs, io.Outputs, io.Layout, io.Encoding, [io.RangeMin, io.RangeMax], io.WhiteBalance,
                ModelInputReport.From(io).Cfa, io.Tile, io.FixedDims),
            Networks = [.. model.Contract.Files.Select(file => new NetworkReport(
                file, model.Networks[file].Path,
                [.. model.Networks[file].Inputs.Select(t => Tensor(file, true, t))],
                [.. model.Networks[file].Outputs.Select(t => Tensor(file, false, t))]))],
            ModelCard = manifest.ModelCard,
        };
    }

    public string ToText()
    {
        static string Number(float value) => value.ToString("0.###", CultureInfo.InvariantCulture);
        var flags = string.Join(", ", new[] { Active ? "active" : null, Default ? "default" : null, Tiling ? "tiling" : null }.OfType<string>());
        List<string[]> fields =
        [
            ["Id", Id],
            ["Name", Name],
            ["Description", Description],
            ["Task", Arch.Length > 0 ? $"{Task} ({Arch}{(Variant is null ? "" : ", " + Variant)})" : Task],
            ["Version", Version],
            ["Folder", Directory],
            ["Flags", flags.Length > 0 ? flags : "-"],
            ["Input", $"{Io.Layout}, {Io.Encoding} [{Number(Io.Range[0])}, {Number(Io.Range[1])}], white balance {Io.WhiteBalance}"],
        ];
        if (Io.Cfa is { } cfa) fields.Add(["CFA", $"{cfa.Type} {string.Join('/', cfa.Pattern)}"]);
        if (Io.Tile is { } tile) fields.Add(["Tiles", $"{string.Join(' ', tile.Sizes)} px, overlap {tile.Overlap}, align {tile.Align}"]);
        if (Io.FixedDims.Count > 0) fields.Add(["Fixed dims", string.Join(", ", Io.FixedDims.Select(d => $"{d.Key}={d.Value}"))]);
        var text = new StringBuilder(TextColumns.Format(fields));
        foreach (var network in Networks)
        {
            text.AppendLine($"{network.File}:");
            text.Append(TextColumns.Format(
                network.Inputs.Select(t => Row("in", t)).Concat(network.Outputs.Select(t => Row("out", t))), indent: "  "));
        }
        if (ModelCard is { ValueKind: JsonValueKind.Object } card)
        {
            text.AppendLine("Model card:");
            text.Append(TextColumns.Format(card.EnumerateObject().Select(p => new[] { p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText() }), indent: "  "));
        }
        return text.ToString();

        static string[] Row(string direction, TensorReport t) => [direction, t.Name, t.Role is null ? "" : $"({t.Role})", t.Text];
    }
}

/// <summary><c>models verify</c>: one line per model; the problems themselves go to stderr as errors.</summary>
public sealed record VerifyReport(IReadOnlyList<VerifyResult> Models)
{
    public string ToText()
    {
        if (Models.Count == 0) return "No models found.\n";
        return TextColumns.Format(Models.Select(m => new[]
        {
            m.Id,
            !m.Ok ? $"FAILED ({m.Problems.Count} problem{(m.Problems.Count == 1 ? "" : "s")})"
                : m.HasRecordedDigests ? "ok" : "ok (contract only: no digests were recorded, it was not installed by rawengine)",
        }));
    }
}

/// <summary>Left-aligned columns separated by two spaces, for the text reports.</summary>
internal static class TextColumns
{
    public static string Format(IEnumerable<string[]> rows, string indent = "")
    {
        var table = rows.ToList();
        if (table.Count == 0) return "";
        var widths = Enumerable.Range(0, table.Max(r => r.Length)).Select(c => table.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        var text = new StringBuilder();
        foreach (var row in table)
            text.Append(indent).AppendLine(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        return text.ToString();
    }
}
