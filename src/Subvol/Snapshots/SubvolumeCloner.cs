using Subvol.Errors;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol.Snapshots;

/// <summary>Writable subvolumes made from a snapshot, or from another subvolume as it is now, through a snapshot taken for the purpose.</summary>
internal sealed class SubvolumeCloner(PoolSession session, SpaceAdmission space)
{
    private SnapshotLookup Lookup => new(session);

    private Snapshotter Snapshotter => new(session, space);

    private SubvolumeLifecycle Subvolumes => new(session, space);

    /// <summary>Makes an independent, writable subvolume from a snapshot, with a filesystem UUID of its own.</summary>
    public OperationResult<SubvolumeInfo> FromSnapshot(SnapshotReference source, string name, Provisioning provisioning, string? creator)
    {
        var clone = new SnapshotCloner(session, space).Clone(source, name, provisioning, creator);
        // A clone is a subvolume, and subvolumes are described where they are made.
        return new(clone.Outcome, Subvolumes.Describe(clone.Value, session.Database.ListSnapshots(name).Count));
    }

    /// <summary>
    /// Makes an independent, writable subvolume from another subvolume as it is now, through a snapshot
    /// taken for the purpose and destroyed afterwards, also when the clone fails. The snapshot's name
    /// depends only on <paramref name="name"/>, so a retry after a crash reuses the snapshot the first
    /// attempt took, and finishes its clean-up when the clone was made before the crash.
    /// </summary>
    public OperationResult<SubvolumeInfo> FromSubvolume(string source, string name, Provisioning provisioning, string? creator)
    {
        NameRules.Validate(name, "subvolume");
        var through = new SnapshotReference(source, CloneSnapshotNames.For(name));
        var leftover = Lookup.Find(source, through.Snapshot).FirstOrDefault();
        if (Subvolumes.Find(name) is { } existing)
        {
            if (leftover is null || existing.OriginSnapshot != leftover.Guid)
            {
                throw SubvolException.AlreadyExists($"subvolume {Printable.Quote(name)} already exists; choose another name");
            }

            Snapshotter.Destroy(through);
            return new(Outcome.AlreadyExisted, existing);
        }

        if (leftover is null)
        {
            Snapshotter.Create(source, through.Snapshot, creator);
        }

        OperationResult<SubvolumeInfo> clone;
        try
        {
            clone = FromSnapshot(through, name, provisioning, creator);
        }
        catch
        {
            try
            {
                Snapshotter.Destroy(through);
            }
            catch (Exception)
            {
                // The clone's error is the one to report; a snapshot that cannot go now is reused, and removed, by the next attempt.
            }

            throw;
        }

        Snapshotter.Destroy(through);
        return clone;
    }
}
