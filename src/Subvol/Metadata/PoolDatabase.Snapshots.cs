using System.Buffers.Text;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Subvol.Errors;

namespace Subvol.Metadata;

internal sealed partial class PoolDatabase
{
    private const string SnapshotSelect =
        "SELECT s.id, s.subvolume_id, v.name, s.name, s.guid, s.size, s.filesystem, s.created, s.creator, s.freeze_seconds, " + WrappedKeyOfSnapshot + " FROM snapshots s JOIN subvolumes v ON v.id = s.subvolume_id";

    /// <summary>The snapshots of one subvolume in the order they were taken, or of all, by subvolume name and then so.</summary>
    public IReadOnlyList<SnapshotRecord> ListSnapshots(string? subvolumeName = null)
    {
        if (subvolumeName is not null)
        {
            return ReadSnapshots($"{SnapshotSelect} WHERE v.name = $name ORDER BY s.id", ("$name", subvolumeName));
        }

        // The order of 'ORDER BY v.name, s.id' (names are ASCII, so ordinal is SQLite's BINARY): SQLite reads rows in id
        // order without sorting, and sorting thousands of them cost it more than the stable sort by name here, mostly a check.
        var snapshots = ReadSnapshots($"{SnapshotSelect} ORDER BY s.id");
        for (var index = 1; index < snapshots.Count; index++)
        {
            if (string.CompareOrdinal(snapshots[index - 1].SubvolumeName, snapshots[index].SubvolumeName) > 0)
            {
                return snapshots.OrderBy(snapshot => snapshot.SubvolumeName, StringComparer.Ordinal).ToList();
            }
        }

        return snapshots;
    }

    /// <summary>How many snapshots each subvolume has, by subvolume id; one without any is absent.</summary>
    public Dictionary<long, int> CountSnapshots()
    {
        using var command = Command("SELECT subvolume_id, COUNT(*) FROM snapshots GROUP BY subvolume_id");
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<long, int>();
        while (reader.Read())
        {
            counts[reader.GetInt64(0)] = reader.GetInt32(1);
        }

        return counts;
    }

    public SnapshotRecord? FindSnapshot(string subvolumeName, string snapshotName)
    {
        return ReadSnapshots($"{SnapshotSelect} WHERE v.name = $sub AND s.name = $snap", ("$sub", subvolumeName), ("$snap", snapshotName)).SingleOrDefault();
    }

    public SnapshotRecord? FindSnapshot(Guid guid)
    {
        return ReadSnapshots($"{SnapshotSelect} WHERE s.guid = $guid", ("$guid", guid.ToString())).SingleOrDefault();
    }

    /// <param name="creator">Who took it, when a program such as the CSI driver asks to be remembered; null for the command line.</param>
    /// <param name="frozen">How long its subvolume stayed frozen for it; null when it was not mounted, so not frozen.</param>
    /// <param name="wrappedKey">An encrypted snapshot's wrapped master key; null for an unencrypted one.</param>
    public SnapshotRecord InsertSnapshot(SubvolumeRecord subvolume, string name, Guid guid, long size, string fileSystem, DateTimeOffset created, string? creator = null, TimeSpan? frozen = null, byte[]? wrappedKey = null)
    {
        using var command = Command(
            "INSERT INTO snapshots (subvolume_id, name, guid, size, filesystem, created, creator, freeze_seconds) VALUES ($sub, $name, $guid, $size, $fs, $created, $creator, $frozen) RETURNING id",
            ("$sub", subvolume.Id), ("$name", name), ("$guid", guid.ToString()), ("$size", size), ("$fs", fileSystem), ("$created", FormatTime(created)), ("$creator", creator),
            ("$frozen", frozen?.TotalSeconds));
        var id = (long)command.ExecuteScalar()!;
        if (wrappedKey is not null)
        {
            SetWrappedKey(guid, wrappedKey);
        }

        return new SnapshotRecord(id, subvolume.Id, subvolume.Name, name, guid, size, fileSystem, created, creator) { Frozen = frozen, WrappedKey = wrappedKey };
    }

    public void UpdateSnapshotSize(long id, long size)
    {
        using var command = Command("UPDATE snapshots SET size = $size WHERE id = $id", ("$size", size), ("$id", id));
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Deletes a snapshot's row and every replication base that names it (once it is gone, both sides no longer hold
    /// it), and its group when it was the group's last snapshot.
    /// </summary>
    public void DeleteSnapshot(long id)
    {
        using var command = Command(
            $"DELETE FROM replication_bases WHERE snapshot_guid = (SELECT guid FROM snapshots WHERE id = $id); DELETE FROM snapshots WHERE id = $id; {DeleteEmptyGroups}", ("$id", id));
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Snapshot rows read straight from SQLite's statement: SqliteDataReader asks SQLite for the column count and the
    /// column's type before every value, three native calls more per column, which was most of reading thousands of rows.
    /// The connection's busy_timeout makes a step wait for another process's write, as a command's would.
    /// </summary>
    private List<SnapshotRecord> ReadSnapshots(string sql, params (string Name, string Value)[] parameters)
    {
        var database = _connection.Handle ?? throw new ObjectDisposedException(nameof(PoolDatabase));
        Check(raw.sqlite3_prepare_v2(database, sql, out var statement), database);
        using (statement)
        {
            foreach (var (name, value) in parameters)
            {
                Check(raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, name), value), database);
            }

            var list = new List<SnapshotRecord>();
            // One string for each subvolume's name, not one per snapshot.
            var subvolumeNames = new Dictionary<long, string>();
            int result;
            while ((result = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                var subvolumeId = raw.sqlite3_column_int64(statement, 1);
                ref var subvolumeName = ref CollectionsMarshal.GetValueRefOrAddDefault(subvolumeNames, subvolumeId, out _);
                subvolumeName ??= Text(statement, 2);
                list.Add(new SnapshotRecord(
                    raw.sqlite3_column_int64(statement, 0),
                    subvolumeId,
                    subvolumeName,
                    Text(statement, 3),
                    GuidOf(statement, 4),
                    raw.sqlite3_column_int64(statement, 5),
                    Text(statement, 6),
                    StoredTime(Text(statement, 7), "snapshots.created"),
                    IsNull(statement, 8) ? null : Text(statement, 8))
                {
                    Frozen = IsNull(statement, 9) ? null : TimeSpan.FromSeconds(raw.sqlite3_column_double(statement, 9)),
                    WrappedKey = IsNull(statement, 10) ? null : raw.sqlite3_column_blob(statement, 10).ToArray(),
                });
            }

            Check(result == raw.SQLITE_DONE ? raw.SQLITE_OK : result, database);
            return list;
        }

        static string Text(sqlite3_stmt statement, int column) => raw.sqlite3_column_text(statement, column).utf8_to_string();

        // Parsed where SQLite holds it, without a string; any other spelling is read as a GUID's text, or reported as damage.
        Guid GuidOf(sqlite3_stmt statement, int column) =>
            raw.sqlite3_column_blob(statement, column) is var text && Utf8Parser.TryParse(text, out Guid guid, out var used) && used == text.Length
                ? guid
                : StoredGuid(Text(statement, column), "snapshots.guid");

        static bool IsNull(sqlite3_stmt statement, int column) => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL;

        static void Check(int result, sqlite3 database) => SqliteException.ThrowExceptionForRC(result, database);
    }
}
