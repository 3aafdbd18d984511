using Subvol.Names;

namespace Subvol.Metadata;

/// <summary>
/// GUIDs and times as the database stores them, as text. The database is its owner's to read and edit, so a value
/// that does not parse is damage to the metadata, reported with the remedy for it, never as a fault of Subvol.
/// </summary>
internal sealed partial class PoolDatabase
{
    /// <summary>Every column that holds a GUID or a time, so that a check can find a value that does not parse before a command trips on it.</summary>
    private static readonly (string Table, string Column, bool IsTime)[] StoredValueColumns =
    [
        ("subvolumes", "guid", false),
        ("subvolumes", "created", true),
        ("subvolumes", "origin_snapshot", false),
        ("snapshots", "guid", false),
        ("snapshots", "created", true),
        ("snapshot_groups", "created", true),
        ("snapshot_group_members", "snapshot_guid", false),
        ("replication_bases", "snapshot_guid", false),
        ("replication_bases", "recorded_at", true),
    ];

    private Guid StoredGuid(string text, string column) =>
        Guid.TryParse(text, out var guid) ? guid : throw Damaged(_connection.DataSource, NotAGuid(text, column));

    private DateTimeOffset StoredTime(string text, string column) =>
        TryParseTime(text) ?? throw Damaged(_connection.DataSource, NotATime(text, column));

    /// <summary>The first stored GUID or time that does not parse, or null.</summary>
    /// <remarks>Looked at before any upgrade, so a table that a pool of an older schema lacks is passed over.</remarks>
    private string? StoredValueDamage()
    {
        var tables = new HashSet<string>(StringComparer.Ordinal);
        using (var list = Command("SELECT name FROM sqlite_master WHERE type = 'table'"))
        using (var reader = list.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var (table, column, isTime) in StoredValueColumns.Where(stored => tables.Contains(stored.Table)))
        {
            using var command = Command($"SELECT {column} FROM {table} WHERE {column} IS NOT NULL");
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                // Read as the commands read it, so that what passes here passes there.
                var text = reader.GetString(0);
                var where = $"{table}.{column}";
                if (isTime ? TryParseTime(text) is null : !Guid.TryParse(text, out _))
                {
                    return isTime ? NotATime(text, where) : NotAGuid(text, where);
                }
            }
        }

        return null;
    }

    private static string NotAGuid(string text, string column) => $"{column} holds {Printable.Quote(text)}, which is not a GUID";

    private static string NotATime(string text, string column) => $"{column} holds {Printable.Quote(text)}, which is not a time";
}
