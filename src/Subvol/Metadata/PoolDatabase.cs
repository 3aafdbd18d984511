using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Subvol.Metadata;

/// <summary>
/// The pool's metadata in SQLite with write-ahead logging, so readers never wait for the writer
/// and a crash leaves either the old or the new state (https://sqlite.org/wal.html).
/// </summary>
internal sealed partial class PoolDatabase : IDisposable
{
    private const int SchemaVersion = 4;

    /// <summary>The statements that bring the schema from version N (index N - 1) to N + 1.</summary>
    private static readonly string[] Upgrades =
    [
        // Version 2 added provisioning; every subvolume made before it was a sparse, thin image.
        "ALTER TABLE subvolumes ADD COLUMN provisioning TEXT NOT NULL DEFAULT 'thin'",
        // Version 3 added the write stamp; without one, a subvolume counts as written since its last snapshot.
        "ALTER TABLE subvolumes ADD COLUMN write_stamp INTEGER",
        // Version 4 added the creator; what was made before it has none, as a subvolume made with the command line has none.
        "ALTER TABLE subvolumes ADD COLUMN creator TEXT; ALTER TABLE snapshots ADD COLUMN creator TEXT",
    ];

    private readonly SqliteConnection _connection;

    private PoolDatabase(SqliteConnection connection)
    {
        _connection = connection;
    }

    public static PoolDatabase Open(string path, bool create)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            var database = new PoolDatabase(connection);
            database.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
            if (create)
            {
                database.CreateSchema();
            }
            else
            {
                database.CheckSchema(path);
            }

            return database;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose() => _connection.Dispose();

    public SqliteTransaction BeginTransaction() => _connection.BeginTransaction();

    private void CreateSchema()
    {
        Execute("""
            CREATE TABLE IF NOT EXISTS pool (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS subvolumes (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                guid TEXT NOT NULL UNIQUE,
                size INTEGER NOT NULL,
                filesystem TEXT NOT NULL,
                created TEXT NOT NULL,
                origin_snapshot TEXT,
                provisioning TEXT NOT NULL DEFAULT 'thin',
                write_stamp INTEGER,
                creator TEXT);
            CREATE TABLE IF NOT EXISTS snapshots (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                subvolume_id INTEGER NOT NULL REFERENCES subvolumes(id),
                name TEXT NOT NULL,
                guid TEXT NOT NULL UNIQUE,
                size INTEGER NOT NULL,
                filesystem TEXT NOT NULL,
                created TEXT NOT NULL,
                creator TEXT,
                UNIQUE (subvolume_id, name));
            CREATE TABLE IF NOT EXISTS pending_renames (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                old_name TEXT NOT NULL,
                new_name TEXT NOT NULL);
            """);
        Execute($"INSERT OR IGNORE INTO pool (key, value) VALUES ('schema_version', '{SchemaVersion}')");
        Execute($"INSERT OR IGNORE INTO pool (key, value) VALUES ('guid', '{Guid.NewGuid()}')");
        Execute($"INSERT OR IGNORE INTO pool (key, value) VALUES ('created', '{FormatTime(DateTimeOffset.UtcNow)}')");
    }

    private void CheckSchema(string path)
    {
        var version = GetPoolValue("schema_version");
        // Each step brings version N to N + 1, in one transaction.
        while (int.TryParse(version, CultureInfo.InvariantCulture, out var number) && number >= 1 && number < SchemaVersion)
        {
            using var transaction = BeginTransaction();
            Execute(Upgrades[number - 1]);
            version = (number + 1).ToString(CultureInfo.InvariantCulture);
            SetPoolValue("schema_version", version);
            transaction.Commit();
        }

        if (version != SchemaVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new SubvolException(SubvolErrorCode.NotSupported,
                $"pool metadata {path} has schema version {version ?? "(none)"}; this subvol understands version {SchemaVersion}");
        }
    }

    public string? GetPoolValue(string key)
    {
        using var command = Command("SELECT value FROM pool WHERE key = $key", ("$key", key));
        return command.ExecuteScalar() as string;
    }

    public void SetPoolValue(string key, string value)
    {
        using var command = Command("INSERT INTO pool (key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = $value",
            ("$key", key), ("$value", value));
        command.ExecuteNonQuery();
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    internal static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
