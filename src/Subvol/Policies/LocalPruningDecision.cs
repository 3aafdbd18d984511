namespace Subvol.Policies;

/// <summary>What local pruning removes, what the retention would have removed but replication still needs, and why pruning is paused, if it is.</summary>
internal sealed record LocalPruningDecision(IReadOnlyList<PolicySnapshot> Prune, IReadOnlyList<(PolicySnapshot Snapshot, string Reason)> Spared, string? PausedBecause);
