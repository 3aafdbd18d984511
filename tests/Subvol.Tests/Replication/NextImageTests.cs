using Microsoft.Win32.SafeHandles;
using Subvol.Linux;
using Subvol.Tests.Pools;

namespace Subvol.Tests.Replication;

/// <summary>
/// The subvolume's next image, cloned from the received image once the stream verified: it must hold exactly the
/// received image's data, sharing its extents, and nothing of it may outlive the receive unless it is named.
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
        using var next = NextImage.Open(_files!, Incoming, ReceivedImage);
        RandomAccess.Write(received, Pattern(3 * Block, 1), 0);
        RandomAccess.Write(received, Pattern(10, 2), 100 * Block + 7);
        FileSpace.PunchHole(received, ReceivedImage, 200 * Block, 8 * Block);
        RandomAccess.SetLength(received, ImageSize + (1 << 20));
        RandomAccess.Write(received, Pattern(Block, 3), ImageSize);

        next.Begin();
        FileSync.Flush(received, ReceivedImage);
        var image = next.Finish();

        Assert.NotNull(image);
        Assert.Equal(RandomAccess.GetLength(received), RandomAccess.GetLength(image));
        Assert.Equal(Contents(received), Contents(image));
        Assert.Empty(ExtentDiff.Compute(ExtentMap.Read(image, "next image"), ExtentMap.Read(received, ReceivedImage), RandomAccess.GetLength(received)));
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
            RandomAccess.Write(received, Pattern(Block, 6), 0);
            next.Begin();
            Assert.NotNull(next.Finish());
        }

        _files!.Delete(ReceivedImage);
        Assert.Equal(before, Directory.GetFileSystemEntries(Incoming).Order().ToList());
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
