using Microsoft.Win32.SafeHandles;
using Subvol.Linux;
using Subvol.Tests.Pools;

namespace Subvol.Tests.Replication;

/// <summary>
/// The subvolume's next image built beside a receive: it must end up holding exactly the received image's
/// data, sharing its extents, or give up; and nothing of it may outlive the receive unless it is named.
/// </summary>
public sealed class FollowingImageTests : IDisposable
{
    private const int Block = 4096;
    private const int ImageSize = 4 << 20;

    private readonly FileBackedPool _pool = new();
    private readonly PoolFiles? _files;

    public FollowingImageTests()
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

    private string BaseImage => Path.Combine(Incoming, "base.test");

    private string ReceivedImage => Path.Combine(Incoming, "received.test");

    [RootFact]
    public void FollowsEveryRangeHoleAndSizeChangeAndSharesTheReceivedExtents()
    {
        using var received = PrepareReceived();
        using var following = FollowingImage.Start(_files!, Incoming, BaseImage, ReceivedImage);

        Write(received, following, 0, Pattern(2 * Block, 1));
        Write(received, following, 2 * Block, Pattern(Block, 2));
        Write(received, following, 64 * Block, Pattern(16 * Block, 3));
        FileSpace.PunchHole(received, ReceivedImage, 200 * Block, 8 * Block);
        following.Hole(200 * Block, 8 * Block);
        RandomAccess.SetLength(received, ImageSize + (1 << 20));
        following.Resize(ImageSize + (1 << 20));
        Write(received, following, ImageSize, Pattern(Block, 4));
        FileSync.Flush(received, ReceivedImage);

        var image = following.Finish();

        Assert.NotNull(image);
        Assert.Equal(RandomAccess.GetLength(received), RandomAccess.GetLength(image));
        Assert.Equal(Contents(received), Contents(image));
        Assert.Empty(ExtentDiff.Compute(ExtentMap.Read(image, "following"), ExtentMap.Read(received, ReceivedImage), RandomAccess.GetLength(received)));
    }

    [RootFact]
    public void GivesUpOnARangeOffBlockBoundariesSoTheReceiveClonesInstead()
    {
        using var received = PrepareReceived();
        using var following = FollowingImage.Start(_files!, Incoming, BaseImage, ReceivedImage);

        Write(received, following, 100, Pattern(10, 5));

        Assert.Null(following.Finish());
    }

    [RootFact]
    public void LeavesNothingInIncomingUnlessItIsNamed()
    {
        var before = Directory.GetFileSystemEntries(Incoming).Order().ToList();
        using (var received = PrepareReceived())
        using (var following = FollowingImage.Start(_files!, Incoming, BaseImage, ReceivedImage))
        {
            Write(received, following, 0, Pattern(Block, 6));
            Assert.NotNull(following.Finish());
        }

        _files!.Delete(ReceivedImage);
        _files.Delete(BaseImage);
        Assert.Equal(before, Directory.GetFileSystemEntries(Incoming).Order().ToList());
    }

    /// <summary>A base image of data and a received image cloned from it, as a receive starts.</summary>
    private SafeFileHandle PrepareReceived()
    {
        using (var file = _files!.CreateFile(BaseImage))
        {
            RandomAccess.Write(file, Pattern(ImageSize, 7), 0);
            FileSync.Flush(file, BaseImage);
        }

        _files.Clone(BaseImage, ReceivedImage);
        return _files.OpenFile(ReceivedImage, FileAccess.ReadWrite);
    }

    private static void Write(SafeFileHandle received, FollowingImage following, long offset, byte[] data)
    {
        RandomAccess.Write(received, data, offset);
        following.Data(offset, data.Length);
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
