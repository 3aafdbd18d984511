using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
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
            using var ofOne = Command($"{SnapshotSelect} WHERE v.name = $name ORDER BY s.id", ("$name", subvolumeName));
            return ReadSnapshots(ofOne);
        }

        // The order of 'ORDER BY v.name, s.id' (names are ASCII, so ordinal is SQLite's BINARY): SQLite reads rows in id
        // order without sorting, and sorting thousands of them cost it more than the stable sort by name here, mostly a check.
        using var command = Command($"{SnapshotSelect} ORDER BY s.id");
        var snapshots = ReadSnapshots(command);
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
        using var command = Command($"{SnapshotSelect} WHERE v.name = $sub AND s.name = $snap", ("$sub", subvolumeName), ("$snap", snapshotName));
        return ReadSnapshots(command).SingleOrDefault();
    }

    public SnapshotRecord? FindSnapshot(Guid guid)
    {
        using var command = Command($"{SnapshotSelect} WHERE s.guid = $guid", ("$guid", guid.ToString()));
        return ReadSnapshots(command).SingleOrDefault();
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

    private static List<SnapshotRecord> ReadSnapshots(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var list = new List<SnapshotRecord>();
        // One string for each subvolume's name, not one per snapshot.
        var subvolumeNames = new Dictionary<long, string>();
        while (reader.Read())
        {
            var subvolumeId = reader.GetInt64(1);
            ref var subvolumeName = ref CollectionsMarshal.GetValueRefOrAddDefault(subvolumeNames, subvolumeId, out _);
            subvolumeName ??= reader.GetString(2);
            list.Add(new SnapshotRecord(
                reader.GetInt64(0),
                subvolumeId,
                subvolumeName,
                reader.GetString(3),
                Guid.Parse(reader.GetString(4)),
                reader.GetInt64(5),
                reader.GetString(6),
                ParseTime(reader.GetString(7)),
                reader.IsDBNull(8) ? null : reader.GetString(8))
            {
                Frozen = reader.IsDBNull(9) ? null : TimeSpan.FromSeconds(reader.GetDouble(9)),
                WrappedKey = reader.IsDBNull(10) ? null : (byte[])reader.GetValue(10),
            });
        }

        return list;
    }
}
