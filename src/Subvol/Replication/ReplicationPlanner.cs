using Subvol.Errors;
using Subvol.Stream;

namespace Subvol.Replication;

/// <summary>
/// Decides what replicate sends, as syncoid does for ZFS: finish an interrupted transfer first (or
/// discard it when the source no longer holds its base, as syncoid resets a stale receive), else send the newest snapshot incrementally from the newest one both sides hold (by GUID),
/// else a full stream. The decision is a pure function of what both sides hold.
/// </summary>
internal static class ReplicationPlanner
{
    /// <param name="source">The source's snapshots of the subvolume, oldest first.</param>
    /// <param name="destination">The GUIDs of the destination's snapshots of the subvolume; null when it has no such subvolume.</param>
    /// <param name="resumeToken">The destination's token for an interrupted receive, if any.</param>
    public static ReplicationStep Plan(IReadOnlyList<Guid> source, IReadOnlySet<Guid>? destination, string? resumeToken)
    {
        if (source.Count == 0)
        {
            // The replicator refuses this first, naming the subvolume and what to do; this only keeps the function total.
            throw SubvolException.NotFound("the subvolume has no snapshot to replicate");
        }

        if (resumeToken is not null && ResumeToken.TryDecode(resumeToken, out var token, out _) && token is not null && source.Contains(token.TargetGuid))
        {
            // The source sends the rest only from the base the transfer began with; once that base is destroyed, the
            // transfer can never finish, and discarding it loses nothing: it was never published, and the source still
            // holds its target, which the next step sends from a snapshot both sides still have.
            return token.BaseGuid is { } baseGuid && !source.Contains(baseGuid)
                ? new ReplicationStep(ReplicationStepKind.DiscardStale, baseGuid, token.TargetGuid, resumeToken)
                : new ReplicationStep(ReplicationStepKind.Resume, token.BaseGuid, token.TargetGuid, resumeToken);
        }

        var newest = source[^1];
        if (destination is null)
        {
            return new ReplicationStep(ReplicationStepKind.Full, null, newest, null);
        }

        for (var index = source.Count - 1; index >= 0; index--)
        {
            if (destination.Contains(source[index]))
            {
                return source[index] == newest
                    ? new ReplicationStep(ReplicationStepKind.UpToDate, null, newest, null)
                    : new ReplicationStep(ReplicationStepKind.Incremental, source[index], newest, null);
            }
        }

        throw new SubvolException(SubvolErrorCode.StreamMismatch,
            "the destination has this subvolume but no snapshot in common with the source, so no incremental stream can apply; " +
            "rename or delete it there, or replicate into another name");
    }
}
