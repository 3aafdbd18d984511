using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;

namespace Subvol.Replication;

/// <summary>
/// The pool's record of each subvolume's replication bases, one per target: what replicate, and the
/// policies that send series of snapshots, write after a transfer, and what pruning must keep.
/// </summary>
internal sealed class ReplicationBaseRecords(PoolSession session)
{
    /// <summary>
    /// Records <paramref name="snapshot"/> as the newest snapshot of the subvolume that <paramref name="target"/> holds,
    /// at <see cref="Clock.Now"/>, replacing the target's earlier base; takes the pool's write lock.
    /// </summary>
    /// <param name="target">A pool path or ssh:// address, recorded as replicate normalizes it.</param>
    public void Record(string subvolume, string target, Guid snapshot, string name)
    {
        var normalized = DestinationAddress.Parse(target).ToString();
        using var writeLock = session.AcquireWriteLock();
        var record = session.RequireSubvolume(subvolume);
        var held = session.Database.FindSnapshot(snapshot);
        if (held is null || held.SubvolumeId != record.Id)
        {
            throw SubvolException.NotFound($"subvolume {Printable.Quote(subvolume)} has no snapshot with GUID {snapshot} to record as the base for {normalized}");
        }

        if (held.Name != name)
        {
            throw SubvolException.Invalid($"the snapshot with GUID {snapshot} is {subvolume}@{held.Name}, not {subvolume}@{name}");
        }

        session.Database.SetReplicationBase(record.Id, normalized, snapshot, held.Name, Clock.Now);
        try
        {
            ReplicationBaseCopy.Write(session.Files, session.Layout, session.Database);
        }
        catch (Exception exception) when (exception is IOException or SystemCallException or SubvolException)
        {
            // The database holds the base; only a rebuild of a lost database reads the copy, and the next record rewrites it.
        }
    }

    /// <summary>The subvolume's bases, one per target it was replicated to, by target; an unknown subvolume is an error.</summary>
    public IReadOnlyList<ReplicationBase> List(string subvolume)
    {
        session.RequireSubvolume(subvolume);
        return session.Database.ListReplicationBases(subvolume);
    }
}
