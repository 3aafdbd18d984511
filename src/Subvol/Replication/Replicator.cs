using Subvol.Errors;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Snapshots;

namespace Subvol.Replication;

/// <summary>
/// Brings a subvolume's newest snapshot to another pool: takes a snapshot unless told not to,
/// finishes an interrupted transfer, then sends incrementally from the newest common snapshot.
/// Taking the snapshot belongs to the snapshots, so it comes in as <paramref name="takeSnapshot"/>.
/// </summary>
internal sealed class Replicator(PoolSession session, SendOperation sending, Func<string, SnapshotInfo> takeSnapshot)
{
    public ReplicateResult Replicate(string subvolume, string destination, ReplicateOptions options, IProgress<ReplicationProgress>? progress)
    {
        session.RequireSubvolume(subvolume);
        var address = DestinationAddress.Parse(destination);
        if (!address.IsRemote && address.Pool == session.Path)
        {
            throw SubvolException.Invalid($"the destination {address} is this pool; replicate to another pool");
        }

        var steps = new List<ReplicatedStep>();
        if (options.TakeSnapshot)
        {
            var taken = takeSnapshot(subvolume);
            steps.Add(new ReplicatedStep(ReplicatedStepKind.TookSnapshot, subvolume, taken.Name));
        }
        else if (session.Database.ListSnapshots(subvolume).Count == 0)
        {
            throw SubvolException.NotFound(
                $"subvolume {Printable.Quote(subvolume)} has no snapshot to replicate",
                new Remedy.AnyOf([new Remedy.TakeSnapshot(session.Path, subvolume), new Remedy.ReplicateTakingSnapshot(session.Path, subvolume, address.ToString())]));
        }

        using IReplicationDestination target = address.IsRemote
            ? new SshDestination(address, options.SshProgram, options.RemoteProgram)
            : new LocalDestination(Pool.Open(address.Pool));
        long dataBytes = 0;
        // Each pass discards a stale transfer, finishes a resume or sends the newest snapshot, so three passes plus one check suffice.
        for (var pass = 0; pass < 4; pass++)
        {
            var source = session.Database.ListSnapshots(subvolume);
            var step = ReplicationPlanner.Plan(source.Select(snapshot => snapshot.Guid).ToList(), target.SnapshotGuids(subvolume), target.ResumeToken(subvolume));
            if (step.Kind == ReplicationStepKind.UpToDate)
            {
                steps.Add(new ReplicatedStep(ReplicatedStepKind.UpToDate, subvolume, source[^1].Name));
                return new ReplicateResult(steps, dataBytes, address.ToString());
            }

            if (step.Kind == ReplicationStepKind.DiscardStale)
            {
                var stale = source.Single(snapshot => snapshot.Guid == step.Target);
                target.AbortReceive(subvolume);
                steps.Add(new ReplicatedStep(ReplicatedStepKind.DiscardedStale, subvolume, stale.Name, step.Base?.ToString()));
                continue;
            }

            var newest = source.Single(snapshot => snapshot.Guid == step.Target);
            var baseline = step.Base is { } baseGuid ? source.Single(snapshot => snapshot.Guid == baseGuid) : null;
            SendResult? sent = null;
            try
            {
                target.Receive(subvolume, options.Force, stream => sent = step.Kind == ReplicationStepKind.Resume
                    ? sending.Resume(step.ResumeToken!, stream, options.Compression, progress)
                    : sending.Send(newest, baseline, 0, stream, options.Compression, progress));
            }
            catch (SubvolException exception) when (exception.Code == SubvolErrorCode.StreamCorrupt)
            {
                // A cut connection ends the stream early; the receiver keeps what it verified, and the next run resumes it.
                throw new SubvolException(exception.Code, exception.Message, new Remedy.Replicate(session.Path, subvolume, address.ToString()), exception);
            }

            var sentBytes = sent?.DataBytes ?? 0;
            dataBytes += sentBytes;
            steps.Add(step.Kind switch
            {
                ReplicationStepKind.Resume => new ReplicatedStep(ReplicatedStepKind.Resumed, subvolume, newest.Name, baseline?.Name, sentBytes),
                ReplicationStepKind.Incremental => new ReplicatedStep(ReplicatedStepKind.SentIncremental, subvolume, newest.Name, baseline!.Name, sentBytes),
                _ => new ReplicatedStep(ReplicatedStepKind.SentFull, subvolume, newest.Name, DataBytes: sentBytes),
            });
        }

        return new ReplicateResult(steps, dataBytes, address.ToString());
    }
}
