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
    private const int BlockSize = 12;

    /// <summary>
    /// The share of a brightness bin's blocks, flattest first, that stands for the noise: low, as a photograph's flat
    /// areas are few (Kodak bench at noise 0.02: 0.1 read a 4 % higher median than 0.03, and up to 2.45 times the noise
    /// against 1.57; 0.015 no better than 0.03).
    /// </summary>
    private const double FlatQuantile = 0.03;

    /// <summary>Fewer blocks than this in a bin say too little about the flattest of them.</summary>
    private const int MinimumBlocks = 30;

    /// <summary>
    /// Fits the model to the raw without being fooled by texture. At each sample of the best-surrounded colour (green
    /// in a Bayer mosaic, every pixel of a linear raw), four second differences against same-colour neighbours, along
    /// the row, the column and both diagonals, each cancel the scene's level and gradient; an edge or a texture runs
    /// along at least one of them, so the smallest of the four keeps the noise and sheds most of the scene. Blocks
    /// average those; in each brightness bin the flattest blocks (a low quantile) give the noise variance, scaled by
    /// what the same statistic reads on pure Gaussian noise of the same sample layout (the min-of-four and
    /// low-quantile bias). What texture is left grows with the square of the level, the noise linearly:
    /// <see cref="Fit"/> separates the two.
    /// </summary>
    public static NoiseModel Estimate(RawImage raw)
    {
        var geometry = Geometry.Of(raw);
        if (geometry is null) return new NoiseModel(0, 0);
        var black = raw.Black.Mean;
        var scale = 1 / Math.Max(raw.White - black, 1);
        var binned = new List<double>[Bins];
        var levelSums = new double[Bins];
        for (var b = 0; b < Bins; b++) binned[b] = [];
        foreach (var (mean, reading) in geometry.Blocks(raw))
        {
            var level = (mean - black) * scale;
            if (level < 0 || level >= TopOfFit) continue;
            var bin = (int)(level / TopOfFit * Bins);
            binned[bin].Add(reading * scale * scale);
            levelSums[bin] += level;
        }
        var bins = new List<Bin>();
        for (var b = 0; b < Bins; b++)
        {
            var readings = binned[b];
            if (readings.Count < MinimumBlocks) continue;
            readings.Sort();
            bins.Add(new Bin(levelSums[b] / readings.Count, readings[(int)(readings.Count * FlatQuantile)] / geometry.FlatReading, readings.Count));
        }
        return Fit(bins);
    }

    /// <summary>A brightness bin: its blocks' mean level, the variance its flattest blocks read, and how many blocks it has.</summary>
    private readonly record struct Bin(double Level, double Variance, int Blocks);

    /// <summary>
    /// Non-negative least squares of <c>variance = Read + Shot x + Texture x^2</c>, each bin's error relative to its own
    /// variance and weighed by the square root of its blocks: the texture the flattest blocks keep has the scene's
    /// contrast, so its variance grows with the square of the level, and only the first two terms are noise. The
    /// shot term always stays (every sensor has it; without it texture alone can explain a photograph's bins), the
    /// others only where they come out non-negative and fewer terms than bins are fitted: of those fits, the one whose
    /// error per degree of freedom is least (so a term must earn its place).
    /// </summary>
    private static NoiseModel Fit(List<Bin> bins)
    {
        if (bins.Count == 0) return new NoiseModel(0, 0);
        var best = (Error: double.MaxValue, Model: new NoiseModel(0, 0));
        foreach (int[] powers in (int[][])[[1], [0, 1], [1, 2], [0, 1, 2]])
        {
            var m = powers.Length;
            if (bins.Count <= m && m > 1) continue; // one bin: the shot term alone goes through it
            var normal = new double[m, m];
            var right = new double[m];
            foreach (var bin in bins)
            {
                var w = Math.Sqrt(bin.Blocks) / Math.Max(bin.Variance * bin.Variance, 1e-30);
                for (var p = 0; p < m; p++)
                {
                    right[p] += w * Math.Pow(bin.Level, powers[p]) * bin.Variance;
                    for (var q = 0; q < m; q++) normal[p, q] += w * Math.Pow(bin.Level, powers[p] + powers[q]);
                }
            }
            if (Solve(normal, right) is not { } terms || terms.Any(t => t < 0)) continue;
            var error = bins.Sum(bin =>
            {
                var fit = Enumerable.Range(0, m).Sum(p => terms[p] * Math.Pow(bin.Level, powers[p]));
                return Math.Sqrt(bin.Blocks) * Math.Pow((bin.Variance - fit) / Math.Max(bin.Variance, 1e-30), 2);
            });
            error /= Math.Max(bins.Count - m, 1);
            if (error < best.Error)
                best = (error, new NoiseModel(terms[Array.IndexOf(powers, 1)], powers[0] == 0 ? terms[0] : 0));
        }
        return best.Model;
    }

    /// <summary>Gauss-Jordan elimination with partial pivoting; null for a singular system.</summary>
    private static double[]? Solve(double[,] matrix, double[] right)
    {
        var m = right.Length;
        var a = (double[,])matrix.Clone();
        var x = (double[])right.Clone();
        for (var col = 0; col < m; col++)
        {
            var pivot = Enumerable.Range(col, m - col).MaxBy(row => Math.Abs(a[row, col]));
            if (Math.Abs(a[pivot, col]) < 1e-300) return null;
            for (var k = 0; k < m; k++) (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
            (x[col], x[pivot]) = (x[pivot], x[col]);
            for (var row = 0; row < m; row++)
            {
                if (row == col) continue;
                var f = a[row, col] / a[col, col];
                for (var k = 0; k < m; k++) a[row, k] -= f * a[col, k];
                x[row] -= f * x[col];
            }
        }
        return [.. Enumerable.Range(0, m).Select(i => x[i] / a[i, i])];
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
            const int margin = LongestStep;
            // Block origins sit on whole tiles from the visible origin, so the cell of (y, x) is (y, x) modulo the tile.
            var originY = margin + (_tileHeight - margin % _tileHeight) % _tileHeight;
            var originX = margin + (_tileWidth - margin % _tileWidth) % _tileWidth;
            var blockRows = (rect.Height - originY - margin) / BlockSize;
            var blockCols = (rect.Width - originX - margin) / BlockSize;
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
            for (var by = 0; by < blockRows; by += rowStep)
                for (var bx = 0; bx < blockCols; bx++)
                {
                    long sum = 0;
                    double squares = 0;
                    var count = 0;
                    var clipped = false;
                    for (var y = originY + by * BlockSize; y < originY + (by + 1) * BlockSize && !clipped; y++)
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
                            for (var k = 0; k < o.Length; k++)
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
            // 4096 blocks: the quantile's standard error is about 0.5 % of the variance; once per layout and process.
            const int side = 64 * BlockSize;
            const double sigma = 1000, level = 30000;
            var random = new Random(1);
            var samples = _channel + 1;
            var data = new ushort[side * side * samples];
            for (var i = _channel; i < data.Length; i += 2 * samples)
            {
                // Box-Muller: two independent normal deviates from two uniform ones.
                var radius = sigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
                var angle = 2 * Math.PI * random.NextDouble();
                data[i] = (ushort)Math.Round(level + radius * Math.Cos(angle));
                if (i + samples < data.Length) data[i + samples] = (ushort)Math.Round(level + radius * Math.Sin(angle));
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
