using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RawEngine.Bench;

/// <summary>One measured number, with the baseline it is compared to and the target for the ratio.</summary>
public sealed record Metric(string Name, double Value, string Unit, double? Baseline = null, string? Target = null)
{
    public double? Ratio => Baseline is { } b && b != 0 ? Value / b : null;
}

/// <summary>Prints each metric as a JSON line as it comes, and a readable table at the end.</summary>
public sealed class MetricReport(TextWriter output)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly List<Metric> _metrics = [];

    public void Add(Metric metric)
    {
        _metrics.Add(metric);
        output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["name"] = metric.Name,
            ["value"] = Math.Round(metric.Value, 4),
            ["unit"] = metric.Unit,
            ["baseline"] = metric.Baseline is { } b ? Math.Round(b, 4) : null,
            ["ratio"] = metric.Ratio is { } r ? Math.Round(r, 4) : null,
            ["target"] = metric.Target,
        }, JsonOptions));
        output.Flush();
    }

    public void PrintTable()
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine($"{"metric",-36} {"value",12} {"unit",-6} {"baseline",12} {"ratio",8}  target");
        output.WriteLine(new string('-', 90));
        foreach (var m in _metrics)
            output.WriteLine(string.Create(c,
                $"{m.Name,-36} {m.Value,12:0.###} {m.Unit,-6} {(m.Baseline is { } b ? b.ToString("0.###", c) : ""),12} {(m.Ratio is { } r ? r.ToString("0.###", c) : ""),8}  {m.Target}"));
    }
}
