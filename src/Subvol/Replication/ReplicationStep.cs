
namespace Subvol.Replication;

/// <summary>What replicate does next: nothing, resume a transfer, discard one that cannot be finished, or send a full or incremental stream.</summary>
internal sealed record ReplicationStep(ReplicationStepKind Kind, Guid? Base, Guid? Target, string? ResumeToken);

internal enum ReplicationStepKind
{
    UpToDate,
    Resume,
    /// <summary>The destination's interrupted receive needs a base the source no longer holds: discard it, then plan again.</summary>
    DiscardStale,
    Full,
    Incremental,
}
