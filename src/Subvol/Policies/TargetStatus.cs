namespace Subvol.Policies;

/// <summary>A target's last replicated snapshot as recorded here, and how many newer automatic snapshots it has yet to receive.</summary>
public sealed record TargetStatus(string Target, string? LastReplicated, DateTimeOffset? ReplicatedAt, int SnapshotsBehind, TimeSpan? Behind);
