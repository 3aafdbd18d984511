namespace Subvol.Tests.Pools;

public sealed class PoolMetadataTests : IDisposable
{
    private readonly TemporaryPool _pool = new();

    public void Dispose() => _pool.Dispose();

    private Pool Pool => _pool.Pool;

    [Fact]
    public void ThinCreatePublishesASparseImageAndARecord()
    {
        var result = Pool.CreateSubvolume("home", 16L << 20, FileSystemKind.Ext4, Provisioning.Thin);

        Assert.Equal(Outcome.Created, result.Outcome);
        var image = Path.Combine(_pool.Root, "subvolumes", "home.img");
        Assert.Equal(16L << 20, new FileInfo(image).Length);
        Assert.True(result.Value.AllocatedBytes < 16L << 20, "the image is sparse");
        Assert.Equal(["home"], Pool.ListSubvolumes().Select(subvolume => subvolume.Name));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_pool.Root, "incoming")));
    }

    [Fact]
    public void GuaranteedCreateAllocatesTheWholeImage()
    {
        var result = Pool.CreateSubvolume("home", 16L << 20, FileSystemKind.Ext4, Provisioning.Guaranteed);

        Assert.Equal(Provisioning.Guaranteed, result.Value.Provisioning);
        Assert.True(result.Value.AllocatedBytes >= 16L << 20, $"allocated {result.Value.AllocatedBytes}");
    }

    [Fact]
    public void TheSameNameWithAnotherProvisioningIsRefused()
    {
        Pool.CreateSubvolume("home", 16L << 20, FileSystemKind.Ext4, Provisioning.Thin);
        var exception = Assert.Throws<SubvolException>(() => Pool.CreateSubvolume("home", 16L << 20, FileSystemKind.Ext4, Provisioning.Guaranteed));
        Assert.Equal(SubvolErrorCode.AlreadyExists, exception.Code);
    }

    [Fact]
    public void CreatingTheSameSubvolumeAgainSaysItAlreadyExisted()
    {
        Pool.CreateSubvolume("home", 16L << 20, FileSystemKind.Ext4);
        Assert.Equal(Outcome.AlreadyExisted, Pool.CreateSubvolume("home", 16L << 20, FileSystemKind.Ext4).Outcome);
    }

    [Fact]
    public void CreatingTheSameNameWithAnotherSizeIsRefused()
    {
        Pool.CreateSubvolume("home", 16L << 20, FileSystemKind.Ext4);
        var exception = Assert.Throws<SubvolException>(() => Pool.CreateSubvolume("home", 32L << 20, FileSystemKind.Ext4));
        Assert.Equal(SubvolErrorCode.AlreadyExists, exception.Code);
    }

    [Fact]
    public void CreateRefusesSizesBelowTheFilesystemMinimum()
    {
        var exception = Assert.Throws<SubvolException>(() => Pool.CreateSubvolume("small", 100L << 20, FileSystemKind.Xfs));
        Assert.Equal(SubvolErrorCode.InvalidArgument, exception.Code);
        Assert.Contains("300.0 MiB", exception.Message);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("")]
    [InlineData("a/b")]
    public void CreateRefusesBadNamesBeforeTouchingAnything(string name)
    {
        var exception = Assert.Throws<SubvolException>(() => Pool.CreateSubvolume(name, 16L << 20, FileSystemKind.Ext4));
        Assert.Equal(SubvolErrorCode.InvalidArgument, exception.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_pool.Root, "subvolumes")));
    }

    [Fact]
    public void RenameMovesTheImageAndTheRecord()
    {
        Pool.CreateSubvolume("old", 16L << 20, FileSystemKind.Ext4);

        Pool.RenameSubvolume("old", "new");

        Assert.Equal(["new"], Pool.ListSubvolumes().Select(subvolume => subvolume.Name));
        Assert.True(File.Exists(Path.Combine(_pool.Root, "subvolumes", "new.img")));
        Assert.False(File.Exists(Path.Combine(_pool.Root, "subvolumes", "old.img")));
        Assert.Empty(Pool.Database.ListPendingRenames());
    }

    [Fact]
    public void DeleteRemovesImageAndRecordAndReportsARepeat()
    {
        Pool.CreateSubvolume("home", 16L << 20, FileSystemKind.Ext4);

        Assert.Equal(Outcome.Deleted, Pool.DeleteSubvolume("home", recursive: false));
        Assert.Equal(Outcome.AlreadyGone, Pool.DeleteSubvolume("home", recursive: false));
        Assert.Empty(Pool.ListSubvolumes());
        Assert.False(File.Exists(Path.Combine(_pool.Root, "subvolumes", "home.img")));
    }

    [Fact]
    public void DeleteRefusesASubvolumeWithSnapshotsUnlessRecursive()
    {
        var subvolume = Pool.CreateSubvolume("home", 16L << 20, FileSystemKind.Ext4).Value;
        var record = Pool.Database.FindSubvolume("home")!;
        Pool.Database.InsertSnapshot(record, "daily", Guid.NewGuid(), subvolume.Size, subvolume.FileSystem, DateTimeOffset.UtcNow);
        Directory.CreateDirectory(Path.Combine(_pool.Root, "snapshots", "home"));
        File.WriteAllText(Path.Combine(_pool.Root, "snapshots", "home", "daily.img"), "x");

        var exception = Assert.Throws<SubvolException>(() => Pool.DeleteSubvolume("home", recursive: false));
        Assert.Equal(SubvolErrorCode.Busy, exception.Code);
        Assert.Contains("daily", exception.Message);
        Assert.Equal(new Remedy.DestroySnapshotsFirst(Pool.Path, "home"), exception.Remedy);

        Assert.Equal(Outcome.Deleted, Pool.DeleteSubvolume("home", recursive: true));
        Assert.False(Directory.Exists(Path.Combine(_pool.Root, "snapshots", "home")));
        Assert.Empty(Pool.ListSnapshots());
    }

    [Fact]
    public void ShrinkingXfsIsRefusedWithAReason()
    {
        Pool.CreateSubvolume("data", 400L << 20, FileSystemKind.Xfs);
        var exception = Assert.Throws<SubvolException>(() => Pool.ResizeSubvolume("data", 350L << 20));
        Assert.Equal(SubvolErrorCode.NotSupported, exception.Code);
        Assert.Contains("cannot shrink", exception.Message);
    }

    [Fact]
    public void Ext4ShrinksAndGrowsWhileUnmounted()
    {
        Pool.CreateSubvolume("data", 64L << 20, FileSystemKind.Ext4);

        Assert.Equal(32L << 20, Pool.ResizeSubvolume("data", 32L << 20).Value.Size);
        Assert.Equal(96L << 20, Pool.ResizeSubvolume("data", 96L << 20).Value.Size);
        Assert.Equal(96L << 20, new FileInfo(Path.Combine(_pool.Root, "subvolumes", "data.img")).Length);
        Assert.Equal(Outcome.Unchanged, Pool.ResizeSubvolume("data", 96L << 20).Outcome);
    }

    [Fact]
    public void GrowNeverShrinksAndGrowsAnUnmountedExt4Offline()
    {
        Pool.CreateSubvolume("data", 64L << 20, FileSystemKind.Ext4);

        var smaller = Pool.Grow("data", 32L << 20);
        Assert.Equal(Outcome.Unchanged, smaller.Outcome);
        Assert.Equal(64L << 20, smaller.Value.Size);

        var larger = Pool.Grow("data", 96L << 20);
        Assert.Equal(Outcome.Changed, larger.Outcome);
        Assert.Equal(96L << 20, larger.Value.Size);
        Assert.Equal(96L << 20, new FileInfo(Path.Combine(_pool.Root, "subvolumes", "data.img")).Length);
    }

    [Fact]
    public void MissingNamesAreNotFoundWithAHint()
    {
        var exception = Assert.Throws<SubvolException>(() => Pool.GetSubvolume("nope"));
        Assert.Equal(SubvolErrorCode.NotFound, exception.Code);
        Assert.Equal(new Remedy.ListSubvolumes(Pool.Path), exception.Remedy);
        Assert.Equal(SubvolErrorCode.NotFound,
            Assert.Throws<SubvolException>(() => Pool.GetSnapshot(new SnapshotReference("nope", "snap"))).Code);
    }
}
