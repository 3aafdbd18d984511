using Subvol.Metadata;

namespace Subvol.Tests.Metadata;

public sealed class PoolDatabaseSchemaTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-schema-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void AVersionTwoDatabaseGainsWriteStampsAndItsSubvolumesCountAsWritten()
    {
        var path = Path.Combine(_directory.FullName, "pool.db");
        using (var database = PoolDatabase.Open(path, create: true))
        {
            database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin, DateTime.UtcNow);
        }

        // What version 2 wrote: no write_stamp column, and no creators.
        DatabaseFile.Execute(path, "DROP TABLE snapshot_group_members; DROP TABLE snapshot_groups; ALTER TABLE snapshots DROP COLUMN freeze_seconds; ALTER TABLE subvolumes DROP COLUMN write_stamp; ALTER TABLE subvolumes DROP COLUMN creator; ALTER TABLE snapshots DROP COLUMN creator; UPDATE pool SET value = '2' WHERE key = 'schema_version';");

        using (var database = PoolDatabase.Open(path, create: false))
        {
            var home = database.FindSubvolume("home");
            Assert.NotNull(home);
            Assert.Null(home.WriteStamp);
            Assert.Equal("8", database.GetPoolValue("schema_version"));
        }
    }

    [Fact]
    public void AVersionOneDatabaseIsBroughtToTheCurrentVersionStepByStep()
    {
        var path = Path.Combine(_directory.FullName, "pool.db");
        using (var database = PoolDatabase.Open(path, create: true))
        {
            database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Guaranteed, DateTime.UtcNow);
        }

        // What version 1 wrote: neither provisioning nor write_stamp nor creators.
        DatabaseFile.Execute(path, "DROP TABLE snapshot_group_members; DROP TABLE snapshot_groups; ALTER TABLE snapshots DROP COLUMN freeze_seconds; ALTER TABLE subvolumes DROP COLUMN write_stamp; ALTER TABLE subvolumes DROP COLUMN provisioning; ALTER TABLE subvolumes DROP COLUMN creator; ALTER TABLE snapshots DROP COLUMN creator; UPDATE pool SET value = '1' WHERE key = 'schema_version';");

        using (var database = PoolDatabase.Open(path, create: false))
        {
            var home = database.FindSubvolume("home");
            Assert.NotNull(home);
            Assert.Equal(Provisioning.Thin, home.Provisioning);
            Assert.Null(home.WriteStamp);
            Assert.Equal("8", database.GetPoolValue("schema_version"));
        }
    }

    [Fact]
    public void AVersionThreeDatabaseGainsCreatorsAndWhatItHeldHasNone()
    {
        var path = Path.Combine(_directory.FullName, "pool.db");
        using (var database = PoolDatabase.Open(path, create: true))
        {
            var home = database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin, creator: "made-before");
            database.InsertSnapshot(home, "daily", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, DateTimeOffset.UtcNow, creator: "made-before");
        }

        // What version 3 wrote: no creator columns.
        DatabaseFile.Execute(path, "DROP TABLE snapshot_group_members; DROP TABLE snapshot_groups; ALTER TABLE snapshots DROP COLUMN freeze_seconds; ALTER TABLE subvolumes DROP COLUMN creator; ALTER TABLE snapshots DROP COLUMN creator; UPDATE pool SET value = '3' WHERE key = 'schema_version';");

        using (var database = PoolDatabase.Open(path, create: false))
        {
            Assert.Equal("8", database.GetPoolValue("schema_version"));
            var home = database.FindSubvolume("home")!;
            Assert.Null(home.Creator);
            Assert.Null(database.FindSnapshot("home", "daily")!.Creator);

            var volume = database.InsertSubvolume("pvc-1", Guid.NewGuid(), 1L << 30, FileSystemKind.Ext4, null, Provisioning.Thin, creator: "csi.subvol.io");
            database.InsertSnapshot(volume, "snapshot-1", Guid.NewGuid(), 1L << 30, FileSystemKind.Ext4, DateTimeOffset.UtcNow, creator: "csi.subvol.io");
            Assert.Equal("csi.subvol.io", database.FindSubvolume("pvc-1")!.Creator);
            Assert.Equal("csi.subvol.io", database.FindSnapshot("pvc-1", "snapshot-1")!.Creator);
        }
    }

    [Fact]
    public void AWriteStampIsKeptToTheTick()
    {
        var path = Path.Combine(_directory.FullName, "pool.db");
        var stamp = new DateTime(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc).AddTicks(1234567);
        using var database = PoolDatabase.Open(path, create: true);
        var home = database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin, writeStamp: null);
        Assert.Null(database.FindSubvolume("home")!.WriteStamp);

        database.UpdateWriteStamp(home.Id, stamp);

        Assert.Equal(stamp, database.FindSubvolume("home")!.WriteStamp);
    }

    [Fact]
    public void AVersionFiveDatabaseGainsReplicationBasesAndHasRecordedNone()
    {
        var path = Path.Combine(_directory.FullName, "pool.db");
        using (var database = PoolDatabase.Open(path, create: true))
        {
            var home = database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
            database.InsertSnapshot(home, "daily", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, DateTimeOffset.UtcNow);
        }

        // What version 5 wrote: no replication_bases table.
        DatabaseFile.Execute(path, "DROP TABLE snapshot_group_members; DROP TABLE snapshot_groups; ALTER TABLE snapshots DROP COLUMN freeze_seconds; DROP TABLE replication_bases; UPDATE pool SET value = '5' WHERE key = 'schema_version';");

        using (var database = PoolDatabase.Open(path, create: false))
        {
            Assert.Equal("8", database.GetPoolValue("schema_version"));
            Assert.Empty(database.ListReplicationBases());
            var home = database.FindSubvolume("home")!;
            var daily = database.FindSnapshot("home", "daily")!;
            database.SetReplicationBase(home.Id, "/backup", daily.Guid, daily.Name, new DateTimeOffset(2026, 12, 4, 17, 0, 0, TimeSpan.Zero));
            Assert.Equal([new ReplicationBase("home", "/backup", daily.Guid, "daily", new DateTimeOffset(2026, 12, 4, 17, 0, 0, TimeSpan.Zero))], database.ListReplicationBases());
        }
    }

    [Fact]
    public void AVersionSixDatabaseGainsSnapshotGroupsAndFreezeDurationsAndHasRecordedNone()
    {
        var path = Path.Combine(_directory.FullName, "pool.db");
        using (var database = PoolDatabase.Open(path, create: true))
        {
            var home = database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
            database.InsertSnapshot(home, "daily", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, DateTimeOffset.UtcNow);
        }

        // What version 6 wrote: no group tables, no freeze durations, and no wrapped keys.
        DatabaseFile.Execute(path, "DROP TABLE snapshot_group_members; DROP TABLE snapshot_groups; ALTER TABLE snapshots DROP COLUMN freeze_seconds; DROP TRIGGER wrapped_keys_of_subvolumes; DROP TRIGGER wrapped_keys_of_snapshots; DROP TABLE wrapped_keys; UPDATE pool SET value = '6' WHERE key = 'schema_version';");

        using (var database = PoolDatabase.Open(path, create: false))
        {
            Assert.Equal("8", database.GetPoolValue("schema_version"));
            Assert.Empty(database.SnapshotGroupNames());
            Assert.Null(database.FindSnapshot("home", "daily")!.Frozen);
            var home = database.FindSubvolume("home")!;
            var taken = database.InsertSnapshot(home, "group-1", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, DateTimeOffset.UtcNow, frozen: TimeSpan.FromMilliseconds(12.5));
            database.InsertSnapshotGroup("group-1", DateTimeOffset.UtcNow, null, [new SnapshotGroupMember("home", "group-1", taken.Guid)]);
            Assert.Equal(TimeSpan.FromMilliseconds(12.5), database.FindSnapshot("home", "group-1")!.Frozen);
            Assert.Equal("group-1", database.SnapshotGroupNames()[taken.Guid]);
        }
    }

    [Fact]
    public void AGroupRecordFollowsItsMembersRenameAndGoesWithItsLastSnapshot()
    {
        var path = Path.Combine(_directory.FullName, "pool.db");
        using var database = PoolDatabase.Open(path, create: true);
        var data = database.InsertSubvolume("data", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
        var log = database.InsertSubvolume("log", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
        var at = new DateTimeOffset(2026, 12, 5, 4, 0, 0, TimeSpan.Zero);
        var dataSnapshot = database.InsertSnapshot(data, "nightly", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, at);
        var logSnapshot = database.InsertSnapshot(log, "nightly", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, at);
        database.InsertSnapshotGroup("nightly", at, "csi.subvol.io", [new SnapshotGroupMember("data", "nightly", dataSnapshot.Guid), new SnapshotGroupMember("log", "nightly", logSnapshot.Guid)]);

        database.RenameSubvolume(data.Id, "data", "database");
        var group = database.FindSnapshotGroup("nightly")!;
        Assert.Equal(at, group.Created);
        Assert.Equal("csi.subvol.io", group.Creator);
        Assert.Equal([dataSnapshot.Guid, logSnapshot.Guid], group.Members.Select(member => member.Guid));
        Assert.Equal("database", database.FindSnapshot(group.Members[0].Guid)!.SubvolumeName);

        database.DeleteSnapshot(dataSnapshot.Id);
        Assert.NotNull(database.FindSnapshotGroup("nightly"));

        database.DeleteSnapshot(logSnapshot.Id);
        Assert.Null(database.FindSnapshotGroup("nightly"));
        Assert.Empty(database.SnapshotGroupNames());
    }

    [Fact]
    public void AVersionSevenDatabaseGainsWrappedKeysWhichGoWithTheirSubvolumeOrSnapshot()
    {
        var path = Path.Combine(_directory.FullName, "pool.db");
        using (var database = PoolDatabase.Open(path, create: true))
        {
            database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Ext4, null, Provisioning.Thin);
        }

        // What version 7 wrote: no wrapped_keys table, nor its triggers.
        DatabaseFile.Execute(path, "DROP TRIGGER wrapped_keys_of_subvolumes; DROP TRIGGER wrapped_keys_of_snapshots; DROP TABLE wrapped_keys; UPDATE pool SET value = '7' WHERE key = 'schema_version';");

        using (var database = PoolDatabase.Open(path, create: false))
        {
            Assert.Equal("8", database.GetPoolValue("schema_version"));
            Assert.Null(database.FindSubvolume("home")!.WrappedKey);
            var wrapped = new byte[] { 1, 2, 3 };
            var secret = database.InsertSubvolume("secret", Guid.NewGuid(), 1L << 30, FileSystemKind.Ext4, null, Provisioning.Thin, wrappedKey: wrapped);
            var snapshot = database.InsertSnapshot(secret, "s1", Guid.NewGuid(), 1L << 30, FileSystemKind.Ext4, DateTimeOffset.UtcNow, wrappedKey: wrapped);
            Assert.Equal(wrapped, database.FindSubvolume("secret")!.WrappedKey);
            Assert.Equal(wrapped, database.FindSnapshot("secret", "s1")!.WrappedKey);

            database.SetWrappedKey(secret.Guid, [4, 5]);
            Assert.Equal([4, 5], database.FindSubvolume("secret")!.WrappedKey!);
            database.DeleteSnapshot(snapshot.Id);
            database.DeleteSubvolume(secret.Id);
            database.InsertSubvolume("reused", secret.Guid, 1L << 30, FileSystemKind.Ext4, null, Provisioning.Thin);
            Assert.Null(database.FindSubvolume("reused")!.WrappedKey);
            database.InsertSnapshot(database.FindSubvolume("reused")!, "s1", snapshot.Guid, 1L << 30, FileSystemKind.Ext4, DateTimeOffset.UtcNow);
            Assert.Null(database.FindSnapshot("reused", "s1")!.WrappedKey);
        }
    }

    [Fact]
    public void AReplicationBaseFollowsItsSubvolumesRenameAndGoesWithItsSnapshotOrItsSubvolume()
    {
        var path = Path.Combine(_directory.FullName, "pool.db");
        using var database = PoolDatabase.Open(path, create: true);
        var home = database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
        var first = database.InsertSnapshot(home, "sync-1", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, DateTimeOffset.UtcNow);
        var second = database.InsertSnapshot(home, "sync-2", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, DateTimeOffset.UtcNow);
        var at = new DateTimeOffset(2026, 12, 4, 17, 0, 0, TimeSpan.Zero);
        database.SetReplicationBase(home.Id, "/backup", first.Guid, first.Name, at);
        database.SetReplicationBase(home.Id, "ssh://nas/pool", second.Guid, second.Name, at);
        // A later transfer to the same target replaces its base.
        database.SetReplicationBase(home.Id, "/backup", second.Guid, second.Name, at.AddHours(1));

        database.RenameSubvolume(home.Id, "home", "house");

        Assert.Equal([("house", "/backup", "sync-2"), ("house", "ssh://nas/pool", "sync-2")], database.ListReplicationBases("house").Select(recorded => (recorded.Subvolume, recorded.Target, recorded.SnapshotName)));
        Assert.Empty(database.ListReplicationBases("home"));

        database.DeleteSnapshot(second.Id);
        Assert.Empty(database.ListReplicationBases());

        database.SetReplicationBase(home.Id, "/backup", first.Guid, first.Name, at);
        database.DeleteSnapshot(first.Id);
        database.SetReplicationBase(home.Id, "/backup", Guid.NewGuid(), "gone", at);
        database.DeleteSubvolume(home.Id);
        Assert.Empty(database.ListReplicationBases());
    }
}
