using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>An ext4 subvolume goes through the whole life of an XFS one.</summary>
public sealed class Ext4Tests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const long MiB = 1 << 20;

    [RootFact]
    public void Ext4_subvolume_creates_mounts_snapshots_clones_and_rolls_back_with_exact_checksums()
    {
        pool.Create("e4", "48M", "ext4");
        Assert.Equal("ext4", pool.Json("list", "e4").EnumerateArray().Single().GetProperty("filesystem").GetString());
        var mountPoint = pool.Mount("e4");
        Assert.Equal("ext4", Kernel.MountAt(mountPoint)!.FileSystemType);
        Directory.CreateDirectory(Path.Combine(mountPoint, "docs"));
        Data.WriteRandom(Path.Combine(mountPoint, "docs", "a.bin"), 6 * MiB);
        Data.WriteRandom(Path.Combine(mountPoint, "b.bin"), MiB);
        var original = Data.Tree(mountPoint);

        pool.Run("snapshot", "e4@s1").ShouldSucceed();
        Assert.Equal("ext4", pool.Json("list", "-t", "snapshot", "e4").EnumerateArray().Single().GetProperty("filesystem").GetString());
        var snapshot = pool.Mount("e4@s1");
        Assert.True(Kernel.MountAt(snapshot)!.ReadOnly, "a snapshot mounts read-only");
        Assert.Equal(original, Data.Tree(snapshot));
        pool.Unmount("e4@s1");

        Data.WriteRandom(Path.Combine(mountPoint, "docs", "a.bin"), 6 * MiB);
        Data.WriteRandom(Path.Combine(mountPoint, "c.bin"), 2 * MiB);
        var modified = Data.Tree(mountPoint);
        Assert.NotEqual(original, modified);

        pool.Run("clone", "e4@s1", "e4-clone").ShouldSucceed();
        var clone = pool.Mount("e4-clone");
        Assert.Equal("ext4", Kernel.MountAt(clone)!.FileSystemType);
        Assert.NotEqual(Tools.FileSystemUuid(pool.SubvolumeImage("e4")), Tools.FileSystemUuid(pool.SubvolumeImage("e4-clone")));
        Assert.Equal(original, Data.Tree(clone));
        Data.WriteRandom(Path.Combine(clone, "clone-only.bin"), MiB);
        Assert.Equal(modified, Data.Tree(mountPoint));
        pool.Unmount("e4-clone");

        pool.Unmount("e4");
        pool.Run("rollback", "e4@s1").ShouldSucceed();
        Assert.Equal(Data.Sha256(pool.SnapshotImage("e4", "s1")), Data.Sha256(pool.SubvolumeImage("e4")));
        mountPoint = pool.Mount("e4");
        Assert.Equal(original, Data.Tree(mountPoint));
        pool.Unmount("e4");

        Tools.Run("e2fsck", "-f", "-n", pool.SubvolumeImage("e4")).ShouldSucceed();
        Tools.Run("e2fsck", "-f", "-n", pool.SubvolumeImage("e4-clone")).ShouldSucceed();
        Tools.Run("e2fsck", "-f", "-n", pool.SnapshotImage("e4", "s1")).ShouldSucceed();
        pool.Run("check").ShouldSucceed();
    }
}
