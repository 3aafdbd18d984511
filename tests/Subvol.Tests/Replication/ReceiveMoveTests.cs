using Subvol.Stream;
using Subvol.Tests.Pools;

namespace Subvol.Tests.Replication;

/// <summary>
/// An incremental receive moves its subvolume to the received snapshot, through the next image cloned while
/// the receive syncs, with records on block boundaries or off them.
/// </summary>
public sealed class ReceiveMoveTests : IDisposable
{
    private const int Block = 4096;
    private const long ImageSize = 1 << 20;

    private static readonly Guid FirstGuid = Guid.Parse("0b6f3a52-5d0e-4d4e-9a57-2f61c1d8e401");
    private static readonly Guid SecondGuid = Guid.Parse("7c2e91a4-3b8d-4f65-b1e0-94d5a6c7f802");

    private readonly FileBackedPool _pool = new();

    public void Dispose() => _pool.Dispose();

    private Pool Pool => _pool.Pool;

    [RootFact]
    public void AnIncrementalReceiveOnBlockBoundariesMovesTheSubvolumeToTheReceivedSnapshot()
    {
        ReceiveFirst();

        Pool.Receive("copy", Stream(SecondGuid, FirstGuid, "s2", writer => writer.WriteData(2 * Block, Pattern(Block, 2))));

        AssertSubvolumeHolds("s2", 2 * Block, Pattern(Block, 2));
    }

    [RootFact]
    public void AnIncrementalReceiveOffBlockBoundariesMovesTheSubvolumeToTheReceivedSnapshot()
    {
        ReceiveFirst();

        Pool.Receive("copy", Stream(SecondGuid, FirstGuid, "s2", writer => writer.WriteData(100, Pattern(10, 3))));

        AssertSubvolumeHolds("s2", 100, Pattern(10, 3));
    }

    [RootFact]
    public void AnIncrementalReceiveLeavesNeitherTheSnapshotNorTheSubvolumeTheHintItWroteWith()
    {
        ReceiveFirst();

        Pool.Receive("copy", Stream(SecondGuid, FirstGuid, "s2", writer => writer.WriteData(2 * Block, Pattern(Block, 2))));

        // The subvolume is a clone of the whole received image, which would carry a hint along into its own writes.
        Assert.Equal(0u, CopyOnWriteHint(Path.Combine(Pool.Path, "snapshots", "copy", "s2.img")));
        Assert.Equal(0u, CopyOnWriteHint(Path.Combine(Pool.Path, "subvolumes", "copy.img")));
    }

    private static uint CopyOnWriteHint(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        return Subvol.Linux.CopyOnWriteExtentSize.Get(file, path);
    }

    private void ReceiveFirst() =>
        Pool.Receive("copy", Stream(FirstGuid, null, "s1", writer => writer.WriteData(0, Pattern(4 * Block, 1))));

    private void AssertSubvolumeHolds(string snapshot, long offset, byte[] expected)
    {
        var subvolume = File.ReadAllBytes(Path.Combine(Pool.Path, "subvolumes", "copy.img"));
        var received = File.ReadAllBytes(Path.Combine(Pool.Path, "snapshots", "copy", snapshot + ".img"));
        Assert.Equal(received, subvolume);
        Assert.Equal(expected, subvolume.AsSpan((int)offset, expected.Length).ToArray());
        Assert.Equal(Pattern(4 * Block, 1).AsSpan(0, (int)Math.Min(offset, 4 * Block)).ToArray(), subvolume.AsSpan(0, (int)Math.Min(offset, 4 * Block)).ToArray());
        Assert.Empty(Pool.ListPartialReceives());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Pool.Path, "incoming")));
    }

    private static MemoryStream Stream(Guid target, Guid? baseGuid, string snapshot, Action<ReplicationStreamWriter> records)
    {
        var header = new StreamHeader(StreamHeader.CurrentVersion, ImageSize, Block, target, baseGuid, FileSystemKind.Xfs, "source", snapshot,
            new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), 0, StreamCompression.None);
        var output = new MemoryStream();
        using (var writer = new ReplicationStreamWriter(output, header))
        {
            records(writer);
            writer.Finish();
        }

        output.Position = 0;
        return output;
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
