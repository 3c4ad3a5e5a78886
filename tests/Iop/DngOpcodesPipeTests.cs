using RawEngine.Engine.Dng;
using RawEngine.Engine.Edits;
using RawEngine.Engine.Masks;
using RawEngine.Engine.Pipeline;
using RawEngine.Engine.Raw;
using RawEngine.Engine.Sessions;
using RawEngine.Engine.Synthetic;
using RawEngine.Iop;
using RawEngine.Iop.DngOpcodes;
using RawEngine.Tests.Pipeline;

namespace RawEngine.Tests.Iop;

/// <summary>
/// The opcode modules keep the pipe's contract: regions and tiles equal the whole picture through the warp,
/// masks follow it, value opcodes do what the spec says, and a file without opcodes develops exactly as before.
/// </summary>
public class DngOpcodesPipeTests
{
    private static RawImage WithLists(RawImage raw, IReadOnlyList<DngOpcode> list1, IReadOnlyList<DngOpcode> list2, IReadOnlyList<DngOpcode> list3)
    {
        var v = raw.Visible;
        return raw with
        {
            Opcodes = new DngOpcodeStages(list1, list2, list3, new OpcodeFrame(v.X, v.Y, raw.SensorWidth, raw.SensorHeight), new OpcodeFrame(0, 0, v.Width, v.Height)),
        };
    }

    /// <summary>Shading on the CFA, a warp with fringes and shading after it: every kind of stage at once.</summary>
    private static RawImage Lens(CfaPattern? cfa) => WithLists(SyntheticRaw.Chart(150, 100, new SyntheticRawOptions { Cfa = cfa, Margin = 2 }),
        [],
        [new FixVignetteRadialOpcode(false, [0.5, 0.1, 0, 0, 0], 0.5, 0.5)],
        [new GainMapOpcode(false, new OpcodeArea(0, 0, 100, 150, 0, 3, 1, 1), 2, 2, 1, 1, 0, 0, 1, [1, 1.2f, 1.1f, 0.9f]), DngOpcodesDevelopTests.ChromaticWarp,
         new PerLineOpcode(false, 12, new OpcodeArea(0, 0, 100, 150, 1, 1, 1, 1), Enumerable.Range(0, 100).Select(i => 1 + i / 500f).ToArray())]);

    [Theory]
    [InlineData("RGGB", 1.0)]
    [InlineData(null, 1.0)]
    [InlineData(null, 0.5)]
    public async Task RegionsAndTilesEqualTheWholePictureThroughTheWarp(string? cfa, double scale)
    {
        await WholePicture.AssertRegionsAndTilesEqualTheWholeAsync(Lens(cfa is null ? null : CfaPattern.Bayer(cfa)), scale,
            tiledBudget: 300_000, tiledTolerance: 1e-5f, regionTolerance: 1e-5f);
    }

    [Fact]
    public async Task AFileWithoutOpcodesDevelopsExactlyAsWithoutTheModules()
    {
        var raw = SyntheticRaw.Chart(96, 64, new SyntheticRawOptions { Cfa = CfaPattern.Grbg, Margin = 2, Noise = SensorNoise.AtIso(800) });
        var without = new ModuleRegistry(StandardModules.All().Where(m => m is not DngOpcodesOperation).ToArray(), IopOrder.Default);
        using var withModules = WholePicture.Engine();
        using var withoutModules = WholePicture.Engine(registry: without);
        using var a = withModules.Open(raw);
        using var b = withoutModules.Open(raw);
        using var rendered = await a.RenderAsync(Edit.Empty, Roi.Full(a.OutputSize(Edit.Empty)));
        using var reference = await b.RenderAsync(Edit.Empty, Roi.Full(b.OutputSize(Edit.Empty)));
        Assert.Equal(PipeFixture.Pixels(reference), PipeFixture.Pixels(rendered));
        // They step aside for such a file, and only the list a file has gets its module.
        var vignetted = WithLists(raw, [], [new FixVignetteRadialOpcode(false, [0.5, 0, 0, 0, 0], 0.5, 0.5)], []);
        string[] Opcodes(RawImage image) => withModules.Pipe.Build(Edit.Empty, new RawSource(image), "id", PipeKind.Export).Nodes
            .Select(n => n.Instance).Where(id => id.StartsWith("dng_opcodes")).ToArray();
        Assert.Empty(Opcodes(raw));
        Assert.Equal(["dng_opcodes2"], Opcodes(vignetted));
        // And with a list the picture changes, so the comparison means something.
        using var shaded = withModules.Open(vignetted);
        using var changed = await shaded.RenderAsync(Edit.Empty, Roi.Full(a.OutputSize(Edit.Empty)));
        Assert.NotEqual(PipeFixture.Pixels(reference), PipeFixture.Pixels(changed));
    }

    /// <summary>
    /// Masks follow the warp's own map for green (the spec's formula, as the develop tests compute it), at any scale;
    /// a list without a warp keeps the affine map, the masks' fast path.
    /// </summary>
    [Fact]
    public void MaskCoordinatesFollowTheWarpsGreenPlane()
    {
        var raw = Lens(null);
        var size = new ImageSize(raw.Visible.Width, raw.Visible.Height);
        ICommittedOperation Commit(RawImage image) => ((IImageOperation)new DngOpcodesOperation(3)).Commit(new DngOpcodesParams(),
            new CommitContext("dng_opcodes3", new BufferFormat(PixelLayout.Rgba, ColorEncoding.LinearCamera, 1), size, image, PipeKind.Export));
        var committed = Commit(raw);
        var (full, half) = (committed.OutputToInput(1, 1), committed.OutputToInput(0.5, 0.5));
        Assert.False(full.IsAffine);
        foreach (var (x, y) in new[] { (0.0, 0.0), (75.0, 50.0), (150.0, 37.0), (12.5, 99.5), (149.5, 100.0) })
        {
            var (ex, ey) = DngOpcodesDevelopTests.Distort(DngOpcodesDevelopTests.ChromaticWarp, 1, x, y, size.Width, size.Height);
            var (fx, fy) = full.Apply(x, y);
            Assert.Equal(ex, fx, 1e-9);
            Assert.Equal(ey, fy, 1e-9);
            var (hx, hy) = half.Apply(x / 2, y / 2);
            Assert.Equal(ex / 2, hx, 1e-9);
            Assert.Equal(ey / 2, hy, 1e-9);
        }
        var unwarped = Commit(WithLists(raw, [], [], [new FixVignetteRadialOpcode(false, [0.5, 0, 0, 0, 0], 0.5, 0.5)])).OutputToInput(0.5, 1);
        Assert.True(unwarped.IsAffine);
        Assert.Equal(Affine2.Scaling(2), unwarped.Affine);
    }

    [Fact]
    public async Task AMaskedModuleAfterTheWarpRendersTheSameInRegionsAndWhole()
    {
        var raw = Lens(CfaPattern.Rggb);
        var edit = Edit.Empty.With("exposure", new RawEngine.Iop.Exposure.ExposureParams { Exposure = 1 }, new BlendParams { Mask = "m1" })
            .WithMask(new MaskGroup("m1", [new GroupMember(new EllipseForm(new MaskPoint(0.45, 0.55), 0.3, 0.2, 30) { Feather = 0.05 })]));
        using var engine = WholePicture.Engine();
        using var session = engine.Open(raw);
        var full = Roi.Full(session.OutputSize(edit));
        using var whole = await session.RenderAsync(edit, full);
        var region = new Roi(40, 30, 60, 40);
        using var part = await session.RenderAsync(edit, region);
        Assert.Equal(PipeFixture.Crop(whole, region.X, region.Y, region.Width, region.Height), PipeFixture.Pixels(part));
    }

    /// <summary>
    /// List 1 works on the values as stored (16-bit, 1 = 65535): each value opcode must develop exactly like a raw
    /// whose samples were changed by hand as the spec says.
    /// </summary>
    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(11)]
    [InlineData(12)]
    public async Task StoredValueOpcodesDevelopLikeSamplesChangedByHand(int kind)
    {
        var raw = SyntheticRaw.Chart(64, 48, new SyntheticRawOptions { Cfa = CfaPattern.Rggb, Margin = 2 });
        // Rows 4.., every 2nd; columns 6.., every 3rd: pitches and corners are where mistakes hide.
        var area = new OpcodeArea(4, 6, 40, 60, 0, 1, 2, 3);
        var table = Enumerable.Range(0, 65536).Select(v => (ushort)Math.Min(65535, v * 3 / 2)).ToArray();
        DngOpcode opcode = kind switch
        {
            7 => new MapTableOpcode(false, area, table),
            8 => new MapPolynomialOpcode(false, area, [0.001, 1.25]),
            11 => new PerLineOpcode(false, 11, area, Enumerable.Range(0, 18).Select(i => i * 20 / 65535f).ToArray()),
            _ => new PerLineOpcode(false, 12, area, Enumerable.Range(0, 18).Select(i => 1 + i / 32f).ToArray()),
        };
        var data = (ushort[])raw.Data.Clone();
        for (var y = 0; y < raw.SensorHeight; y++)
            for (var x = 0; x < raw.SensorWidth; x++)
            {
                if (!area.HasRow(y) || !area.HasColumn(x)) continue;
                ref var v = ref data[y * raw.SensorWidth + x];
                v = kind switch
                {
                    7 => table[v],
                    8 => (ushort)Math.Round(65535 * (0.001 + 1.25 * v / 65535.0)),
                    11 => (ushort)(v + (x - 6) / 3 * 20),
                    _ => (ushort)Math.Round(v * (1 + (y - 4) / 2 / 32.0)),
                };
            }
        using var engine = WholePicture.Engine();
        using var byOpcode = engine.Open(WithLists(raw, [opcode], [], []));
        using var byHand = engine.Open(raw with { Data = data });
        var roi = Roi.Full(byHand.OutputSize(Edit.Empty));
        using var a = await byOpcode.RenderAsync(Edit.Empty, roi);
        using var b = await byHand.RenderAsync(Edit.Empty, roi);
        var (pa, pb) = (PipeFixture.Pixels(a), PipeFixture.Pixels(b));
        // By hand the values are rounded to integers: half a stored unit, well under 1e-3 after the tone curve.
        for (var i = 0; i < pa.Length; i++) Assert.Equal(pb[i], pa[i], 2e-3f);
        using var plain = engine.Open(raw);
        using var c = await plain.RenderAsync(Edit.Empty, roi);
        Assert.NotEqual(PipeFixture.Pixels(c), pa);
    }
}
