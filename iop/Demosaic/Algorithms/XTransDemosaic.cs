namespace RawEngine.Iop.Demosaic.Algorithms;

internal static class XTransDemosaic
{
    public const int BorderPixels = 8;

    public static void Run(CfaPlane input, RgbaPlane output, CancellationToken ct) => BilinearDemosaic.Run(input, output, ct);
}
