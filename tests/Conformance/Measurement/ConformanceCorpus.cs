namespace RawEngine.Tests.Conformance;

/// <summary>A raw-foreign variant and what it is scored against (see ../shared/testdata/raw-foreign/README.md).</summary>
/// <param name="Control">The variant it must score within <paramref name="Tolerance"/> dB of; null for the controls themselves.</param>
public sealed record ForeignVariant(string Name, string? Control, double Tolerance)
{
    /// <summary>Whether a score is acceptable: a control above the floor, any other variant within its tolerance of its control.</summary>
    public bool Accepts(double db, double controlDb) =>
        Control is null ? db >= ConformanceCorpus.ForeignControlFloorDb : Math.Abs(db - controlDb) <= Tolerance;
}

/// <summary>A raw-foreign CPSNR against the truth, or why there is none (the develop failed, or the size is not the truth's).</summary>
public sealed record ForeignScore(double Db, string? Error)
{
    public static ForeignScore Failed(string error) => new(double.NaN, error);
}

/// <summary>
/// The files in ../shared/testdata that the project did not write, and the protocol each is held to; one list
/// for the conformance tests and <c>bench -- camera-files</c>. Names only: nothing here touches the disk, so
/// test data built from it does not fail where ../shared is absent.
/// </summary>
public static class ConformanceCorpus
{
    /// <summary>Real camera files that LibRaw 0.20 develops: each must come out close to dcraw_emu's rendering.</summary>
    public static readonly string[] RealFiles =
    [
        "raw-real/CRW_0304.CRW",
        "raw-real/TEST100.QTK",
        "raw-real/RAW_KODAK_DC50.KDC",
        "raw-real/P003908.KDC",
        "raw-real/RAW_KODAK_C330_FORMAT_NONE_YRGB.raw",
        "raw-real/sample_1mp.dng",
        "raw/canon_eos_6d_linear.dng",
    ];

    /// <summary>A real file LibRaw 0.20 cannot open (GoPro VC-5): a clean exit 1.</summary>
    public const string UnopenableRealFile = "raw-real/GPFR7066.GPR";

    public const string PlainControl = "plain";
    public const string ColourControl = "camera-matrix";

    /// <summary>Pixels left out at every edge when scoring raw-foreign against its truth.</summary>
    public const int ForeignBorder = 10;

    /// <summary>
    /// The least a raw-foreign control may score. Measured (2026-12, LMMSE demosaic): plain 37.4/41.0 dB,
    /// camera-matrix 37.2/39.6 dB (kodim05/kodim19). The same plain files 0.1 EV too bright score 34.8/33.5,
    /// with red 10% too strong 35.3/34.7, through bilinear demosaic 24.4/27.0, black (BaselineExposure -999) 8/5.
    /// </summary>
    public const double ForeignControlFloorDb = 36;

    /// <summary>raw-real against LibRaw: the exposure gain that matches ours to LibRaw's may be at most this (LibRaw ignores BaselineExposure).</summary>
    public const double RealMaxGainEv = 0.5;

    /// <summary>raw-real against LibRaw: PSNR of the sRGB 8x8 block means after the gain (RawTherapee vs LibRaw on the 6D DNG: 35.7 dB).</summary>
    public const double RealMinBlockPsnrDb = 32;

    /// <summary>raw-real against LibRaw: mean linear chromaticity r and g may each differ by at most this.</summary>
    public const double RealMaxChromaticityDistance = 0.015;

    public static readonly string[] ForeignImages = ["kodim05_crop", "kodim19_crop"];

    /// <summary>The 17 raw-foreign variants with their README tolerances.</summary>
    public static readonly ForeignVariant[] ForeignVariants =
    [
        new(PlainControl, null, 0),
        new("no-baseline", PlainControl, 0.5),
        new("baseline-plus1", PlainControl, 0.5),
        new("bits12-bggr", PlainControl, 0.5),
        new("black-pattern", PlainControl, 0.5),
        new("linearization", PlainControl, 0.5),
        new("active-area-crop", PlainControl, 0.5),
        new("ljpeg-tiles-be", PlainControl, 0.5),
        new("subifd-thumbnail", PlainControl, 0.5),
        new("orientation-6", PlainControl, 0.5),
        new("orientation-3", PlainControl, 0.5),
        new(ColourControl, null, 0),
        new("dual-illuminant", ColourControl, 0.5),
        new("calibration-balance", ColourControl, 0.5),
        new("white-xy", ColourControl, 0.5),
        new("tungsten-scene", ColourControl, 1.5),
        new("xtrans", PlainControl, 4),
    ];

    public static ForeignVariant Variant(string name) => ForeignVariants.Single(v => v.Name == name);

    /// <param name="testdata">The ../shared/testdata folder.</param>
    public static string ForeignDng(string testdata, string variant, string image) => Path.Combine(testdata, "raw-foreign", $"{variant}__{image}.dng");

    public static string ForeignTruth(string testdata, string variant, string image) => Path.Combine(testdata, "raw-foreign", $"{variant}__{image}.truth.tif");

    /// <summary>Scores <paramref name="developed"/>, our rendering of <c>variant__image.dng</c>, against its truth.</summary>
    public static ForeignScore ScoreForeign(string testdata, string variant, string image, string developed)
    {
        var truth = RgbImage.Load(ForeignTruth(testdata, variant, image));
        var ours = RgbImage.Load(developed);
        return ours.Width != truth.Width || ours.Height != truth.Height
            ? ForeignScore.Failed($"{variant}__{image}: developed to {ours.Width}x{ours.Height}, the truth is {truth.Width}x{truth.Height}")
            : new ForeignScore(RenderingComparison.Cpsnr(truth, ours, ForeignBorder), null);
    }

    /// <summary>Every file in raw-hostile but its README; none when the folder is absent.</summary>
    public static IEnumerable<string> HostileFiles(string testdata)
    {
        var folder = Path.Combine(testdata, "raw-hostile");
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder).Where(f => !f.EndsWith("README.md", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : [];
    }

    /// <summary>
    /// The CLI arguments, after input and output, of the protocol both raw-foreign and raw-real use. The lens stays as
    /// drawn: LibRaw corrects no lens, and raw-foreign's truths have none (their opcodes still apply: they are the file's).
    /// </summary>
    public static readonly string[] ConvertArguments = ["--format", "tif", "--bits", "16", "--tone", "none", "--profile", "srgb", "--lens", "off"];
}
