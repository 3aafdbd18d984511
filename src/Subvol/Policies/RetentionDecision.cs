namespace Subvol.Policies;

/// <summary>
/// What retention decided for one series of automatic snapshots, oldest first in both lists;
/// <paramref name="PausedBecause"/> says why nothing is pruned when a snapshot is dated in the future.
/// </summary>
public sealed record RetentionDecision(IReadOnlyList<RetainedSnapshot> Keep, IReadOnlyList<DatedSnapshot> Prune, string? PausedBecause);
