using RawEngine.Engine.Buffers;

namespace RawEngine.Tests.Buffers;

public class ImageBufferTests
{
    [Fact]
    public void BuffersGoBackToThePoolWhenTheLastHandleIsDisposed()
    {
        var pool = new BufferPool();
        var buffer = ImageBuffer.Rent(pool, 10, 10, 4);
        var view = buffer.View(2, 2, 4, 4);
        buffer.Dispose();
        Assert.Equal(0, pool.RetainedBytes);
        view.At(0, 0) = 1;
        view.Dispose();
        view.Dispose();
        Assert.True(pool.RetainedBytes > 0);
        Assert.Throws<ObjectDisposedException>(() => view.Share());
    }
}
