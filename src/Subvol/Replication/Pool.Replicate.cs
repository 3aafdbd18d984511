using Subvol.Errors;
using Subvol.Names;
using Subvol.Replication;
using Subvol.Stream;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>
    /// Brings a subvolume's newest snapshot to another pool: takes a snapshot unless told not to,
    /// finishes an interrupted transfer, then sends incrementally from the newest common snapshot.
    /// </summary>
    public ReplicateResult Replicate(string subvolume, string destination, ReplicateOptions options, IProgress<ReplicationProgress>? progress = null)
    {
        RequireSubvolume(subvolume);
        var address = DestinationAddress.Parse(destination);
        if (!address.IsRemote && address.Pool == Path)
        {
            throw SubvolException.Invalid($"the destination {address} is this pool; replicate to another pool");
        }

        var steps = new List<string>();
        if (options.TakeSnapshot)
        {
            steps.Add($"took snapshot {CreateSnapshot(subvolume, null).FullName}");
        }

        using IReplicationDestination target = address.IsRemote
            ? new SshDestination(address, options.SshProgram, options.RemoteProgram)
            : new LocalDestination(Open(address.Pool));
        long dataBytes = 0;
        // Each pass discards a stale transfer, finishes a resume or sends the newest snapshot, so three passes plus one check suffice.
        for (var pass = 0; pass < 4; pass++)
        {
            var source = _database.ListSnapshots(subvolume);
            var step = ReplicationPlanner.Plan(source.Select(snapshot => snapshot.Guid).ToList(), target.SnapshotGuids(subvolume), target.ResumeToken(subvolume));
            if (step.Kind == ReplicationStepKind.UpToDate)
            {
                steps.Add($"{address} is up to date with {subvolume}@{source[^1].Name}");
                return new ReplicateResult(steps, dataBytes);
            }

            if (step.Kind == ReplicationStepKind.DiscardStale)
            {
                var stale = source.Single(snapshot => snapshot.Guid == step.Target);
                target.AbortReceive(subvolume);
                steps.Add($"discarded the interrupted transfer of {subvolume}@{stale.Name} at {address}: it was sent from base snapshot {step.Base}, which this pool no longer has, so it could never be finished");
                continue;
            }

            var newest = source.Single(snapshot => snapshot.Guid == step.Target);
            var baseline = step.Base is { } baseGuid ? source.Single(snapshot => snapshot.Guid == baseGuid) : null;
            SendResult? sent = null;
            string said;
            try
            {
                said = target.Receive(subvolume, options.Force, stream => sent = step.Kind == ReplicationStepKind.Resume
                    ? ResumeSend(step.ResumeToken!, stream, options.Compression, progress)
                    : SendCore(newest, baseline, 0, stream, options.Compression, progress));
            }
            catch (SubvolException exception) when (exception.Code == SubvolErrorCode.StreamCorrupt)
            {
                // A cut connection ends the stream early; the receiver keeps what it verified, and the next run resumes it.
                throw new SubvolException(exception.Code, $"{exception.Message}; run 'subvol replicate {subvolume} {address}' again to resume from there", exception);
            }

            dataBytes += sent?.DataBytes ?? 0;
            steps.Add(step.Kind switch
            {
                ReplicationStepKind.Resume => $"resumed {subvolume}@{newest.Name}: {said}",
                ReplicationStepKind.Incremental => $"sent {subvolume}@{newest.Name} incrementally from {baseline!.Name} ({ByteSize.Format(sent?.DataBytes ?? 0)}): {said}",
                _ => $"sent {subvolume}@{newest.Name} in full ({ByteSize.Format(sent?.DataBytes ?? 0)}): {said}",
            });
        }

        return new ReplicateResult(steps, dataBytes);
    }
}
