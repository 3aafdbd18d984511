using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>subvol df against what the host filesystem itself says, through a subvolume's life.</summary>
public sealed class AccountingTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const long MiB = 1 << 20;

    [RootFact]
    public void ReferencedExclusiveAndSharedFollowSnapshotsRewritesDestroysAndClones()
    {
        const string name = "acct";
        pool.Run("create", name, "--size", "320M", "--provisioning", "thin").ShouldSucceed();
        var data = Path.Combine(pool.Mount(name), "data.bin");
        Data.WriteRandom(data, 64 * MiB);
        pool.Unmount(name);

        // Fresh: everything it references is its own, and referenced is what the host allocated.
        var fresh = Usage(name);
        Assert.Equal(AllocatedOnHost(pool.SubvolumeImage(name)), fresh.Referenced);
        Assert.Equal(fresh.Referenced, fresh.Exclusive);

        // After a snapshot of the unmounted subvolume, all the snapshot holds is shared with it. The live
        // image keeps only what a reflink does not clone: allocated but never written (unwritten) extents.
        pool.Run("snapshot", $"{name}@one").ShouldSucceed();
        var shared = Usage(name);
        var snapshot = Usage($"{name}@one");
        Assert.Equal(0, snapshot.Exclusive);
        Assert.Equal(snapshot.Referenced, shared.Shared);
        Assert.Equal(fresh.Referenced, shared.Referenced);

        // Rewriting 8 MiB gives each side 8 MiB of its own: the new blocks, and the old ones the snapshot keeps.
        using (var stream = new FileStream(Path.Combine(pool.Mount(name), "data.bin"), FileMode.Open, FileAccess.Write))
        {
            var buffer = new byte[8 * MiB];
            Random.Shared.NextBytes(buffer);
            stream.Position = 16 * MiB;
            stream.Write(buffer);
            stream.Flush();
            Subvol.Linux.FileSync.Flush(stream.SafeFileHandle, data);
        }

        pool.Unmount(name);
        var live = Usage(name);
        var old = Usage($"{name}@one");
        Assert.InRange(live.Exclusive - shared.Exclusive, 8 * MiB, 12 * MiB);
        Assert.InRange(old.Exclusive, 8 * MiB, 12 * MiB);

        // Destroying the snapshot frees what df called its exclusive bytes, give or take a few blocks.
        var usedBefore = PoolUsed();
        pool.Run("destroy", $"{name}@one").ShouldSucceed();
        var freed = usedBefore - PoolUsed();
        Assert.InRange(freed, old.Exclusive - MiB, old.Exclusive + MiB);
        var alone = Usage(name);
        Assert.Equal(alone.Referenced, alone.Exclusive);

        // A clone shares all its origin's data; its own blocks are what giving it a new filesystem UUID
        // rewrote: xfs_admin stamps the whole log (64 MiB at this size), and a few metadata blocks.
        pool.Run("snapshot", $"{name}@two").ShouldSucceed();
        pool.Run("clone", $"{name}@two", "acct-clone", "--provisioning", "thin").ShouldSucceed();
        var clone = Usage("acct-clone");
        Assert.True(clone.Exclusive < 72 * MiB, $"the clone has {clone.Exclusive} exclusive bytes");
        Assert.True(clone.Shared >= 64 * MiB);
        Assert.Equal(alone.Referenced, Usage($"{name}@two").Referenced);

        // list shows the same numbers as df.
        var listed = pool.Json("list", name).EnumerateArray().Single();
        Assert.Equal(Usage(name).Exclusive, listed.GetProperty("exclusive").GetInt64());
    }

    private (long Referenced, long Exclusive, long Shared) Usage(string image)
    {
        var entry = pool.Json("df").GetProperty("images").EnumerateArray().Single(element => element.GetProperty("name").GetString() == image);
        return (entry.GetProperty("referenced").GetInt64(), entry.GetProperty("exclusive").GetInt64(), entry.GetProperty("shared").GetInt64());
    }

    private static long AllocatedOnHost(string path) =>
        long.Parse(Tools.Run("stat", "-c", "%b", path).ShouldSucceed().Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture) * 512;

    private long PoolUsed()
    {
        Tools.Run("sync", "-f", pool.PoolPath);
        var drive = new DriveInfo(pool.PoolPath);
        return drive.TotalSize - drive.TotalFreeSpace;
    }
}
