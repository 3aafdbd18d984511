using Subvol.Replication;

namespace Subvol.Metadata;

internal sealed partial class PoolDatabase
{
    /// <summary>
    /// A row per subvolume and replication target: the newest snapshot both sides hold. It belongs to the
    /// subvolume by id, so it follows a rename and goes with a delete; it names its snapshot by GUID, as
    /// replication does, and keeps the name for people.
    /// </summary>
    private const string ReplicationBasesTable = """
        CREATE TABLE IF NOT EXISTS replication_bases (
            subvolume_id INTEGER NOT NULL REFERENCES subvolumes(id) ON DELETE CASCADE,
            target TEXT NOT NULL,
            snapshot_guid TEXT NOT NULL,
            snapshot_name TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (subvolume_id, target))
        """;

    public void SetReplicationBase(long subvolumeId, string target, Guid snapshot, string snapshotName, DateTimeOffset recordedAt)
    {
        using var command = Command(
            "INSERT INTO replication_bases (subvolume_id, target, snapshot_guid, snapshot_name, recorded_at) VALUES ($sub, $target, $guid, $name, $at) " +
            "ON CONFLICT (subvolume_id, target) DO UPDATE SET snapshot_guid = excluded.snapshot_guid, snapshot_name = excluded.snapshot_name, recorded_at = excluded.recorded_at",
            ("$sub", subvolumeId), ("$target", target), ("$guid", snapshot.ToString()), ("$name", snapshotName), ("$at", FormatTime(recordedAt)));
        command.ExecuteNonQuery();
    }

    /// <summary>The bases recorded for one subvolume, or for every subvolume, by subvolume name and target.</summary>
    public IReadOnlyList<ReplicationBase> ListReplicationBases(string? subvolumeName = null)
    {
        const string select =
            "SELECT v.name, b.target, b.snapshot_guid, b.snapshot_name, b.recorded_at FROM replication_bases b JOIN subvolumes v ON v.id = b.subvolume_id";
        using var command = subvolumeName is null
            ? Command($"{select} ORDER BY v.name, b.target")
            : Command($"{select} WHERE v.name = $name ORDER BY b.target", ("$name", subvolumeName));
        using var reader = command.ExecuteReader();
        var list = new List<ReplicationBase>();
        while (reader.Read())
        {
            list.Add(new ReplicationBase(reader.GetString(0), reader.GetString(1), StoredGuid(reader.GetString(2), "replication_bases.snapshot_guid"), reader.GetString(3), StoredTime(reader.GetString(4), "replication_bases.recorded_at")));
        }

        return list;
    }
}
