using Subvol.Errors;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Snapshots;
using Subvol.Subvolumes;

namespace Subvol.Replication;

/// <summary>
/// Brings a subvolume's newest snapshot to another pool: takes a snapshot (named sync-TIMESTAMP) unless told not
/// to, finishes an interrupted transfer, sends incrementally from the newest common snapshot and records it as the
/// target's base; then destroys the sync snapshots that no target needs any more, here and on the destination.
/// Interrupted, it stops between two records of the transfer under way, or before the next step, and keeps what it
/// did: the snapshot it took, and what the destination verified, from where the next run resumes. Taking and destroying snapshots belong to the snapshots, so they come in as <paramref name="takeSnapshot"/> and
/// <paramref name="destroySnapshots"/>.
/// </summary>
internal sealed class Replicator(
    PoolSession session,
    SendOperation sending,
    Func<string, SnapshotInfo> takeSnapshot,
    Func<string, IReadOnlyList<string>, IReadOnlyList<SnapshotInfo>> destroySnapshots)
{
    public ReplicateResult Replicate(string subvolume, string destination, ReplicateOptions options, IProgress<ReplicationProgress>? progress, CancellationToken cancellation = default)
    {
        session.RequireSubvolume(subvolume);
        var address = DestinationAddress.Parse(destination);
        ReplicationDestinations.RefuseSourcePool(address, session.Path);

        var steps = new List<ReplicatedStep>();
        SnapshotInfo? taken = null;
        if (options.TakeSnapshot)
        {
            taken = takeSnapshot(subvolume);
            steps.Add(new ReplicatedStep(ReplicatedStepKind.TookSnapshot, subvolume, taken.Name));
        }
        else if (session.Database.ListSnapshots(subvolume).Count == 0)
        {
            throw SubvolException.NotFound(
                $"subvolume {Printable.Quote(subvolume)} has no snapshot to replicate",
                new Remedy.AnyOf([new Remedy.TakeSnapshot(session.Path, subvolume), new Remedy.ReplicateTakingSnapshot(session.Path, subvolume, address.ToString())]));
        }

        var sendingBegan = false;
        try
        {
            using var target = ReplicationDestinations.Open(address, options, session.Path);
            return Transfer(target, subvolume, options, progress, steps, () => sendingBegan = true, cancellation);
        }
        catch (Exception exception) when (taken is not null && !sendingBegan && exception is not (OperationCanceledException or SubvolException { Code: SubvolErrorCode.Interrupted }))
        {
            // Nothing was sent, so the snapshot taken for this run serves nothing and would only pile up. An interrupted run
            // keeps it: the person asked it to stop, not to start destroying, and the next run sends it.
            throw RemovingTaken(subvolume, taken, exception);
        }
    }

    private ReplicateResult Transfer(
        IReplicationDestination target, string subvolume, ReplicateOptions options, IProgress<ReplicationProgress>? progress, List<ReplicatedStep> steps, Action beginSending, CancellationToken cancellation)
    {
        var transfer = new ReplicationTransfer(session, sending);
        long dataBytes = 0;
        // Each pass discards a stale transfer, finishes a resume or sends the newest snapshot, so three passes plus one check suffice.
        for (var pass = 0; pass < 4; pass++)
        {
            var source = session.Database.ListSnapshots(subvolume);
            var held = target.Snapshots(subvolume);
            var step = ReplicationPlanner.Plan(source.Select(snapshot => snapshot.Guid).ToList(), held?.Select(snapshot => snapshot.Guid).ToHashSet(), target.ResumeToken(subvolume));
            if (step.Kind == ReplicationStepKind.UpToDate)
            {
                var newest = source[^1];
                steps.Add(new ReplicatedStep(ReplicatedStepKind.UpToDate, subvolume, newest.Name));
                RecordBase(target, newest);
                DestroyUnneededSyncSnapshots(target, subvolume, newest, held!, steps);
                return new ReplicateResult(steps, dataBytes, target.Address);
            }

            if (cancellation.IsCancellationRequested)
            {
                throw new SubvolException(SubvolErrorCode.Interrupted,
                    $"replicating {Printable.Quote(subvolume)} to {target.Address} was interrupted before its next step; what it did before that is kept",
                    new Remedy.Replicate(session.Path, subvolume, target.Address));
            }

            if (step.Kind == ReplicationStepKind.DiscardStale)
            {
                var stale = source.Single(snapshot => snapshot.Guid == step.Target);
                target.AbortReceive(subvolume);
                steps.Add(new ReplicatedStep(ReplicatedStepKind.DiscardedStale, subvolume, stale.Name, step.Base?.ToString()));
                continue;
            }

            var sent = source.Single(snapshot => snapshot.Guid == step.Target);
            var baseline = step.Base is { } baseGuid ? source.Single(snapshot => snapshot.Guid == baseGuid) : null;
            beginSending();
            var sentBytes = step.Kind == ReplicationStepKind.Resume
                ? transfer.Resume(target, subvolume, step.ResumeToken!, options, progress, cancellation)
                : transfer.Send(target, sent, baseline, options, progress, cancellation);
            RecordBase(target, sent);
            dataBytes += sentBytes;
            steps.Add(step.Kind switch
            {
                ReplicationStepKind.Resume => new ReplicatedStep(ReplicatedStepKind.Resumed, subvolume, sent.Name, baseline?.Name, sentBytes),
                ReplicationStepKind.Incremental => new ReplicatedStep(ReplicatedStepKind.SentIncremental, subvolume, sent.Name, baseline!.Name, sentBytes),
                _ => new ReplicatedStep(ReplicatedStepKind.SentFull, subvolume, sent.Name, DataBytes: sentBytes),
            });
        }

        return new ReplicateResult(steps, dataBytes, target.Address);
    }

    private void RecordBase(IReplicationDestination target, SnapshotRecord snapshot) =>
        new ReplicationBaseRecords(session).Record(snapshot.SubvolumeName, target.Address, snapshot.Guid, snapshot.Name);

    /// <summary>
    /// Destroys, here, every sync snapshot older than the new base that is no target's base, and on the destination every
    /// sync snapshot older than it (in one batch); a mounted one stays, and so does one the destination records as a base of its own.
    /// </summary>
    private void DestroyUnneededSyncSnapshots(IReplicationDestination target, string subvolume, SnapshotRecord newBase, IReadOnlyList<DestinationSnapshot> held, List<ReplicatedStep> steps)
    {
        var bases = session.Database.ListReplicationBases(subvolume).Select(recorded => recorded.Snapshot).ToHashSet();
        var local = session.Database.ListSnapshots(subvolume)
            .TakeWhile(snapshot => snapshot.Guid != newBase.Guid)
            .Where(snapshot => SnapshotNames.IsSync(snapshot.Name) && !bases.Contains(snapshot.Guid)
                && ImageMounts.Find(session.Layout.SnapshotImage(subvolume, snapshot.Name)).Count == 0)
            .Select(snapshot => snapshot.Name)
            .ToList();
        if (local.Count > 0)
        {
            foreach (var destroyed in destroySnapshots(subvolume, local))
            {
                steps.Add(new ReplicatedStep(ReplicatedStepKind.DestroyedHere, subvolume, destroyed.Name, newBase.Name));
            }
        }

        var remote = held
            .TakeWhile(snapshot => snapshot.Guid != newBase.Guid)
            .Where(snapshot => SnapshotNames.IsSync(snapshot.Name) && snapshot.BaseFor.Count == 0 && snapshot.MountPoint is null)
            .Select(snapshot => snapshot.Name)
            .ToList();
        if (remote.Count > 0)
        {
            target.Destroy(subvolume, remote);
            steps.AddRange(remote.Select(name => new ReplicatedStep(ReplicatedStepKind.DestroyedAtDestination, subvolume, name, newBase.Name)));
        }
    }

    private SubvolException RemovingTaken(string subvolume, SnapshotInfo taken, Exception exception)
    {
        var error = exception as SubvolException ?? ErrorTranslation.Translate(exception);
        string removal;
        try
        {
            destroySnapshots(subvolume, [taken.Name]);
            removal = $"removed the snapshot {taken.FullName} it took";
        }
        catch (Exception failure)
        {
            removal = $"the snapshot {taken.FullName} it took could not be removed ({failure.Message}); destroy it with 'subvol destroy {taken.FullName}'";
        }

        return new SubvolException(error.Code, $"{error.Message}; {removal}", error.Remedy, exception);
    }
}
