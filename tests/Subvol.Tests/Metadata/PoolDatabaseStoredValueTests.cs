using Subvol.Errors;
using Subvol.Metadata;

namespace Subvol.Tests.Metadata;

/// <summary>A GUID or time in the database that does not parse is damaged metadata, named with its column and value, and a check finds it.</summary>
public sealed class PoolDatabaseStoredValueTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-stored-values-");

    private string DatabasePath => Path.Combine(_directory.FullName, "pool.db");

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>Every column that holds a GUID or a time, each with a value that is not one.</summary>
    public static TheoryData<string, string, string> Damages => new()
    {
        { "subvolumes", "guid", "0123" },
        { "subvolumes", "created", "2026-13-45T99:00:00.000Z" },
        { "subvolumes", "origin_snapshot", "not-a-guid" },
        { "snapshots", "guid", "not-a-guid" },
        { "snapshots", "created", "yesterday-ish" },
        { "snapshot_groups", "created", "soon" },
        { "snapshot_group_members", "snapshot_guid", "{nope}" },
        { "replication_bases", "snapshot_guid", "" },
        { "replication_bases", "recorded_at", "half past noon" },
    };

    [Fact]
    public void A_database_whose_values_all_parse_has_no_damage()
    {
        Populate();

        Assert.Null(PoolDatabase.Damage(DatabasePath));
    }

    [Fact]
    public void A_database_of_an_older_schema_without_the_later_tables_has_no_damage()
    {
        Populate();
        DatabaseFile.Execute(DatabasePath, "DROP TABLE snapshot_group_members; DROP TABLE snapshot_groups; DROP TABLE replication_bases; UPDATE pool SET value = '5' WHERE key = 'schema_version'");

        Assert.Null(PoolDatabase.Damage(DatabasePath));
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_value_that_does_not_parse_is_damaged_metadata_naming_its_column_and_value(string table, string column, string value)
    {
        Populate();
        Overwrite(table, column, value);

        using var database = PoolDatabase.Open(DatabasePath, create: false);
        var error = Assert.Throws<SubvolException>(() => Read(database, table));

        Assert.Equal(SubvolErrorCode.DamagedMetadata, error.Code);
        Assert.Contains(DatabasePath, error.Message);
        Assert.Contains($"{table}.{column} holds '{value}', which is not ", error.Message);
        Assert.IsType<Remedy.RepairPool>(error.Remedy);
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_check_of_the_database_finds_a_value_that_does_not_parse(string table, string column, string value)
    {
        Populate();
        Overwrite(table, column, value);

        Assert.StartsWith($"{table}.{column} holds '{value}', which is not ", PoolDatabase.Damage(DatabasePath));
    }

    /// <summary>A row in every table that holds a GUID or a time; the newest subvolume is a clone, so that it has an origin.</summary>
    private void Populate()
    {
        using var database = PoolDatabase.Open(DatabasePath, create: true);
        var home = database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
        var daily = database.InsertSnapshot(home, "daily", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, DateTimeOffset.UtcNow);
        database.InsertSubvolume("copy", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, daily.Guid, Provisioning.Thin);
        database.InsertSnapshotGroup("nightly", DateTimeOffset.UtcNow, null, [new SnapshotGroupMember("home", "daily", daily.Guid)]);
        database.SetReplicationBase(home.Id, "backup", daily.Guid, "daily", DateTimeOffset.UtcNow);
    }

    /// <summary>The value goes into the newest row of the table only.</summary>
    private void Overwrite(string table, string column, string value) =>
        Assert.Equal(1, DatabaseFile.Execute(DatabasePath, $"UPDATE {table} SET {column} = $value WHERE rowid = (SELECT max(rowid) FROM {table})", value));

    /// <summary>Reads the table as a command does.</summary>
    private static object Read(PoolDatabase database, string table) => table switch
    {
        "subvolumes" => database.ListSubvolumes(),
        "snapshots" => database.ListSnapshots(),
        "snapshot_groups" or "snapshot_group_members" => database.FindSnapshotGroup("nightly")!,
        "replication_bases" => database.ListReplicationBases(),
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, null),
    };
}
