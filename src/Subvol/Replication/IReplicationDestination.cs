using Subvol.Errors;
using Subvol.Names;

namespace Subvol.Replication;

/// <summary>The receiving side of replicate: a pool on this machine, or one reached through ssh.</summary>
internal interface IReplicationDestination : IDisposable
{
    /// <summary>The destination's address as replicate normalizes it, which is how replication bases name their target.</summary>
    string Address { get; }

    /// <summary>The destination's snapshots of the subvolume in the order it took or received them, or null when it has no such subvolume.</summary>
    IReadOnlyList<DestinationSnapshot>? Snapshots(string subvolume);

    /// <summary>GUIDs of the destination's snapshots of the subvolume, or null when it has no such subvolume.</summary>
    IReadOnlySet<Guid>? SnapshotGuids(string subvolume) => Snapshots(subvolume)?.Select(snapshot => snapshot.Guid).ToHashSet();

    /// <summary>The token of an interrupted receive into the subvolume, if there is one.</summary>
    string? ResumeToken(string subvolume);

    /// <summary>Discards the interrupted receive into the subvolume, as 'subvol receive --abort' does.</summary>
    void AbortReceive(string subvolume);

    /// <summary>
    /// Receives into the subvolume whatever <paramref name="send"/> writes, and fails as the receiver failed.
    /// <paramref name="force"/> lets the receive discard writes made on the destination since its last snapshot.
    /// A cancelled <paramref name="cancellation"/> stops the transfer between two records; the destination keeps what it verified.
    /// </summary>
    void Receive(string subvolume, bool force, Action<System.IO.Stream> send, CancellationToken cancellation);

    /// <summary>
    /// Destroys the named snapshots of the subvolume on the destination in one batch (over ssh, one remote 'subvol destroy');
    /// one that is already gone there counts as destroyed.
    /// </summary>
    void Destroy(string subvolume, IReadOnlyList<string> snapshots);

    /// <summary>The same for snapshots of several subvolumes, still in one batch, as a run that prunes many subvolumes needs.</summary>
    void Destroy(IReadOnlyList<SnapshotReference> snapshots);
}
