namespace Subvol.Tests.Subvolumes;

public sealed class WriteStampTests : IDisposable
{
    private readonly DirectoryInfo _directory;
    private readonly Subvol.Pools.PoolFiles _files;

    public WriteStampTests()
    {
        _directory = Directory.CreateTempSubdirectory("subvol-stamp-");
        _files = Subvol.Pools.PoolFiles.Open(_directory.FullName);
    }

    public void Dispose()
    {
        _files.Dispose();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public void AnImageLeftAloneAfterItsStampCountsAsUnwritten()
    {
        var image = NewImage();
        var stamp = WriteStamp.Apply(_files, image);

        Assert.False(WriteStamp.WrittenSince(_files, image, stamp));
        Assert.True(stamp < DateTime.UtcNow, "the stamp lies in the past, where no later write can land");
    }

    [Fact]
    public void AWriteRightAfterTheStampCountsAsWritten()
    {
        var image = NewImage();
        var stamp = WriteStamp.Apply(_files, image);

        using (var stream = new FileStream(image, FileMode.Open, FileAccess.Write))
        {
            stream.Position = 4096;
            stream.WriteByte(1);
        }

        Assert.True(WriteStamp.WrittenSince(_files, image, stamp));
    }

    [Fact]
    public void ResizingTheImageCountsAsWritten()
    {
        var image = NewImage();
        var stamp = WriteStamp.Apply(_files, image);

        using (var stream = new FileStream(image, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(2 << 20);
        }

        Assert.True(WriteStamp.WrittenSince(_files, image, stamp));
    }

    [Fact]
    public void AnImageWithoutAStampCountsAsWritten()
    {
        var image = NewImage();
        WriteStamp.Apply(_files, image);

        Assert.True(WriteStamp.WrittenSince(_files, image, null));
    }

    [Fact]
    public void AnImageCarryingAnotherStampCountsAsWritten()
    {
        var image = NewImage();
        var earlier = WriteStamp.Apply(_files, image);
        File.SetLastWriteTimeUtc(image, earlier.AddSeconds(-5));

        Assert.True(WriteStamp.WrittenSince(_files, image, earlier));
    }

    private string NewImage()
    {
        var image = Path.Combine(_directory.FullName, "home.img");
        using var stream = new FileStream(image, FileMode.CreateNew, FileAccess.Write);
        stream.SetLength(1 << 20);
        return image;
    }
}
