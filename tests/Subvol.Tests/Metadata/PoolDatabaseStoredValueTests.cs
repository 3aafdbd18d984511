using Microsoft.Data.Sqlite;
using Subvol.Errors;
using Subvol.Metadata;

namespace Subvol.Tests.Metadata;

/// <summary>A GUID or time in the database that does not parse is damaged metadata, named with its column and value, and a check finds it.</summary>
public sealed class PoolDatabaseStoredValueTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-stored-values-");

    private string DatabasePath => Path.Combine(_directory.FullName, "pool.db");

    public void Dispose() => _directory.Delete(recursive: true);

    public static TheoryData<string, string, string> Damages => new()
    {
        { "snapshots", "guid", "not-a-guid" },
        { "snapshots", "created", "yesterday-ish" },
        { "subvolumes", "guid", "0123" },
        { "subvolumes", "created", "2026-13-45T99:00:00.000Z" },
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
        Rewrite("DROP TABLE snapshot_group_members; DROP TABLE snapshot_groups; DROP TABLE replication_bases; UPDATE pool SET value = '5' WHERE key = 'schema_version'");

        Assert.Null(PoolDatabase.Damage(DatabasePath));
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_value_that_does_not_parse_is_damaged_metadata_naming_its_column_and_value(string table, string column, string value)
    {
        Populate();
        Overwrite(table, column, value);
        var expected = $"{table}.{column} holds '{value}', which is not ";

        using var database = PoolDatabase.Open(DatabasePath, create: false);
        var error = Assert.Throws<SubvolException>(() => table == "snapshots" ? (object)database.ListSnapshots() : database.ListSubvolumes());

        Assert.Equal(SubvolErrorCode.DamagedMetadata, error.Code);
        Assert.Contains(DatabasePath, error.Message);
        Assert.Contains(expected, error.Message);
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

    private void Populate()
    {
        using var database = PoolDatabase.Open(DatabasePath, create: true);
        var home = database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
        database.InsertSnapshot(home, "daily", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, DateTimeOffset.UtcNow);
    }

    private void Overwrite(string table, string column, string value) =>
        Assert.Equal(1, Rewrite($"UPDATE {table} SET {column} = $value", value));

    private int Rewrite(string sql, string? value = null)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (value is not null)
        {
            command.Parameters.AddWithValue("$value", value);
        }

        return command.ExecuteNonQuery();
    }
}
