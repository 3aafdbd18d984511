using Subvol.Names;
using Subvol.Pools;
using Subvol.Replication;
using Subvol.Stream;

namespace Subvol;

// Send, receive and replicate: each call goes to the operation that owns it.
public sealed partial class Pool
{
    private SendOperation Sending => new(_session);

    private ReceiveOperation Receiving => new(_session, _space, Describe, ReplaceImage);

    private Replicator Replicating => new(_session, Sending, subvolume => CreateSnapshot(subvolume, null));

    /// <summary>Writes a full stream of a snapshot, or from a base only what changed; takes no lock.</summary>
    public SendResult Send(SnapshotReference target, SnapshotReference? from, System.IO.Stream output, StreamCompression compression, IProgress<ReplicationProgress>? progress = null) =>
        Sending.Send(target, from, output, compression, progress);

    /// <summary>Continues a send from a receiver's token.</summary>
    public SendResult ResumeSend(string token, System.IO.Stream output, StreamCompression compression, IProgress<ReplicationProgress>? progress = null) =>
        Sending.Resume(token, output, compression, progress);

    /// <summary>Receives a stream as a new snapshot of <paramref name="subvolume"/> and moves the subvolume to it; <paramref name="force"/> lets it discard writes made since its last snapshot.</summary>
    public ReceiveResult Receive(string subvolume, System.IO.Stream input, IProgress<ReplicationProgress>? progress = null, bool force = false) =>
        Receiving.Receive(subvolume, input, progress, force);

    /// <summary>The token that asks the sender for the rest of an interrupted receive.</summary>
    public string ResumeTokenFor(string subvolume) => Receiving.ResumeTokenFor(subvolume);

    public Outcome AbortReceive(string subvolume) => Receiving.Abort(subvolume);

    public IReadOnlyList<PartialReceiveInfo> ListPartialReceives() => Receiving.ListPartial();

    /// <summary>Brings a subvolume's newest snapshot to another pool, resuming an interrupted transfer first.</summary>
    public ReplicateResult Replicate(string subvolume, string destination, ReplicateOptions options, IProgress<ReplicationProgress>? progress = null) =>
        Replicating.Replicate(subvolume, destination, options, progress);
}
