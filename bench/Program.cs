using RawEngine.Bench;
using RawEngine.Bench.Pipe;

// Suites: pipe | lens | convert | batch | nn | mask | serve | detail | noise-estimate | camera-files (and the parts: export, demosaic, roundtrip, mask-raster, mask-vectorize). Each prints one JSON object
// per metric per line, then a table.
switch (args.FirstOrDefault())
{
    case "pipe":
        return PipeBench.Run(new MetricReport(Console.Out));
    case "lens":
        return LensBench.Run(new MetricReport(Console.Out));
    case "convert":
        return RawEngine.Bench.Convert.ConvertBench.Run(new MetricReport(Console.Out), args[1..]);
    case "app-session":
        return RawEngine.Bench.Convert.AppSessionBench.Run(new MetricReport(Console.Out), args[1..]);
    case "app-session-run":
        return RawEngine.Bench.Convert.AppSessionBench.RunSession(args[1..]);
    case "batch":
        return RawEngine.Bench.Batch.BatchBench.Run(new MetricReport(Console.Out), args[1..]);
    case "export":
        return ExportBench.Run(new MetricReport(Console.Out), args[1..]);
    case "demosaic":
        return DemosaicQuality.Run(new MetricReport(Console.Out), args[1..]);
    case "roundtrip":
        return RawEngine.Bench.Quality.RoundTripBench.Run(new MetricReport(Console.Out), args[1..]);
    case "noise-estimate":
        return RawEngine.Bench.Quality.NoiseEstimateBench.Run(new MetricReport(Console.Out), args[1..]);
    case "detail":
        return RawEngine.Bench.Quality.DetailBench.Run(new MetricReport(Console.Out), args[1..]);
    case "camera-files":
        return RawEngine.Bench.Quality.CameraFilesBench.Run(args[1..]);
    case "nn":
    {
        RawEngine.Bench.Ai.BackendOverhead.Run();
        RawEngine.Bench.Ai.KernelThroughput.Run();
        var report = new MetricReport(Console.Out);
        RawEngine.Bench.Ai.NeuralOps.Run(report);
        RawEngine.Bench.Ai.DemosaicNnSpeed.Run(report, []);
        RawEngine.Bench.Ai.DenoiseConvertBench.Run(report, []);
        report.PrintTable();
        return 0;
    }
    case "preview-nn":
        return RawEngine.Bench.Ai.PreviewBench.Run(new MetricReport(Console.Out), args[1..]);
    case "nn-ensemble":
    {
        var report = new MetricReport(Console.Out);
        RawEngine.Bench.Ai.NeuralOps.Run(report, ensembleOnly: true);
        report.PrintTable();
        return 0;
    }
    case "nn-demosaic":
    {
        var report = new MetricReport(Console.Out);
        RawEngine.Bench.Ai.DemosaicNnSpeed.Run(report, args[1..]);
        report.PrintTable();
        return 0;
    }
    case "nn-settings":
    {
        var report = new MetricReport(Console.Out);
        RawEngine.Bench.Ai.SessionSettingsBench.Run(report, args[1..]);
        report.PrintTable();
        return 0;
    }
    case "nn-denoise":
    {
        var report = new MetricReport(Console.Out);
        var code = RawEngine.Bench.Ai.DenoiseConvertBench.Run(report, args[1..]);
        report.PrintTable();
        return code;
    }
    case "nn-denoise-models":
    {
        var report = new MetricReport(Console.Out);
        var code = RawEngine.Bench.Ai.DenoiseModelSpeed.Run(report, args[1..]);
        report.PrintTable();
        return code;
    }
    case "gpu-kernels":
        return RawEngine.Bench.Ai.GpuKernelCheck.Run(new MetricReport(Console.Out), args[1..]);
    case "nn-provider" when args.Length == 2:
        return RawEngine.Bench.Ai.ProviderCheck.Run(args[1]);
    case "mask-raster":
        return RawEngine.Bench.Masks.MaskRasterBench.Run(new MetricReport(Console.Out));
    case "mask-vectorize":
        return RawEngine.Bench.Masks.VectorizeBench.Run(new MetricReport(Console.Out));
    case "mask":
        return RawEngine.Bench.Masks.SegmentationBench.Run(new MetricReport(Console.Out), args[1..]);
    case "serve":
        return RawEngine.Bench.Serve.ServeBench.Run(new MetricReport(Console.Out), args[1..]);
    default:
        Console.Error.WriteLine("usage: bench <pipe|lens|convert|app-session|batch|nn|mask|serve|detail|camera-files|export|demosaic|roundtrip>   (also: preview-nn, nn-ensemble, nn-settings [rounds] [all|session|tiles], nn-demosaic [pairs] [views...], nn-denoise [rounds] [package...], nn-denoise-models A.onnx..., mask-raster, mask-vectorize, gpu-kernels, nn-provider auto|cpu|cuda|tensorrt|migraphx|coreml|directml)");
        return 2;
}
