using System.Collections.Concurrent;
using RawEngine.Engine.Raw;

namespace RawEngine.Iop.Shared;

/// <summary>
/// Poisson-Gaussian sensor noise, <c>variance = Shot * x + Read</c> with x in units where 1.0 = white above
/// black (what rawprepare makes). One model per image, whatever region or tile is rendered.
/// </summary>
public sealed record NoiseModel(double Shot, double Read)
{
    /// <summary>The raw's DNG NoiseProfile (planes averaged) where it has one, else <see cref="Estimate"/>.</summary>
    public static NoiseModel Of(RawImage raw) => Profiled(raw) ?? Estimate(raw);

    /// <summary>The raw's DNG NoiseProfile (planes averaged); null when it has none.</summary>
    public static NoiseModel? Profiled(RawImage raw)
    {
        if (raw.NoiseProfile is not { Length: >= 2 } profile) return null;
        var pairs = profile.Length / 2;
        return new NoiseModel(Enumerable.Range(0, pairs).Average(i => profile[2 * i]), Enumerable.Range(0, pairs).Average(i => profile[2 * i + 1]));
    }

    private const int Bins = 24;
    private const double TopOfFit = 0.85; // clipped highlights have no noise left to measure

    /// <summary>A whole number of Bayer (2) and X-Trans (6) tiles, so every block holds the same sample layout.</summary>
    private static readonly int BlockSize = int.Parse(Environment.GetEnvironmentVariable("NB") ?? "12");

    /// <summary>The share of a brightness bin's blocks, flattest first, that stands for the noise.</summary>
    private static readonly double FlatQuantile = double.Parse(Environment.GetEnvironmentVariable("NQ") ?? "0.1");

    /// <summary>Fewer blocks than this in a bin say too little about the flattest of them.</summary>
    private static readonly int MinimumBlocks = int.Parse(Environment.GetEnvironmentVariable("NM") ?? "30");

    /// <summary>
    /// Fits the model to the raw without being fooled by texture. At each sample of the best-surrounded colour (green
    /// in a Bayer mosaic, every pixel of a linear raw), four second differences against same-colour neighbours, along
    /// the row, the column and both diagonals, each cancel the scene's level and gradient; an edge or a texture runs
    /// along at least one of them, so the smallest of the four keeps the noise and sheds the scene. Blocks average
    /// those; in each brightness bin the flattest blocks (a low quantile) give the noise variance, scaled by what
    /// the same statistic reads on pure Gaussian noise of the same sample layout (<see cref="Geometry.FlatReading"/>).
    /// Texture only raises a bin, so the line <c>Shot * x + Read</c> is fitted to the bins' lower envelope.
    /// </summary>
    public static NoiseModel Estimate(RawImage raw)
    {
        var geometry = Geometry.Of(raw);
        if (geometry is null) return new NoiseModel(0, 0);
        var black = raw.Black.Mean;
        var scale = 1 / Math.Max(raw.White - black, 1);
        var blocks = geometry.Blocks(raw);
        var binned = new List<double>[Bins];
        for (var b = 0; b < Bins; b++) binned[b] = [];
        foreach (var (mean, reading) in blocks)
        {
            var level = (mean - black) * scale;
            if (level < 0 || level >= TopOfFit) continue;
            binned[(int)(level / TopOfFit * Bins)].Add(reading * scale * scale);
        }
        var levels = new List<double>();
        var variances = new List<double>();
        var weights = new List<double>();
        for (var b = 0; b < Bins; b++)
        {
            var bin = binned[b];
            if (bin.Count < MinimumBlocks) continue;
            bin.Sort();
            levels.Add((b + 0.5) / Bins * TopOfFit);
            variances.Add(bin[(int)(bin.Count * FlatQuantile)] / geometry.FlatReading);
            weights.Add(Math.Sqrt(bin.Count));
        }
        if (Environment.GetEnvironmentVariable("NOISE_DEBUG") is not null)
            Console.Error.WriteLine(string.Join(" ", levels.Select((l, i) => $"{l:0.000}:{Math.Sqrt(variances[i]) * 1e3:0.00}")));
        return LowerEnvelopeFit(levels, variances, weights);
    }

    /// <summary>
    /// The weighted least-squares line through (level, variance) in relative terms (each bin's error against the fit's
    /// own value), refitted a few times with bins far above the line (texture) weighed down.
    /// </summary>
    private static NoiseModel LowerEnvelopeFit(List<double> levels, List<double> variances, List<double> weights)
    {
        if (levels.Count == 0) return new NoiseModel(0, 0);
        var model = Line(levels, variances, [.. weights.Select((w, i) => w / Math.Max(variances[i] * variances[i], 1e-30))]);
        for (var round = 0; round < 4; round++)
        {
            var w = new double[levels.Count];
            for (var i = 0; i < levels.Count; i++)
            {
                var fit = Math.Max(model.Shot * levels[i] + model.Read, 1e-15);
                var excess = variances[i] / fit;
                w[i] = weights[i] / (fit * fit) * (excess > 1.5 ? 1 / (excess * excess * excess * excess) : 1);
            }
            model = Line(levels, variances, w);
        }
        return model;
    }

    private static NoiseModel Line(List<double> x, List<double> y, double[] w)
    {
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var i = 0; i < x.Count; i++)
        {
            sw += w[i]; sx += w[i] * x[i]; sy += w[i] * y[i]; sxx += w[i] * x[i] * x[i]; sxy += w[i] * x[i] * y[i];
        }
        var det = sw * sxx - sx * sx;
        var shot = Math.Max(det > 1e-12 * sw * sxx ? (sw * sxy - sx * sy) / det : 0, 0);
        var read = Math.Max((sy - shot * sx) / sw, 0);
        if (read == 0 && sxx > 0) shot = Math.Max(sxy / sxx, 0);
        return new NoiseModel(shot, read);
    }

    /// <summary>Standard deviation at signal <paramref name="x"/> (1.0 = white).</summary>
    public double SigmaAt(double x) => Math.Sqrt(Math.Max(Shot * x + Read, 0));

    /// <summary>
    /// Where the residuals are taken in a mosaic's repeating tile: for each usable cell the step, along the row,
    /// the column and the two diagonals, to the nearest same-colour neighbours on both sides.
    /// </summary>
    private sealed class Geometry
    {
        private static readonly (int Dy, int Dx)[] Directions = [(0, 1), (1, 0), (1, 1), (1, -1)];
        private const int LongestStep = 3;
        private static readonly ConcurrentDictionary<string, double> FlatReadings = new();

        private readonly int _tileWidth, _tileHeight, _channel;
        private readonly int[]?[] _steps; // per tile cell: four steps, or null where the cell is not used

        private Geometry(int tileWidth, int tileHeight, int channel, int[]?[] steps)
        {
            (_tileWidth, _tileHeight, _channel, _steps) = (tileWidth, tileHeight, channel, steps);
        }

        /// <summary>The block reading of unit-variance Gaussian noise at <see cref="FlatQuantile"/>, for this layout.</summary>
        public double FlatReading { get; private set; }

        public static Geometry? Of(RawImage raw)
        {
            Geometry geometry;
            if (raw.Cfa is not { } cfa)
                geometry = new Geometry(1, 1, Math.Min(1, raw.SamplesPerPixel - 1), [[1, 1, 1, 1]]);
            else
            {
                var steps = new int[]?[cfa.Width * cfa.Height];
                for (var r = 0; r < cfa.Height; r++)
                    for (var c = 0; c < cfa.Width; c++)
                        steps[r * cfa.Width + c] = CellSteps(cfa, r, c);
                // Only the cells whose neighbours are closest (Bayer greens): the further the step, the more scene it keeps.
                var best = steps.Where(s => s is not null).Select(s => s!.Sum()).DefaultIfEmpty(0).Min();
                if (best == 0) return null;
                for (var i = 0; i < steps.Length; i++)
                    if (steps[i] is { } s && s.Sum() > best) steps[i] = null;
                geometry = new Geometry(cfa.Width, cfa.Height, 0, steps);
            }
            geometry.FlatReading = FlatReadings.GetOrAdd(geometry.Key, _ => geometry.ReadPureNoise());
            return geometry;
        }

        private static int[]? CellSteps(CfaPattern cfa, int row, int col)
        {
            var colour = cfa.ColorAt(row, col);
            var steps = new int[Directions.Length];
            for (var d = 0; d < Directions.Length; d++)
            {
                var (dy, dx) = Directions[d];
                for (var s = 1; s <= LongestStep && steps[d] == 0; s++)
                    if (cfa.ColorAt(row + s * dy, col + s * dx) == colour && cfa.ColorAt(row - s * dy, col - s * dx) == colour) steps[d] = s;
                if (steps[d] == 0) return null;
            }
            return steps;
        }

        private string Key => $"{_tileWidth}x{_tileHeight}:" + string.Join(";", _steps.Select(s => s is null ? "-" : string.Join(",", s)));

        /// <summary>
        /// Each block's mean sample and the mean over its used samples of the smallest squared second difference
        /// (divided by 6, the variance of a second difference of unit noise), in raw units. Blocks with a clipped
        /// sample are left out. About two million pixels are read at most: whole block rows, evenly spaced.
        /// </summary>
        public List<(double Mean, double Reading)> Blocks(RawImage raw)
        {
            var rect = raw.Visible;
            var margin = LongestStep;
            var blockRows = (rect.Height - 2 * margin) / BlockSize;
            var blockCols = (rect.Width - 2 * margin) / BlockSize;
            var result = new List<(double, double)>();
            if (blockRows <= 0 || blockCols <= 0) return result;
            var rowStep = Math.Max(1, (int)((long)blockRows * blockCols * BlockSize * BlockSize / 2_000_000));
            var spp = raw.SamplesPerPixel;
            var offsets = new int[_steps.Length][];
            for (var i = 0; i < _steps.Length; i++)
                if (_steps[i] is { } s)
                    offsets[i] = [.. Directions.Select((d, k) => (d.Dy * raw.SensorWidth + d.Dx) * spp * s[k])];
            var data = raw.Data;
            var clip = raw.White - 1;
            // Block origins sit on whole tiles from the visible origin, so the cell of (y, x) is (y, x) modulo the tile.
            var origin = margin + (_tileHeight - margin % _tileHeight) % _tileHeight;
            var originX = margin + (_tileWidth - margin % _tileWidth) % _tileWidth;
            var usableRows = (rect.Height - origin - margin) / BlockSize;
            var usableCols = (rect.Width - originX - margin) / BlockSize;
            for (var by = 0; by < usableRows; by += rowStep)
                for (var bx = 0; bx < usableCols; bx++)
                {
                    long sum = 0;
                    double squares = 0;
                    var count = 0;
                    var clipped = false;
                    for (var y = origin + by * BlockSize; y < origin + (by + 1) * BlockSize && !clipped; y++)
                    {
                        var rowBase = ((rect.Y + y) * raw.SensorWidth + rect.X) * spp + _channel;
                        var cellRow = y % _tileHeight * _tileWidth;
                        for (var x = originX + bx * BlockSize; x < originX + (bx + 1) * BlockSize; x++)
                        {
                            var o = offsets[cellRow + x % _tileWidth];
                            if (o is null) continue;
                            var i = rowBase + x * spp;
                            int centre = data[i];
                            if (centre >= clip) { clipped = true; break; }
                            var smallest = int.MaxValue;
                            for (var k = 0; k < 4; k++)
                            {
                                var d = Math.Abs(data[i + o[k]] + data[i - o[k]] - 2 * centre);
                                if (d < smallest) smallest = d;
                            }
                            sum += centre;
                            squares += (double)smallest * smallest;
                            count++;
                        }
                    }
                    if (!clipped && count > 0) result.Add(((double)sum / count, squares / count / 6));
                }
            return result;
        }

        /// <summary>The layout's block reading at <see cref="FlatQuantile"/> on a flat raw of unit-variance Gaussian noise.</summary>
        private double ReadPureNoise()
        {
            var side = 64 * BlockSize;
            const double sigma = 1000, level = 30000;
            var random = new Random(1);
            var samples = _channel + 1;
            var data = new ushort[side * side * samples];
            for (var i = 0; i < data.Length; i++)
            {
                var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                data[i] = (ushort)Math.Round(level + sigma * gaussian);
            }
            var flat = new RawImage
            {
                SensorWidth = side, SensorHeight = side, SamplesPerPixel = samples, Data = data,
                Visible = new PixelRect(0, 0, side, side), Black = BlackLevels.Uniform(0), White = 65535, AsShotMultipliers = [1, 1, 1], XyzToCamera = null,
            };
            var readings = Blocks(flat).Select(b => b.Reading).Order().ToList();
            return readings[(int)(readings.Count * FlatQuantile)] / (sigma * sigma);
        }
    }
}
