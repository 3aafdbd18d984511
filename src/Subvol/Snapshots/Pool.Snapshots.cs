using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Snapshots;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol;

public sealed partial class Pool
{
    private SnapshotLookup SnapshotLookup => new(_session);

    private Snapshotter Snapshotter => new(_session, _space);

    /// <summary>Snapshots of one subvolume or of all, with the exclusive bytes that only every extent map can tell.</summary>
    public IReadOnlyList<SnapshotInfo> ListSnapshots(string? subvolume = null) => SnapshotLookup.List(subvolume);

    /// <summary>
    /// Snapshots by subvolume and name, either of which may be left out, without the per-image usage
    /// that <see cref="ListSnapshots"/> computes from every extent map; for callers that poll often.
    /// </summary>
    public IReadOnlyList<SnapshotInfo> FindSnapshots(string? subvolume = null, string? snapshot = null) => SnapshotLookup.Find(subvolume, snapshot);

    public SnapshotInfo GetSnapshot(SnapshotReference reference) => SnapshotLookup.Get(reference);

    /// <summary>Freezes the subvolume's filesystem if mounted, reflink-clones its image and thaws; a killed process leaves nothing frozen.</summary>
    /// <param name="creator">Recorded as the snapshot's creator, so that a program such as the CSI driver can tell its own; null from the command line.</param>
    public SnapshotInfo CreateSnapshot(string subvolume, string? snapshot, string? creator = null) => Snapshotter.Create(subvolume, snapshot, creator);

    public Outcome DestroySnapshot(SnapshotReference reference) => Snapshotter.Destroy(reference);

    /// <summary>Makes an independent, writable subvolume from a snapshot, with a filesystem UUID of its own.</summary>
    /// <param name="creator">Recorded as the clone's creator, so that a program such as the CSI driver can tell its own; null from the command line.</param>
    public OperationResult<SubvolumeInfo> CloneSnapshot(SnapshotReference source, string name, Provisioning provisioning = Provisioning.Guaranteed, string? creator = null)
    {
        var clone = new SnapshotCloner(_session, _space).Clone(source, name, provisioning, creator);
        // A clone is a subvolume, and subvolumes are described where they are made.
        return new(clone.Outcome, Describe(clone.Value, _session.Database.ListSnapshots(name).Count));
    }

    /// <summary>Puts a snapshot's image back in place of its subvolume's; newer snapshots block it unless forced.</summary>
    public IReadOnlyList<string> Rollback(SnapshotReference reference, bool force) => new SnapshotRollback(_session).Run(reference, force);

    // Receive publishes snapshots and moves subvolumes to them as these do.
    private void MakeImmutable(string path) => Snapshotter.MakeImmutable(path);

    private DateTime ReplaceImage(SubvolumeRecord subvolume, SnapshotRecord snapshot, string failure) => new SnapshotRollback(_session).ReplaceImage(subvolume, snapshot, failure);

    private SnapshotInfo Describe(SnapshotRecord record) => SnapshotLookup.Describe(record);
}
