namespace Subvol.Policies;

/// <summary>
/// Where one subvolume stands under its policy, read from this machine's records alone: the last automatic
/// snapshot, when the next is due, how many snapshots each interval keeps, and how far each target is behind.
/// </summary>
public sealed record PolicyStatus(
    string Pool,
    string Subvolume,
    string Section,
    string? LastSnapshot,
    DateTimeOffset? LastSnapshotAt,
    DateTimeOffset? NextDue,
    int AutomaticSnapshots,
    IReadOnlyDictionary<string, int> Kept,
    IReadOnlyList<TargetStatus> Targets);
