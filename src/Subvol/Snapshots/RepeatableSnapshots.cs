using Subvol.Errors;
using Subvol.Names;
using Subvol.Pools;

namespace Subvol.Snapshots;

/// <summary>
/// Snapshots whose names are unique in the whole pool, taken so that a request can be repeated safely
/// (as a CSI CO repeats one that timed out): a repeat returns the snapshot the first request took.
/// </summary>
internal sealed class RepeatableSnapshots(SnapshotLookup lookup, Snapshotter snapshotter)
{
    /// <summary>
    /// Takes the snapshot, or returns the one an earlier request with the same name took. The name taken by a
    /// snapshot of another subvolume, or by one that <paramref name="creator"/> did not take, is AlreadyExists:
    /// a repeat must ask for what exists, and nobody adopts another's snapshot.
    /// </summary>
    public OperationResult<SnapshotInfo> Ensure(string subvolume, string snapshot, string? creator)
    {
        if (lookup.Find(subvolume: null, snapshot) is [var existing, ..])
        {
            return existing.Subvolume != subvolume
                ? throw SubvolException.AlreadyExists($"snapshot {Printable.Quote(snapshot)} already exists, of subvolume {Printable.Quote(existing.Subvolume)}, not {Printable.Quote(subvolume)}; choose another name")
                : existing.Creator != creator
                ? throw SubvolException.AlreadyExists(creator is null
                    ? $"snapshot {existing.FullName} already exists, taken by {existing.Creator}; choose another name"
                    : $"snapshot {existing.FullName} already exists and was not taken by {creator}, which does not adopt it; choose another name")
                : new(Outcome.AlreadyExisted, existing);
        }

        snapshotter.Create(subvolume, snapshot, creator);

        // Read back as stored, so that a repeated request reports the very same creation time.
        return new(Outcome.Created, lookup.Find(subvolume, snapshot).Single());
    }
}
