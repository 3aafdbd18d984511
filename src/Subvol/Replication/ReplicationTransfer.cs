using Subvol.Errors;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Stream;

namespace Subvol.Replication;

/// <summary>
/// Single transfers to an open destination: one snapshot, incrementally from a given base or in full, and the
/// finishing (or discarding) of the destination's interrupted receive. Replicate is built of these, and so is
/// anything that sends a series of snapshots one by one.
/// </summary>
internal sealed class ReplicationTransfer(PoolSession session, SendOperation sending)
{
    /// <summary>
    /// Sends <paramref name="snapshot"/> of the subvolume to the destination, incrementally from <paramref name="baseSnapshot"/>
    /// (which the destination must hold) or in full when it is null, and returns the bytes of image data sent. A cancelled
    /// <paramref name="cancellation"/> stops it between two records, and the destination keeps what it verified for the next run to resume.
    /// </summary>
    public long Send(IReplicationDestination destination, string subvolume, string snapshot, string? baseSnapshot, ReplicateOptions options, IProgress<ReplicationProgress>? progress = null, CancellationToken cancellation = default)
    {
        var target = session.RequireSnapshot(new SnapshotReference(subvolume, snapshot));
        var baseline = baseSnapshot is null ? null : session.RequireSnapshot(new SnapshotReference(subvolume, baseSnapshot));
        return Send(destination, target, baseline, options, progress, cancellation);
    }

    public long Send(IReplicationDestination destination, SnapshotRecord target, SnapshotRecord? baseline, ReplicateOptions options, IProgress<ReplicationProgress>? progress, CancellationToken cancellation = default) =>
        Receive(destination, target.SubvolumeName, options, stream => sending.Send(target, baseline, 0, stream, options.Compression, progress, cancellation), cancellation);

    /// <summary>
    /// Finishes the destination's interrupted receive into the subvolume, or discards it when its base is no longer
    /// held here (it could never be finished), and says what it did; nothing when there is none. An interrupted
    /// receive of a snapshot this pool does not hold is left alone, and is an error that says how to discard it.
    /// </summary>
    public IReadOnlyList<ReplicatedStep> FinishInterrupted(IReplicationDestination destination, string subvolume, ReplicateOptions options, IProgress<ReplicationProgress>? progress = null, CancellationToken cancellation = default)
    {
        var steps = new List<ReplicatedStep>();
        // A discard leaves no token, and a resume finishes the one there was, so two passes suffice.
        for (var pass = 0; pass < 2; pass++)
        {
            if (destination.ResumeToken(subvolume) is not { } token)
            {
                return steps;
            }

            var source = session.Database.ListSnapshots(subvolume);
            var step = source.Count == 0 ? null : ReplicationPlanner.Plan(source.Select(snapshot => snapshot.Guid).ToList(), null, token);
            if (step?.Kind == ReplicationStepKind.DiscardStale)
            {
                destination.AbortReceive(subvolume);
                steps.Add(new ReplicatedStep(ReplicatedStepKind.DiscardedStale, subvolume, source.Single(snapshot => snapshot.Guid == step.Target).Name, step.Base?.ToString()));
                continue;
            }

            if (step?.Kind != ReplicationStepKind.Resume)
            {
                throw SubvolException.Busy(
                    $"{destination.Address} holds an interrupted receive into {Printable.Quote(subvolume)} of a snapshot this pool does not have, so it cannot be finished from here",
                    new Remedy.AbortReceive(DestinationAddress.Parse(destination.Address).Pool, subvolume));
            }

            var target = source.Single(snapshot => snapshot.Guid == step.Target);
            var baseline = step.Base is { } baseGuid ? source.Single(snapshot => snapshot.Guid == baseGuid) : null;
            var sent = Resume(destination, subvolume, token, options, progress, cancellation);
            steps.Add(new ReplicatedStep(ReplicatedStepKind.Resumed, subvolume, target.Name, baseline?.Name, sent));
            return steps;
        }

        return steps;
    }

    /// <summary>Sends the rest of an interrupted transfer from the receiver's token; returns the bytes of image data sent.</summary>
    public long Resume(IReplicationDestination destination, string subvolume, string token, ReplicateOptions options, IProgress<ReplicationProgress>? progress, CancellationToken cancellation = default) =>
        Receive(destination, subvolume, options, stream => sending.Resume(token, stream, options.Compression, progress, cancellation), cancellation);

    private long Receive(IReplicationDestination destination, string subvolume, ReplicateOptions options, Func<System.IO.Stream, SendResult> send, CancellationToken cancellation)
    {
        SendResult? sent = null;
        try
        {
            destination.Receive(subvolume, options.Force, stream => sent = send(stream), cancellation);
        }
        catch (Exception exception) when (cancellation.IsCancellationRequested && exception is SubvolException or IOException)
        {
            // Whichever side the signal stopped first, or a connection that the same signal closed, this run was interrupted.
            var what = exception is SubvolException { Code: SubvolErrorCode.Interrupted }
                ? exception.Message
                : $"replicating {Printable.Quote(subvolume)} to {destination.Address} was interrupted ({exception.Message})";
            throw new SubvolException(SubvolErrorCode.Interrupted, what, new Remedy.Replicate(session.Path, subvolume, destination.Address), exception);
        }
        catch (SubvolException exception) when (exception.Code == SubvolErrorCode.StreamCorrupt)
        {
            // A cut connection ends the stream early; the receiver keeps what it verified, and the next run resumes it.
            throw new SubvolException(exception.Code, exception.Message, new Remedy.Replicate(session.Path, subvolume, destination.Address), exception);
        }

        return sent?.DataBytes ?? 0;
    }
}
