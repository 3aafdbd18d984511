using Subvol.Metadata;
using Subvol.Pools;

namespace Subvol.Replication;

/// <summary>
/// The replication bases, copied beside the database as text, a line per base: the subvolume's GUID, the snapshot's
/// GUID, its name, when it was recorded and the target. A snapshot's image is immutable and cannot carry the bases of
/// its attribute, yet a database rebuilt without them would let a replicate to one target destroy the snapshot another
/// target needs; so the rebuild reads them back from here, for the subvolumes and snapshots it finds.
/// </summary>
internal static class ReplicationBaseCopy
{
    private const string Heading = "# A copy of pool.db's replication bases, for 'subvol check --repair': SUBVOLUME_GUID<TAB>SNAPSHOT_GUID<TAB>SNAPSHOT<TAB>RECORDED<TAB>TARGET";

    /// <summary>One base as the copy holds it.</summary>
    public sealed record Entry(Guid Subvolume, Guid Snapshot, string SnapshotName, DateTimeOffset RecordedAt, string Target);

    /// <summary>Writes every base the database holds, replacing the copy in one rename.</summary>
    public static void Write(PoolFiles files, PoolLayout layout, PoolDatabase database)
    {
        var guids = database.ListSubvolumes().ToDictionary(subvolume => subvolume.Name, subvolume => subvolume.Guid, StringComparer.Ordinal);
        var lines = database.ListReplicationBases()
            .Where(recorded => guids.ContainsKey(recorded.Subvolume) && !recorded.Target.Any(char.IsControl))
            .Select(recorded => string.Join('\t',
                guids[recorded.Subvolume].ToString(), recorded.Snapshot.ToString(), recorded.SnapshotName, PoolDatabase.FormatTime(recorded.RecordedAt), recorded.Target));
        files.WriteState(layout.ReplicationBaseCopy, string.Join('\n', [Heading, .. lines]) + "\n");
    }

    /// <summary>The bases of the copy; a line that does not read is left out, since what it held is not known.</summary>
    public static IReadOnlyList<Entry> Read(PoolFiles files, PoolLayout layout)
    {
        var entries = new List<Entry>();
        foreach (var line in files.ReadLines(layout.ReplicationBaseCopy) ?? [])
        {
            var fields = line.Split('\t', 5);
            if (fields.Length == 5 && !line.StartsWith('#')
                && Guid.TryParse(fields[0], out var subvolume) && Guid.TryParse(fields[1], out var snapshot)
                && PoolDatabase.ParseStoredTime(fields[3]) is { } recorded
                && fields[4].Length > 0 && !fields[4].Any(char.IsControl))
            {
                entries.Add(new Entry(subvolume, snapshot, fields[2], recorded, fields[4]));
            }
        }

        return entries;
    }
}
