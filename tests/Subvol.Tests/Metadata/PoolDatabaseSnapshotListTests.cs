using Subvol.Metadata;

namespace Subvol.Tests.Metadata;

/// <summary>Every snapshot's row as a listing reads it: in a fixed order, and with the times and names that were stored.</summary>
public sealed class PoolDatabaseSnapshotListTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-snapshot-list-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Snapshots_taken_in_turn_of_several_subvolumes_list_by_subvolume_name_and_each_in_the_order_taken()
    {
        using var database = PoolDatabase.Open(Path.Combine(_directory.FullName, "pool.db"), create: true);
        // Made in an order that is neither the names' nor the snapshots', so that only sorting gives the listing's order.
        var web = database.InsertSubvolume("web", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
        var home = database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
        var archive = database.InsertSubvolume("archive", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
        foreach (var (subvolume, name) in new[] { (web, "b"), (home, "z"), (web, "a"), (archive, "y"), (home, "c"), (web, "c") })
        {
            database.InsertSnapshot(subvolume, name, Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, DateTimeOffset.UtcNow);
        }

        var listed = database.ListSnapshots().Select(snapshot => $"{snapshot.SubvolumeName}@{snapshot.Name}");

        Assert.Equal(["archive@y", "home@z", "home@c", "web@b", "web@a", "web@c"], listed);
        Assert.Equal(["z", "c"], database.ListSnapshots("home").Select(snapshot => snapshot.Name));
    }

    [Theory]
    [InlineData("2026-12-05T06:46:42.123Z")]
    [InlineData("2024-02-29T23:59:59.999Z")]
    [InlineData("0001-01-01T00:00:00.000Z")]
    public void A_snapshot_lists_with_the_time_it_was_stored_with_to_the_millisecond(string stored)
    {
        using var database = PoolDatabase.Open(Path.Combine(_directory.FullName, "pool.db"), create: true);
        var home = database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
        var created = DateTimeOffset.Parse(stored, System.Globalization.CultureInfo.InvariantCulture);

        database.InsertSnapshot(home, "daily", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, created);

        var listed = database.ListSnapshots().Single().Created;
        Assert.Equal(created, listed);
        Assert.Equal(TimeSpan.Zero, listed.Offset);
        Assert.Equal(stored, PoolDatabase.FormatTime(listed));
    }
}
