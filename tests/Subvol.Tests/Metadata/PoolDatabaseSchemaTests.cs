using Microsoft.Data.Sqlite;
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

        // What version 2 wrote: no write_stamp column.
        Rewrite(path, "ALTER TABLE subvolumes DROP COLUMN write_stamp; UPDATE pool SET value = '2' WHERE key = 'schema_version';");

        using (var database = PoolDatabase.Open(path, create: false))
        {
            var home = database.FindSubvolume("home");
            Assert.NotNull(home);
            Assert.Null(home.WriteStamp);
            Assert.Equal("3", database.GetPoolValue("schema_version"));
        }
    }

    [Fact]
    public void AVersionOneDatabaseIsBroughtToVersionThreeStepByStep()
    {
        var path = Path.Combine(_directory.FullName, "pool.db");
        using (var database = PoolDatabase.Open(path, create: true))
        {
            database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Guaranteed, DateTime.UtcNow);
        }

        // What version 1 wrote: neither provisioning nor write_stamp.
        Rewrite(path, "ALTER TABLE subvolumes DROP COLUMN write_stamp; ALTER TABLE subvolumes DROP COLUMN provisioning; UPDATE pool SET value = '1' WHERE key = 'schema_version';");

        using (var database = PoolDatabase.Open(path, create: false))
        {
            var home = database.FindSubvolume("home");
            Assert.NotNull(home);
            Assert.Equal(Provisioning.Thin, home.Provisioning);
            Assert.Null(home.WriteStamp);
            Assert.Equal("3", database.GetPoolValue("schema_version"));
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

    private static void Rewrite(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
