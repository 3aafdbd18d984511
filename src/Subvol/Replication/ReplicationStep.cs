namespace Subvol.Replication;

/// <summary>What replicate does next: nothing, resume a transfer, or send a full or incremental stream.</summary>
internal sealed record ReplicationStep(ReplicationStepKind Kind, Guid? Base, Guid? Target, string? ResumeToken);

internal enum ReplicationStepKind
{
    UpToDate,
    Resume,
    Full,
    Incremental,
}
