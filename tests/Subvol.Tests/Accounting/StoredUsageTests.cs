using Subvol.Tests.Pools;

namespace Subvol.Tests.Accounting;

/// <summary>
/// Listings use the figures of the last reading of every extent map while the pool is as it was then;
/// whatever changes a figure (a snapshot destroyed, a write to a subvolume) makes them read the maps again.
/// </summary>
public sealed class StoredUsageTests(FileBackedPool fixture) : IClassFixture<FileBackedPool>
{
    private const long Size = 16L << 20;
    private const int DataBytes = 1 << 20;

    private Pool Pool => fixture.Pool;

    [RootFact]
    public void Destroying_a_snapshot_gives_the_data_it_shared_to_the_one_left_in_the_next_listing()
    {
        var mounted = Written("destroyed");
        Pool.CreateSnapshot("destroyed", "a");
        Pool.CreateSnapshot("destroyed", "b");
        // Rewritten in place, the data stays only in the two snapshots, so neither holds it alone.
        Rewrite(mounted);
        Pool.Unmount("destroyed");
        // Each snapshot may hold a few blocks alone that the filesystem wrote between them, never the data.
        Assert.True(Stored("destroyed@a") < DataBytes);

        Pool.DestroySnapshot(new SnapshotReference("destroyed", "b"));

        var after = Pool.ListSnapshots("destroyed").Single().Exclusive;
        Assert.True(after >= DataBytes, $"destroyed@a holds {after} bytes alone");
        Assert.Equal(Pool.ReadExtentMaps().Images["destroyed@a"].Exclusive, after);
    }

    [RootFact]
    public void A_write_to_a_subvolume_after_the_figures_were_stored_is_seen_by_the_next_listing()
    {
        var mounted = Written("rewritten");
        Pool.CreateSnapshot("rewritten", "a");
        Pool.Unmount("rewritten");
        Assert.True(Stored("rewritten@a") < DataBytes);
        Pool.Mount("rewritten", null);

        Rewrite(mounted);
        Pool.Unmount("rewritten");

        var listed = Pool.ListImages("rewritten");
        var fresh = Pool.ReadExtentMaps();
        Assert.True(listed.Snapshots.Single().Exclusive >= DataBytes, $"rewritten@a holds {listed.Snapshots.Single().Exclusive} bytes alone");
        Assert.Equal(fresh.Images["rewritten@a"].Exclusive, listed.Snapshots.Single().Exclusive);
        Assert.Equal(fresh.Images["rewritten"].Exclusive, listed.Subvolumes.Single().Exclusive);
    }

    /// <summary>A mounted subvolume holding a file of DataBytes, synced into its image.</summary>
    private string Written(string name)
    {
        Pool.CreateSubvolume(name, Size, FileSystemKind.Ext4, Provisioning.Thin);
        var mounted = Pool.Mount(name, null).Value;
        var bytes = new byte[DataBytes];
        Random.Shared.NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(mounted, "data"), bytes);
        return mounted;
    }

    /// <summary>Overwrites the file in place, so that the image copies its blocks and the snapshots keep the old ones.</summary>
    private static void Rewrite(string mounted)
    {
        var bytes = new byte[DataBytes];
        Random.Shared.NextBytes(bytes);
        using var file = File.OpenHandle(Path.Combine(mounted, "data"), FileMode.Open, FileAccess.Write);
        RandomAccess.Write(file, bytes, 0);
        RandomAccess.FlushToDisk(file);
    }

    /// <summary>
    /// Lists the pool once its images have been still for longer than the one second within which a change
    /// may not move st_ctime, so that the listing stores its figures, and returns one image's exclusive bytes.
    /// </summary>
    private long Stored(string image)
    {
        Thread.Sleep(TimeSpan.FromSeconds(1.5));
        var exclusive = Pool.ListImages().Snapshots.Single(snapshot => snapshot.FullName == image).Exclusive!.Value;
        var stored = Pool.Database.GetUsageFigures();
        Assert.NotNull(stored);
        Assert.Contains($"{image}\t", stored.Value.Figures);
        return exclusive;
    }
}
