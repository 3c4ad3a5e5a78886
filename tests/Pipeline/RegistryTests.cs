using RawEngine.Iop;
using RawEngine.Engine.Pipeline;
using RawEngine.Tests.Pipeline.TestOps;

namespace RawEngine.Tests.Pipeline;

public class RegistryTests
{
    [Fact]
    public void ModulesMustBeUniqueAndPlacedInTheOrder()
    {
        var notOrdered = Assert.Throws<ArgumentException>(() => new ModuleRegistry([new GainOperation()], IopOrder.Default));
        Assert.StartsWith("Module 'gain' is not in the iop order.", notOrdered.Message);
        var twice = Assert.Throws<ArgumentException>(() => new ModuleRegistry([new GainOperation(), new GainOperation()]));
        Assert.StartsWith("Module id 'gain' is registered twice.", twice.Message);
        var badId = Assert.Throws<ArgumentException>(() => new ModuleRegistry([new GainOperation("Gain")]));
        Assert.StartsWith("Module id 'Gain' is not snake_case.", badId.Message);

        // The default order may name modules that are not registered; registered ones keep its positions.
        var registry = new ModuleRegistry([new GainOperation("exposure"), new GainOperation("rawprepare")], IopOrder.Default);
        Assert.True(registry.OrderIndexOf("rawprepare") < registry.OrderIndexOf("exposure"));
        Assert.Equal("unknown module 'sigmoid' (known: exposure, rawprepare)", Assert.Throws<KeyNotFoundException>(() => registry.Get("sigmoid")).Message);
    }
}
