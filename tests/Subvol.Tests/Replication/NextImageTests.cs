using Microsoft.Win32.SafeHandles;
using Subvol.Linux;
using Subvol.Tests.Pools;

namespace Subvol.Tests.Replication;

/// <summary>
/// The subvolume's next image, cloned from the received image a span at a time as the stream passes it and the rest
/// once the stream verified: it must hold exactly the received image's data, sharing its extents, and nothing of it
/// may outlive the receive unless it is named.
/// </summary>
public sealed class NextImageTests : IDisposable
{
    private const int Block = 4096;
    private const int ImageSize = 4 << 20;

    private readonly FileBackedPool _pool = new();
    private readonly PoolFiles? _files;

    public NextImageTests()
    {
        if (Capabilities.CanUseLoopDevices)
        {
            _files = PoolFiles.Open(_pool.Pool.Path);
            Directory.CreateDirectory(Incoming);
        }
    }

    public void Dispose()
    {
        _files?.Dispose();
        _pool.Dispose();
    }

    private string Incoming => Path.Combine(_pool.Pool.Path, "incoming");

    private string ReceivedImage => Path.Combine(Incoming, "received.test");

    [RootFact]
    public void HoldsTheReceivedDataAndSharesEveryExtentOfIt()
    {
        using var received = PrepareReceived();
        using var next = NextImage.Open(_files!, Incoming, ReceivedImage, spanBytes: 1 << 20);

        // As a stream applies records: ascending, some off block boundaries, a hole, a growth; each span cloned once passed.
        Apply(received, next, 0, Pattern(3 * Block, 1));
        Apply(received, next, 100 * Block + 7, Pattern(10, 2));
        Apply(received, next, (1 << 20) + 5, Pattern(3 * Block, 3));
        FileSpace.PunchHole(received, ReceivedImage, 600 * Block, 8 * Block);
        next.Passed(608 * Block);
        Apply(received, next, (3 << 20) - 100, Pattern(200, 4));
        RandomAccess.SetLength(received, ImageSize + (1 << 20) + 123);
        Apply(received, next, ImageSize, Pattern(Block + 123, 5));

        next.Complete();
        FileSync.Flush(received, ReceivedImage);
        var image = next.Finish();

        Assert.NotNull(image);
        Assert.Equal(RandomAccess.GetLength(received), RandomAccess.GetLength(image));
        Assert.Equal(Contents(received), Contents(image));
        Assert.Empty(ExtentDiff.Compute(ExtentMap.Read(image, "next image"), ExtentMap.Read(received, ReceivedImage), RandomAccess.GetLength(received)));
    }

    [RootFact]
    public void HoldsTheReceivedDataWhenTheStreamShrankTheImage()
    {
        using var received = PrepareReceived();
        using var next = NextImage.Open(_files!, Incoming, ReceivedImage, spanBytes: 1 << 20);
        Apply(received, next, 2 << 20, Pattern(Block, 8));
        RandomAccess.SetLength(received, (3 << 20) + 512);

        next.Complete();
        var image = next.Finish();

        Assert.NotNull(image);
        Assert.Equal((3 << 20) + 512, RandomAccess.GetLength(image));
        Assert.Equal(Contents(received), Contents(image));
    }

    [RootFact]
    public void IsNotMadeForAStreamThatNeverVerified()
    {
        using var received = PrepareReceived();
        using var next = NextImage.Open(_files!, Incoming, ReceivedImage);
        RandomAccess.Write(received, Pattern(Block, 4), 0);

        Assert.Null(next.Finish());
    }

    [RootFact]
    public void LeavesNothingInIncomingUnlessItIsNamed()
    {
        var before = Directory.GetFileSystemEntries(Incoming).Order().ToList();
        using (var received = PrepareReceived())
        using (var next = NextImage.Open(_files!, Incoming, ReceivedImage))
        {
            Apply(received, next, 0, Pattern(Block, 6));
            next.Complete();
            Assert.NotNull(next.Finish());
        }

        _files!.Delete(ReceivedImage);
        Assert.Equal(before, Directory.GetFileSystemEntries(Incoming).Order().ToList());
    }

    private static void Apply(SafeFileHandle received, NextImage next, long offset, byte[] data)
    {
        RandomAccess.Write(received, data, offset);
        next.Passed(offset + data.Length);
    }

    /// <summary>A received image of data, as a receive writes it.</summary>
    private SafeFileHandle PrepareReceived()
    {
        var file = _files!.CreateFile(ReceivedImage);
        RandomAccess.Write(file, Pattern(ImageSize, 7), 0);
        return file;
    }

    private static byte[] Contents(SafeFileHandle file)
    {
        var bytes = new byte[RandomAccess.GetLength(file)];
        var read = 0;
        while (read < bytes.Length)
        {
            read += RandomAccess.Read(file, bytes.AsSpan(read), read);
        }

        return bytes;
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
