using System.Globalization;
using Microsoft.Data.Sqlite;
using Subvol.Errors;
using Subvol.Pools;

namespace Subvol.Metadata;

/// <summary>
/// The pool's metadata in SQLite with write-ahead logging, so readers never wait for the writer
/// and a crash leaves either the old or the new state (https://sqlite.org/wal.html).
/// </summary>
internal sealed partial class PoolDatabase : IDisposable
{
    private const int SchemaVersion = 8;

    /// <summary>The statements that bring the schema from version N (index N - 1) to N + 1.</summary>
    private static readonly string[] Upgrades =
    [
        // Version 2 added provisioning; every subvolume made before it was a sparse, thin image.
        "ALTER TABLE subvolumes ADD COLUMN provisioning TEXT NOT NULL DEFAULT 'thin'",
        // Version 3 added the write stamp; without one, a subvolume counts as written since its last snapshot.
        "ALTER TABLE subvolumes ADD COLUMN write_stamp INTEGER",
        // Version 4 added the creator; what was made before it has none, as a subvolume made with the command line has none.
        "ALTER TABLE subvolumes ADD COLUMN creator TEXT; ALTER TABLE snapshots ADD COLUMN creator TEXT",
        // Version 5 added the stored usage figures; a pool without them reads its extent maps at its next listing.
        UsageFiguresTable,
        // Version 6 added the replication bases; a pool without them has recorded none, and its next replicate records them.
        ReplicationBasesTable,
        // Version 7 added group snapshots and freeze durations; a pool without them has no groups, and its older snapshots no duration.
        SnapshotGroupsUpgrade,
        // Version 8 added the wrapped keys of encrypted images; no image made before it is encrypted.
        WrappedKeysTable,
    ];

    private readonly SqliteConnection _connection;

    // SQLite's result codes for a file that is not a database, or one whose structure is broken (https://sqlite.org/rescode.html).
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    // The first 16 bytes of every SQLite database (https://sqlite.org/fileformat.html#the_database_header).
    private static ReadOnlySpan<byte> Magic => "SQLite format 3\0"u8;

    private PoolDatabase(SqliteConnection connection)
    {
        _connection = connection;
    }

    public static PoolDatabase Open(string path, bool create)
    {
        // Looked at before SQLite opens it: SQLite would take an empty file for a new database and write into it.
        if (!create && HeaderDamage(path) is { } damage)
        {
            throw Damaged(path, damage);
        }

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
            if (!create && database.ContentDamage() is { } content)
            {
                throw Damaged(path, content);
            }

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

    /// <summary>Why the database at <paramref name="path"/> cannot serve as the pool's metadata, or null when it can.</summary>
    public static string? Damage(string path)
    {
        if (!File.Exists(path))
        {
            return "it is missing";
        }

        if (HeaderDamage(path) is { } damage)
        {
            return damage;
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            connection.Open();
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            return exception.Message;
        }

        var database = new PoolDatabase(connection);
        return database.ContentDamage() ?? database.StoredValueDamage();
    }

    /// <summary>The one error every command gives for a damaged database: which file, and how to rebuild it.</summary>
    /// <param name="path">The database, or null when the failing call did not say which.</param>
    public static SubvolException Damaged(string? path, string damage, Exception? inner = null) =>
        new(
            SubvolErrorCode.DamagedMetadata,
            $"the pool's metadata {path ?? "database"} is damaged ({damage}); the images are untouched",
            new Remedy.RepairPool(path is null ? null : PoolLayout.RootOfDatabase(path)),
            inner);

    /// <summary>What the file's first 100 bytes, the SQLite header, say is wrong with it: empty, cut short, or not SQLite at all.</summary>
    private static string? HeaderDamage(string path)
    {
        Span<byte> header = stackalloc byte[100];
        long length;
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
        {
            length = RandomAccess.GetLength(file);
            if (length == 0)
            {
                return "it is empty";
            }

            if (length < header.Length || RandomAccess.Read(file, header, 0) < header.Length)
            {
                return $"it is only {length} bytes long, shorter than any SQLite database";
            }
        }

        if (!header[..16].SequenceEqual(Magic))
        {
            return "it is not an SQLite database";
        }

        // The page count in the header is valid when the change counter matches the version-valid-for number.
        var pageSize = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(header[16..]) is var size and not 1 ? size : 65536;
        var pages = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[28..]);
        var changeCounter = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[24..]);
        var validFor = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[92..]);
        if (changeCounter == validFor && (long)pages * pageSize > length)
        {
            return $"it is cut short: {length} bytes of the {(long)pages * pageSize} its header counts";
        }

        return null;
    }

    /// <summary>What SQLite's own check finds wrong, or a missing table of the pool's; null when the database is sound.</summary>
    private string? ContentDamage()
    {
        try
        {
            using (var check = Command("PRAGMA quick_check(1)"))
            {
                if (check.ExecuteScalar() is string result && result != "ok")
                {
                    return $"SQLite's check found: {result}";
                }
            }

            using (var tables = Command("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('pool', 'subvolumes', 'snapshots')"))
            {
                if ((long)tables.ExecuteScalar()! != 3)
                {
                    return "it lacks the pool's tables";
                }
            }

            return GetPoolValue("schema_version") is null ? "it records no schema version" : null;
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            return exception.Message;
        }
    }

    /// <summary>Every pool-wide setting except the schema version, which belongs to the database file itself.</summary>
    public IReadOnlyDictionary<string, string> ListPoolValues()
    {
        using var command = Command("SELECT key, value FROM pool WHERE key <> 'schema_version' ORDER BY key");
        using var reader = command.ExecuteReader();
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            values[reader.GetString(0)] = reader.GetString(1);
        }

        return values;
    }

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
                freeze_seconds REAL,
                UNIQUE (subvolume_id, name));
            CREATE TABLE IF NOT EXISTS pending_renames (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                old_name TEXT NOT NULL,
                new_name TEXT NOT NULL);
            """);
        Execute(UsageFiguresTable);
        Execute(ReplicationBasesTable);
        Execute(SnapshotGroupsTables);
        Execute(WrappedKeysTable);
        Execute($"INSERT OR IGNORE INTO pool (key, value) VALUES ('schema_version', '{SchemaVersion}')");
        Execute($"INSERT OR IGNORE INTO pool (key, value) VALUES ('guid', '{Guid.NewGuid()}')");
        Execute($"INSERT OR IGNORE INTO pool (key, value) VALUES ('created', '{FormatTime(Clock.Now)}')");
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

    // The stored format first: a listing parses one time per snapshot, and the general parser was a large part of listing thousands.
    private static DateTimeOffset? TryParseTime(string text)
    {
        if (ParseStoredTime(text) is { } stored)
        {
            return stored;
        }

        // Anything else is an older or hand-written time, which the general parser reads.
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;
    }

    /// <summary>A time as <see cref="FormatTime"/> writes it, read field by field, which even the exact-format parser took several times as long for; else null.</summary>
    internal static DateTimeOffset? ParseStoredTime(string text)
    {
        if (text.Length != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != '.' || text[23] != 'Z'
            || !Field(0, 4, out var year) || !Field(5, 2, out var month) || !Field(8, 2, out var day)
            || !Field(11, 2, out var hour) || !Field(14, 2, out var minute) || !Field(17, 2, out var second) || !Field(20, 3, out var millisecond)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return null;
        }

        return new DateTimeOffset(year, month, day, hour, minute, second, millisecond, TimeSpan.Zero);

        bool Field(int start, int length, out int value) => int.TryParse(text.AsSpan(start, length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
