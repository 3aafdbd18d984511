using Subvol.Linux;
using Subvol.Stream;
using Subvol.Tests.Pools;

namespace Subvol.Tests.Replication;

/// <summary>How a receive writes into its image: a copy-on-write hint of one block while the stream is written, the default once it verified.</summary>
public sealed class ReceiveSinkTests : IDisposable
{
    private const int Block = 4096;
    private const long ImageSize = 1 << 20;

    private readonly FileBackedPool _pool = new();

    public void Dispose() => _pool.Dispose();

    [RootFact]
    public void WritesReserveOneBlockWhileTheStreamArrivesAndTheDefaultComesBackAtItsEnd()
    {
        var path = Path.Combine(_pool.Pool.Path, "incoming", "received.test");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var image = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        using (var sink = new ReceiveSink(image, path, Block, ImageSize, _ => { }, progress: null))
        {
            sink.Begin(new StreamHeader(StreamHeader.CurrentVersion, ImageSize, Block, Guid.NewGuid(), null, FileSystemKind.Xfs, "source", "s1",
                DateTimeOffset.UnixEpoch, 0, StreamCompression.None));
            sink.Data(Block, new byte[Block]);

            Assert.Equal((uint)Block, CopyOnWriteExtentSize.Get(image, path));

            sink.End(new StreamSummary(1, 0, 0, Block, new byte[32]));

            Assert.Equal(0u, CopyOnWriteExtentSize.Get(image, path));
        }

        Assert.Equal(ImageSize, new FileInfo(path).Length);
    }
}
