using Subvol.Tests.Pools;

namespace Subvol.Tests.Subvolumes;

/// <summary>
/// Listings read the kernel's mounts once and every extent map once for all their rows; what they show
/// must stay what describing each image alone, and the pool's usage report, say.
/// </summary>
public sealed class ListingTests(FileBackedPool fixture) : IClassFixture<FileBackedPool>
{
    private const long Size = 16L << 20;

    private Pool Pool => fixture.Pool;

    [RootFact]
    public void Listing_subvolumes_and_snapshots_together_shows_the_figures_and_mount_points_of_each_alone()
    {
        Pool.CreateSubvolume("listed", Size, FileSystemKind.Ext4, Provisioning.Thin);
        var mounted = Pool.Mount("listed", null).Value;
        File.WriteAllBytes(Path.Combine(mounted, "first"), RandomBytes(1 << 20));
        Pool.CreateSnapshot("listed", "older");
        // Rewritten in place, the file's blocks are copied in the image, and the old ones become the older snapshot's alone.
        using (var file = File.OpenHandle(Path.Combine(mounted, "first"), FileMode.Open, FileAccess.Write))
        {
            RandomAccess.Write(file, RandomBytes(1 << 20), 0);
        }

        Pool.CreateSnapshot("listed", "newer");
        // Unmounted, the subvolume's image no longer changes between the listings compared below.
        Pool.Unmount("listed");
        var snapshotMount = Pool.Mount("listed@older", null).Value;

        var together = Pool.ListImages("listed");

        Assert.Equal([Pool.ListSubvolumes().Single(subvolume => subvolume.Name == "listed")], together.Subvolumes);
        Assert.Equal(Pool.ListSnapshots("listed"), together.Snapshots);
        var usage = Pool.Usage().Images.ToDictionary(image => image.Name);
        Assert.Equal(usage["listed"].Exclusive, together.Subvolumes.Single().Exclusive);
        Assert.All(together.Snapshots, snapshot => Assert.Equal(usage[snapshot.FullName].Exclusive, snapshot.Exclusive));
        Assert.True(together.Snapshots.Single(snapshot => snapshot.Name == "older").Exclusive >= 1 << 20);
        Assert.Equal(snapshotMount, together.Snapshots.Single(snapshot => snapshot.Name == "older").MountPoint);
        Assert.Equal(Pool.GetSnapshot(new SnapshotReference("listed", "older")).MountPoint, snapshotMount);
        Assert.Null(together.Snapshots.Single(snapshot => snapshot.Name == "newer").MountPoint);
        Assert.Null(together.Subvolumes.Single().MountPoint);

        var remounted = Pool.Mount("listed", null).Value;

        Assert.Equal(remounted, Pool.ListImages("listed").Subvolumes.Single().MountPoint);
        Assert.Equal(remounted, Pool.ListSubvolumes().Single(subvolume => subvolume.Name == "listed").MountPoint);
        Assert.Equal(remounted, Pool.GetSubvolume("listed").MountPoint);
        Pool.Unmount("listed");
        Pool.Unmount("listed@older");
    }

    [RootFact]
    public void Listing_the_images_of_a_subvolume_that_does_not_exist_is_not_found()
    {
        var refusal = Assert.Throws<SubvolException>(() => Pool.ListImages("never-made"));

        Assert.Equal(SubvolErrorCode.NotFound, refusal.Code);
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
