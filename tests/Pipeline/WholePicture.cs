using RawEngine.Engine.Edits;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Iop;

namespace RawEngine.Tests.Pipeline;

/// <summary>
/// The pipe's contract for a module that moves or filters pixels, checked through the standard modules:
/// a render tiled by a small memory budget equals the whole render, and a region equals the same part of it.
/// </summary>
public static class WholePicture
{
    public static RenderEngine Engine(long budget = 0, ModuleRegistry? registry = null) =>
        new(registry ?? StandardModules.CreateRegistry(), budget > 0 ? new EngineOptions { CacheBytes = 0, MemoryBudgetBytes = budget } : new EngineOptions { CacheBytes = 0 });

    /// <param name="tiledTolerance">0: tiles must match bit for bit.</param>
    /// <param name="regionTolerance">A region's upstream modules see a differently shaped input, so float noise may differ.</param>
    /// <param name="edit">What to develop; the default develop without one.</param>
    public static async Task AssertRegionsAndTilesEqualTheWholeAsync(RawImage raw, double scale, long tiledBudget, float tiledTolerance, float regionTolerance, Edit? edit = null)
    {
        edit ??= Edit.Empty;
        float[] whole;
        Roi full;
        using (var engine = Engine())
        using (var session = engine.Open(raw))
        {
            full = Roi.Full(session.OutputSize(edit), scale);
            using var buffer = await session.RenderAsync(edit, full);
            whole = PipeFixture.Pixels(buffer);
        }
        using (var engine = Engine(tiledBudget))
        using (var session = engine.Open(raw))
        using (var tiled = await session.RenderAsync(edit, full))
        {
            var pixels = PipeFixture.Pixels(tiled);
            if (tiledTolerance == 0) Assert.Equal(whole, pixels);
            else for (var i = 0; i < whole.Length; i++) Assert.Equal(whole[i], pixels[i], tiledTolerance);
        }

        using var regionEngine = Engine();
        using var regionSession = regionEngine.Open(raw);
        var region = new Roi(full.Width / 3, full.Height / 4, full.Width / 2, full.Height / 2, scale);
        using var part = await regionSession.RenderAsync(edit, region);
        var partPixels = PipeFixture.Pixels(part);
        for (var y = 0; y < region.Height; y++)
            for (var i = 0; i < region.Width * 4; i++)
                Assert.Equal(whole[((region.Y + y) * full.Width + region.X) * 4 + i], partPixels[y * region.Width * 4 + i], regionTolerance);
    }
}
