using Subvol.Errors;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Snapshots;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>
    /// Makes an independent, writable subvolume from another subvolume as it is now, through a snapshot
    /// taken for the purpose and destroyed afterwards, also when the clone fails. The snapshot's name
    /// depends only on <paramref name="name"/>, so a retry after a crash reuses the snapshot the first
    /// attempt took, and finishes its clean-up when the clone was made before the crash.
    /// </summary>
    /// <param name="creator">Recorded as the creator of the clone and of its snapshot, as <see cref="CloneSnapshot"/> does.</param>
    public OperationResult<SubvolumeInfo> CloneSubvolume(string source, string name, Provisioning provisioning = Provisioning.Guaranteed, string? creator = null)
    {
        NameRules.Validate(name, "subvolume");
        var through = new SnapshotReference(source, CloneSnapshotNames.For(name));
        var leftover = FindSnapshots(source, through.Snapshot).FirstOrDefault();
        if (FindSubvolume(name) is { } existing)
        {
            if (leftover is null || existing.OriginSnapshot != leftover.Guid)
            {
                throw SubvolException.AlreadyExists($"subvolume {Printable.Quote(name)} already exists; choose another name");
            }

            DestroySnapshot(through);
            return new(Outcome.AlreadyExisted, existing);
        }

        if (leftover is null)
        {
            CreateSnapshot(source, through.Snapshot, creator);
        }

        OperationResult<SubvolumeInfo> clone;
        try
        {
            clone = CloneSnapshot(through, name, provisioning, creator);
        }
        catch
        {
            try
            {
                DestroySnapshot(through);
            }
            catch (Exception)
            {
                // The clone's error is the one to report; a snapshot that cannot go now is reused, and removed, by the next attempt.
            }

            throw;
        }

        DestroySnapshot(through);
        return clone;
    }
}
