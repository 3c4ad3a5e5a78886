using System.Collections.Concurrent;
using System.Globalization;
using RawEngine.Tests.Support;

namespace RawEngine.Tests.Conformance;

/// <summary>
/// raw-foreign: DNG variants written by a DNG writer that is not ours, each developed with the protocol
/// (<c>--tone none --profile srgb</c>, 16-bit TIFF) and scored as CPSNR against its known truth (10 px border
/// left out). A variant must score within its README tolerance of its control, so that a DNG feature is
/// judged by what it costs, not by how well the demosaic does on that picture; the controls must score
/// high themselves, or a broken control would let every variant pass.
/// </summary>
public class ForeignDngConformanceTests
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<ForeignScore>>> Scores = new();

    public static TheoryData<string, string> Controls() => Cases(v => v.Control is null);

    public static TheoryData<string, string> Variants() => Cases(v => v.Control is not null);

    [SharedTheory("the raw-foreign DNG variants")]
    [MemberData(nameof(Controls))]
    public async Task ControlScoresAboveTheFloor(string variant, string image)
    {
        var score = await ScoreAsync(variant, image);
        Assert.True(score.Error is null, score.Error);
        Assert.True(ConformanceCorpus.Variant(variant).Accepts(score.Db, score.Db),
            string.Create(CultureInfo.InvariantCulture, $"{variant}__{image}: {score.Db:0.00} dB against its truth, under the {ConformanceCorpus.ForeignControlFloorDb} dB floor"));
    }

    [SharedTheory("the raw-foreign DNG variants")]
    [MemberData(nameof(Variants))]
    public async Task VariantScoresWithinItsToleranceOfTheControl(string variant, string image)
    {
        var rule = ConformanceCorpus.Variant(variant);
        var control = await ScoreAsync(rule.Control!, image);
        var score = await ScoreAsync(variant, image);
        Assert.True(control.Error is null, $"the control {rule.Control} did not score: {control.Error}");
        Assert.True(score.Error is null, score.Error);
        var delta = score.Db - control.Db;
        Assert.True(rule.Accepts(score.Db, control.Db), string.Create(CultureInfo.InvariantCulture,
            $"{variant}__{image}: {score.Db:0.00} dB, {delta:+0.00;-0.00} dB from {rule.Control} ({control.Db:0.00} dB); allowed +-{rule.Tolerance} dB"));
    }

    /// <summary>Each file is developed once per test run: the controls serve every variant.</summary>
    private static Task<ForeignScore> ScoreAsync(string variant, string image) =>
        Scores.GetOrAdd($"{variant}__{image}", _ => new Lazy<Task<ForeignScore>>(() => DevelopAndScoreAsync(variant, image))).Value;

    private static async Task<ForeignScore> DevelopAndScoreAsync(string variant, string image)
    {
        using var temp = new TempFolder();
        var dng = ConformanceCorpus.ForeignDng(ProtocolConvert.TestData, variant, image);
        var output = temp.File("out.tif");
        var result = await ProtocolConvert.RunAsync(dng, output);
        return result.ExitCode != 0
            ? ForeignScore.Failed($"{variant}__{image}: exit {result.ExitCode}: {result.Error.Trim()}")
            : ConformanceCorpus.ScoreForeign(ProtocolConvert.TestData, variant, image, output);
    }

    private static TheoryData<string, string> Cases(Func<ForeignVariant, bool> which)
    {
        var data = new TheoryData<string, string>();
        foreach (var variant in ConformanceCorpus.ForeignVariants.Where(which))
            foreach (var image in ConformanceCorpus.ForeignImages)
                data.Add(variant.Name, image);
        return data;
    }
}
